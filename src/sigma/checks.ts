// Lint checks over parsed documents, declared as data: one id, one severity, one description each.
// Structural problems (YAML, modifiers, condition syntax) are reported while parsing; these checks
// judge what parsed.
import type { DiagnosticSink, Position, Severity } from './diagnostics.js';
import { LEVELS, RELATED_TYPES, STATUSES, type SigmaDocument } from './model.js';
import { conditionReferences, expandPattern } from './condition.js';
import { get, type YMap } from './yaml-tree.js';

export interface CheckContext {
  doc: SigmaDocument;
  root: YMap;
  report(message: string, pos?: Position): void;
}

export interface Check {
  id: string;
  severity: Severity;
  description: string;
  run(ctx: CheckContext): void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const LEGACY_DATE = /^\d{4}\/(0[1-9]|1[0-2])\/(0[1-9]|[12]\d|3[01])$/;
const TAG = /^[a-z0-9_-]+(\.[a-z0-9_.-]+)+$/;

function valuePos(ctx: CheckContext, key: string): Position | undefined {
  return get(ctx.root, key)?.value.pos;
}

export const CHECKS: Check[] = [
  {
    id: 'invalid-id',
    severity: 'warning',
    description: 'The id should be a UUID (version 4 recommended) so that rules can be referenced and tracked.',
    run(ctx) {
      const id = ctx.doc.id;
      if (id !== undefined && !UUID.test(id)) ctx.report(`id '${id}' is not a UUID`, valuePos(ctx, 'id'));
    },
  },
  {
    id: 'invalid-status',
    severity: 'error',
    description: `status must be one of ${STATUSES.join(', ')}.`,
    run(ctx) {
      const s = ctx.doc.status;
      if (s !== undefined && !(STATUSES as readonly string[]).includes(s)) ctx.report(`status '${s}' is not one of ${STATUSES.join(', ')}`, valuePos(ctx, 'status'));
    },
  },
  {
    id: 'invalid-level',
    severity: 'error',
    description: `level must be one of ${LEVELS.join(', ')}.`,
    run(ctx) {
      const l = ctx.doc.level;
      if (l !== undefined && !(LEVELS as readonly string[]).includes(l)) ctx.report(`level '${l}' is not one of ${LEVELS.join(', ')}`, valuePos(ctx, 'level'));
    },
  },
  {
    id: 'invalid-date',
    severity: 'error',
    description: 'date and modified use the ISO 8601 form YYYY-MM-DD.',
    run(ctx) {
      for (const key of ['date', 'modified'] as const) {
        const v = ctx.doc[key];
        if (v !== undefined && !DATE.test(v) && !LEGACY_DATE.test(v)) ctx.report(`${key} '${v}' is not a YYYY-MM-DD date`, valuePos(ctx, key));
      }
    },
  },
  {
    id: 'legacy-date-format',
    severity: 'warning',
    description: 'Sigma v1 wrote dates as YYYY/MM/DD; v2 uses YYYY-MM-DD.',
    run(ctx) {
      for (const key of ['date', 'modified'] as const) {
        const v = ctx.doc[key];
        if (v !== undefined && LEGACY_DATE.test(v)) ctx.report(`${key} '${v}' uses the Sigma v1 form YYYY/MM/DD; write ${v.replaceAll('/', '-')}`, valuePos(ctx, key));
      }
    },
  },
  {
    id: 'modified-before-date',
    severity: 'warning',
    description: 'modified cannot be earlier than date.',
    run(ctx) {
      const date = ctx.doc.date?.replaceAll('/', '-');
      const modified = ctx.doc.modified?.replaceAll('/', '-');
      if (date && modified && DATE.test(date) && DATE.test(modified) && modified < date) ctx.report(`modified ${modified} is before date ${date}`, valuePos(ctx, 'modified'));
    },
  },
  {
    id: 'invalid-tag',
    severity: 'warning',
    description: 'Tags are lower-case namespaced identifiers such as attack.t1197 or cve.2021-44228.',
    run(ctx) {
      const node = get(ctx.root, 'tags')?.value;
      ctx.doc.tags.forEach((t, i) => {
        if (!TAG.test(t)) ctx.report(`tag '${t}' is not of the form namespace.name in lower case`, node?.kind === 'seq' ? node.items[i]?.pos : node?.pos);
      });
    },
  },
  {
    id: 'duplicate-tag',
    severity: 'warning',
    description: 'A tag is listed twice.',
    run(ctx) {
      const seen = new Set<string>();
      for (const t of ctx.doc.tags) {
        if (seen.has(t)) ctx.report(`tag '${t}' is listed twice`, valuePos(ctx, 'tags'));
        seen.add(t);
      }
    },
  },
  {
    id: 'invalid-related',
    severity: 'warning',
    description: `related entries need a UUID id and a type among ${RELATED_TYPES.join(', ')}.`,
    run(ctx) {
      if (ctx.doc.kind !== 'rule') return;
      for (const r of ctx.doc.related) {
        if (!(RELATED_TYPES as readonly string[]).includes(r.type)) ctx.report(`related type '${r.type}' is not one of ${RELATED_TYPES.join(', ')}`, valuePos(ctx, 'related'));
        if (!UUID.test(r.id)) ctx.report(`related id '${r.id}' is not a UUID`, valuePos(ctx, 'related'));
      }
    },
  },
  {
    id: 'logsource-case',
    severity: 'warning',
    description: 'logsource values are lower case, with _ for spaces.',
    run(ctx) {
      if (ctx.doc.kind === 'correlation') return;
      for (const key of ['category', 'product', 'service'] as const) {
        const v = ctx.doc.logsource[key];
        if (v && v !== v.toLowerCase()) ctx.report(`logsource ${key} '${v}' should be lower case`, get(ctx.root, 'logsource')?.value.pos);
      }
    },
  },
  {
    id: 'undefined-identifier',
    severity: 'error',
    description: 'The condition names a search identifier that the detection does not define.',
    run(ctx) {
      if (ctx.doc.kind === 'correlation') return;
      const names = [...ctx.doc.detections.keys()];
      for (const c of ctx.doc.conditions) {
        for (const ref of conditionReferences(c)) {
          if (ref.kind === 'id' && !ctx.doc.detections.has(ref.name)) ctx.report(`the condition uses '${ref.name}', which is not defined in the detection`, ref.pos);
          if (ref.kind === 'pattern' && expandPattern(ref.name, names).length === 0) ctx.report(`'${ref.name}' matches no search identifier`, ref.pos);
        }
      }
    },
  },
  {
    id: 'unused-identifier',
    severity: 'warning',
    description: 'A search identifier is defined but no condition uses it.',
    run(ctx) {
      if (ctx.doc.kind === 'correlation' || ctx.doc.conditions.length === 0) return;
      const names = [...ctx.doc.detections.keys()];
      const used = new Set<string>();
      for (const c of ctx.doc.conditions)
        for (const ref of conditionReferences(c)) {
          if (ref.kind === 'id') used.add(ref.name);
          else for (const n of expandPattern(ref.name, names)) used.add(n);
        }
      for (const [name, d] of ctx.doc.detections) if (!used.has(name)) ctx.report(`search identifier '${name}' is never used in the condition`, d.pos);
    },
  },
  {
    id: 'missing-filter-target',
    severity: 'error',
    description: "A filter must name at least one rule, or say 'rules: any'.",
    run(ctx) {
      if (ctx.doc.kind === 'filter' && !ctx.doc.anyRule && ctx.doc.rules.length === 0) ctx.report("the filter's 'rules' list is empty", get(ctx.root, 'filter')?.keyPos);
    },
  },
];

export function runChecks(doc: SigmaDocument, root: YMap, sink: DiagnosticSink, checks: Check[] = CHECKS): void {
  for (const check of checks) {
    check.run({ doc, root, report: (message, pos) => sink.add(check.severity, check.id, message, pos ?? doc.pos) });
  }
}
