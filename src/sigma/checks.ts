// Lint checks over parsed documents, declared as data: an id and the function that judges. Their
// severity and description are the catalogue's (diagnostic-codes.ts, room 'lint'), like every other
// code's. Structural problems (YAML, modifiers, condition syntax) are reported while parsing; these
// checks judge what parsed.
import type { DiagnosticSink, Position, Span } from './diagnostics.js';
import type { CodeOfRoom } from './diagnostic-codes.js';
import { LEVELS, RELATED_TYPES, STATUSES, type SigmaDocument } from './model.js';
import { conditionReferences, expandPattern } from './condition.js';
import { get, keySpan, spanOf, type YMap } from './yaml-tree.js';

export interface CheckContext {
  doc: SigmaDocument;
  root: YMap;
  report(message: string, at?: Position | Span): void;
}

export interface Check {
  id: CodeOfRoom<'lint'>;
  run(ctx: CheckContext): void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const LEGACY_DATE = /^\d{4}\/(0[1-9]|1[0-2])\/(0[1-9]|[12]\d|3[01])$/;
const TAG = /^[a-z0-9_-]+(\.[a-z0-9_.-]+)+$/;

function valueSpan(ctx: CheckContext, key: string): Span | undefined {
  const e = get(ctx.root, key);
  return e && spanOf(e.value);
}

/** The name of a search identifier in the detection (or filter) section. */
function identifierSpan(ctx: CheckContext, name: string, fallback: Position): Span | Position {
  const section = get(ctx.root, ctx.doc.kind === 'filter' ? 'filter' : 'detection')?.value;
  const e = section?.kind === 'map' ? get(section, name) : undefined;
  return e ? keySpan(e) : fallback;
}

export const CHECKS: Check[] = [
  {
    id: 'invalid-id',
    run(ctx) {
      const id = ctx.doc.id;
      if (id !== undefined && !UUID.test(id)) ctx.report(`id '${id}' is not a UUID`, valueSpan(ctx, 'id'));
    },
  },
  {
    id: 'invalid-status',
    run(ctx) {
      const s = ctx.doc.status;
      if (s !== undefined && !(STATUSES as readonly string[]).includes(s)) ctx.report(`status '${s}' is not one of ${STATUSES.join(', ')}`, valueSpan(ctx, 'status'));
    },
  },
  {
    id: 'invalid-level',
    run(ctx) {
      const l = ctx.doc.level;
      if (l !== undefined && !(LEVELS as readonly string[]).includes(l)) ctx.report(`level '${l}' is not one of ${LEVELS.join(', ')}`, valueSpan(ctx, 'level'));
    },
  },
  {
    id: 'invalid-date',
    run(ctx) {
      for (const key of ['date', 'modified'] as const) {
        const v = ctx.doc[key];
        if (v !== undefined && !DATE.test(v) && !LEGACY_DATE.test(v)) ctx.report(`${key} '${v}' is not a YYYY-MM-DD date`, valueSpan(ctx, key));
      }
    },
  },
  {
    id: 'legacy-date-format',
    run(ctx) {
      for (const key of ['date', 'modified'] as const) {
        const v = ctx.doc[key];
        if (v !== undefined && LEGACY_DATE.test(v)) ctx.report(`${key} '${v}' uses the Sigma v1 form YYYY/MM/DD; write ${v.replaceAll('/', '-')}`, valueSpan(ctx, key));
      }
    },
  },
  {
    id: 'modified-before-date',
    run(ctx) {
      const date = ctx.doc.date?.replaceAll('/', '-');
      const modified = ctx.doc.modified?.replaceAll('/', '-');
      if (date && modified && DATE.test(date) && DATE.test(modified) && modified < date) ctx.report(`modified ${modified} is before date ${date}`, valueSpan(ctx, 'modified'));
    },
  },
  {
    id: 'invalid-tag',
    run(ctx) {
      const node = get(ctx.root, 'tags')?.value;
      ctx.doc.tags.forEach((t, i) => {
        if (!TAG.test(t)) ctx.report(`tag '${t}' is not of the form namespace.name in lower case`, node?.kind === 'seq' && node.items[i] ? spanOf(node.items[i]) : node && spanOf(node));
      });
    },
  },
  {
    id: 'duplicate-tag',
    run(ctx) {
      const seen = new Set<string>();
      for (const t of ctx.doc.tags) {
        if (seen.has(t)) ctx.report(`tag '${t}' is listed twice`, valueSpan(ctx, 'tags'));
        seen.add(t);
      }
    },
  },
  {
    id: 'invalid-related',
    run(ctx) {
      if (ctx.doc.kind !== 'rule') return;
      for (const r of ctx.doc.related) {
        if (!(RELATED_TYPES as readonly string[]).includes(r.type)) ctx.report(`related type '${r.type}' is not one of ${RELATED_TYPES.join(', ')}`, valueSpan(ctx, 'related'));
        if (!UUID.test(r.id)) ctx.report(`related id '${r.id}' is not a UUID`, valueSpan(ctx, 'related'));
      }
    },
  },
  {
    id: 'logsource-case',
    run(ctx) {
      if (ctx.doc.kind === 'correlation') return;
      for (const key of ['category', 'product', 'service'] as const) {
        const v = ctx.doc.logsource[key];
        if (v && v !== v.toLowerCase()) ctx.report(`logsource ${key} '${v}' should be lower case`, valueSpan(ctx, 'logsource'));
      }
    },
  },
  {
    id: 'undefined-identifier',
    run(ctx) {
      if (ctx.doc.kind === 'correlation') return;
      const names = [...ctx.doc.detections.keys()];
      for (const c of ctx.doc.conditions) {
        for (const ref of conditionReferences(c)) {
          if (ref.kind === 'id' && !ctx.doc.detections.has(ref.name)) ctx.report(`the condition uses '${ref.name}', which is not defined in the detection`, { start: ref.pos, end: ref.end });
          if (ref.kind === 'pattern' && expandPattern(ref.name, names).length === 0) ctx.report(`'${ref.name}' matches no search identifier`, { start: ref.pos, end: ref.end });
        }
      }
    },
  },
  {
    id: 'unused-identifier',
    run(ctx) {
      if (ctx.doc.kind === 'correlation' || ctx.doc.conditions.length === 0) return;
      const names = [...ctx.doc.detections.keys()];
      const used = new Set<string>();
      for (const c of ctx.doc.conditions)
        for (const ref of conditionReferences(c)) {
          if (ref.kind === 'id') used.add(ref.name);
          else for (const n of expandPattern(ref.name, names)) used.add(n);
        }
      for (const [name, d] of ctx.doc.detections) if (!used.has(name)) ctx.report(`search identifier '${name}' is never used in the condition`, identifierSpan(ctx, name, d.pos));
    },
  },
  {
    id: 'missing-filter-target',
    run(ctx) {
      const f = get(ctx.root, 'filter');
      if (ctx.doc.kind === 'filter' && !ctx.doc.anyRule && ctx.doc.rules.length === 0) ctx.report("the filter's 'rules' list is empty", f && keySpan(f));
    },
  },
];

export function runChecks(doc: SigmaDocument, root: YMap, sink: DiagnosticSink, checks: Check[] = CHECKS): void {
  // One context for every check of the document, reporting under the check running (not a context
  // and a closure per check per document of a corpus).
  let id: Check['id'] | undefined;
  const ctx: CheckContext = { doc, root, report: (message, at) => sink.report(id!, message, at ?? doc.pos) };
  for (const check of checks) {
    id = check.id;
    check.run(ctx);
  }
}
