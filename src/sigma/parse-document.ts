// Reads one YAML document into a rule, filter or correlation, reporting every problem with its position.
import type { DiagnosticCode, DiagnosticSink, Position } from './diagnostics.js';
import type { CorrelationCondition, CorrelationType, LogSource, RelatedRule, SigmaCorrelation, SigmaDocument, SigmaFilter, SigmaRule } from './model.js';
import { CORRELATION_TYPES } from './model.js';
import { CondExprError, exprIds, parseCondExpr } from './name-expression.js';
import { parseDetectionSection } from './parse-detection.js';
import { get, keySpan, spanOf, setPlain, toPlain, type YMap, type YNode } from './yaml-tree.js';

/** The attributes each kind of document may have (anything else is reported); editors complete from them. */
export const RULE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'title', 'id', 'name', 'related', 'taxonomy', 'status', 'description', 'license', 'references', 'author', 'date', 'modified',
  'tags', 'logsource', 'detection', 'fields', 'falsepositives', 'level', 'scope', 'regression_tests_path', 'simulation',
]);
export const FILTER_ATTRIBUTES: ReadonlySet<string> = new Set(['title', 'id', 'name', 'description', 'author', 'date', 'modified', 'taxonomy', 'logsource', 'filter', 'status', 'references', 'tags', 'license']);
export const CORRELATION_ATTRIBUTES: ReadonlySet<string> = new Set([
  'title', 'id', 'name', 'related', 'taxonomy', 'status', 'description', 'license', 'references', 'author', 'date', 'modified',
  'tags', 'correlation', 'falsepositives', 'level', 'generate', 'fields', 'scope',
]);

export interface DocumentContext {
  file: string;
  docIndex: number;
  source: string;
  pos: Position;
}

export function parseDocument(root: YNode | null, ctx: DocumentContext, sink: DiagnosticSink): SigmaDocument | null {
  if (!root || root.kind !== 'map') {
    sink.report('not-a-map', 'a Sigma document must be a YAML map of attributes', root ? spanOf(root) : ctx.pos);
    return null;
  }
  if (looksFlattened(root, sink)) return null;
  if (get(root, 'correlation')) return parseCorrelation(root, ctx, sink);
  if (get(root, 'filter') && !get(root, 'detection')) return parseFilter(root, ctx, sink);
  return parseRule(root, ctx, sink);
}

/**
 * A rule copied from a web page often loses its indentation: `logsource:` and `detection:` end up
 * empty and their children become top-level keys. Say that once, precisely, instead of a cascade.
 */
function looksFlattened(root: YMap, sink: DiagnosticSink): boolean {
  const empty = (key: string) => {
    const e = get(root, key);
    return e && e.value.kind === 'scalar' && e.value.value === null ? e : undefined;
  };
  const det = empty('detection');
  const strayCondition = get(root, 'condition');
  if (det && strayCondition) {
    sink.report('flattened-indentation', "'detection' is empty and 'condition' is a top-level key: the rule's indentation was lost (pasted from a web page?); indent the search identifiers and the condition under 'detection:'", keySpan(det));
    return true;
  }
  return false;
}

/** `required` is the code reported when the attribute is absent (only the title is required of every document). */
function str(root: YMap, key: string, sink: DiagnosticSink, opts: { required?: DiagnosticCode; max?: number } = {}): string | undefined {
  const e = get(root, key);
  if (!e || (e.value.kind === 'scalar' && e.value.value === null)) {
    if (opts.required) sink.report(opts.required, `the '${key}' attribute is required`, e ? keySpan(e) : undefined);
    return undefined;
  }
  if (e.value.kind !== 'scalar') {
    sink.report('invalid-type', `'${key}' must be a string`, spanOf(e.value));
    return undefined;
  }
  const v = String(e.value.value);
  if (opts.max && v.length > opts.max) sink.report('too-long', `'${key}' is longer than ${opts.max} characters`, spanOf(e.value));
  return v;
}

function strList(root: YMap, key: string, sink: DiagnosticSink): string[] {
  const e = get(root, key);
  if (!e || (e.value.kind === 'scalar' && e.value.value === null)) return [];
  if (e.value.kind === 'scalar') {
    sink.report('expected-list', `'${key}' should be a list`, spanOf(e.value));
    return [String(e.value.value)];
  }
  if (e.value.kind === 'map') {
    sink.report('invalid-type', `'${key}' must be a list of strings`, spanOf(e.value));
    return [];
  }
  return e.value.items.map((i) => (i.kind === 'scalar' ? String(i.value ?? '') : JSON.stringify(toPlain(i))));
}

function base(root: YMap, ctx: DocumentContext, sink: DiagnosticSink, known: ReadonlySet<string>) {
  const custom: Record<string, unknown> = {};
  for (const e of root.entries) if (!known.has(e.key)) setPlain(custom, e.key, toPlain(e.value));
  return {
    file: ctx.file,
    docIndex: ctx.docIndex,
    pos: root.pos,
    source: ctx.source,
    custom,
    title: str(root, 'title', sink, { required: 'missing-title', max: 256 }) ?? '',
    id: str(root, 'id', sink),
    name: str(root, 'name', sink),
    description: str(root, 'description', sink, { max: 65535 }),
    author: str(root, 'author', sink),
    date: str(root, 'date', sink),
    modified: str(root, 'modified', sink),
    status: str(root, 'status', sink),
    level: str(root, 'level', sink),
    taxonomy: str(root, 'taxonomy', sink),
    references: strList(root, 'references', sink),
    tags: strList(root, 'tags', sink),
    falsepositives: strList(root, 'falsepositives', sink),
  };
}

function logsource(root: YMap, sink: DiagnosticSink): LogSource {
  const e = get(root, 'logsource');
  if (!e) {
    // A missing attribute has no text of its own to span: a point at the document's start.
    sink.report('missing-logsource', "the 'logsource' attribute is required", root.pos);
    return {};
  }
  if (e.value.kind !== 'map') {
    sink.report('invalid-logsource', "'logsource' must be a map with category, product and/or service", spanOf(e.value));
    return {};
  }
  const ls: LogSource & Record<string, string> = {};
  for (const x of e.value.entries) {
    if (x.value.kind !== 'scalar' || x.value.value === null) {
      sink.report('invalid-logsource', `logsource '${x.key}' must be a string`, spanOf(x.value));
      continue;
    }
    ls[x.key] = String(x.value.value);
  }
  if (!ls.category && !ls.product && !ls.service) sink.report('empty-logsource', "'logsource' needs at least one of category, product or service", keySpan(e));
  return ls;
}

function parseRule(root: YMap, ctx: DocumentContext, sink: DiagnosticSink): SigmaRule {
  const b = base(root, ctx, sink, RULE_ATTRIBUTES);
  const det = get(root, 'detection');
  let parsed = { detections: new Map(), conditions: [], conditionText: [] } as ReturnType<typeof parseDetectionSection>;
  if (!det) sink.report('missing-detection', "the 'detection' attribute is required", root.pos);
  else if (det.value.kind !== 'map') sink.report('invalid-detection', "'detection' must be a map of search identifiers and a condition", spanOf(det.value));
  else {
    parsed = parseDetectionSection(det.value, sink, 'rule');
    if (!get(det.value, 'condition')) sink.report('missing-condition', "'detection' has no 'condition'", keySpan(det));
  }
  const relatedEntry = get(root, 'related');
  const related: RelatedRule[] = [];
  if (relatedEntry?.value.kind === 'seq') {
    for (const r of relatedEntry.value.items) {
      const o = toPlain(r) as Record<string, unknown> | null;
      if (!o || typeof o !== 'object') {
        // An error here, while the lint check's invalid-related (a bad id or type) is a warning: a
        // 'related' that is not a list of maps cannot be read at all.
        sink.report('invalid-related', "each 'related' entry needs an id and a type", spanOf(r), 'error');
        continue;
      }
      related.push({ id: String(o.id ?? ''), type: String(o.type ?? '') });
    }
  } else if (relatedEntry && !(relatedEntry.value.kind === 'scalar' && relatedEntry.value.value === null)) {
    sink.report('invalid-related', "'related' must be a list of {id, type}", spanOf(relatedEntry.value), 'error');
  }
  return {
    kind: 'rule',
    ...b,
    related: related.slice(), // at its exact length (values.ts normalizeParts says why)
    license: str(root, 'license', sink),
    logsource: logsource(root, sink),
    ...parsed,
    fields: strList(root, 'fields', sink),
    scope: strList(root, 'scope', sink),
    regressionTestsPath: str(root, 'regression_tests_path', sink),
    simulation: get(root, 'simulation') ? toPlain(get(root, 'simulation')!.value) : undefined,
  };
}

function parseFilter(root: YMap, ctx: DocumentContext, sink: DiagnosticSink): SigmaFilter {
  const b = base(root, ctx, sink, FILTER_ATTRIBUTES);
  const f = get(root, 'filter')!;
  let rules: string[] = [];
  let anyRule = false;
  let parsed = { detections: new Map(), conditions: [], conditionText: [] } as ReturnType<typeof parseDetectionSection>;
  if (f.value.kind !== 'map') sink.report('invalid-filter', "'filter' must be a map with rules, selections and a condition", spanOf(f.value));
  else {
    const r = get(f.value, 'rules');
    if (!r) sink.report('missing-filter-rules', "'filter' needs 'rules': the ids or names of the rules it applies to", keySpan(f));
    else if (r.value.kind !== 'seq' && toPlain(r.value) === 'any') anyRule = true;
    else rules = (r.value.kind === 'seq' ? r.value.items : [r.value]).map((n) => String(toPlain(n) ?? ''));
    parsed = parseDetectionSection(f.value, sink, 'filter', ['rules']);
    if (!get(f.value, 'condition')) sink.report('missing-condition', "'filter' has no 'condition'", keySpan(f));
  }
  return { kind: 'filter', ...b, logsource: logsource(root, sink), rules, anyRule, ...parsed };
}

// Weeks, months and years as pySigma reads them: a month is 30.436875 days, a year 365.2425.
const TIMESPAN_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, M: 2_629_746_000, y: 31_556_952_000 };

/** A Sigma timespan (`30s`, `5m`, `1h`…) in milliseconds, or null when it is not one. */
export function timespanToMs(text: string): number | null {
  const m = /^(\d+)([smhdwMy])$/.exec(text);
  return m ? Number(m[1]) * TIMESPAN_UNITS[m[2]!]! : null;
}

function parseCorrelation(root: YMap, ctx: DocumentContext, sink: DiagnosticSink): SigmaCorrelation {
  const b = base(root, ctx, sink, CORRELATION_ATTRIBUTES);
  const entry = get(root, 'correlation')!;
  const out: SigmaCorrelation['correlation'] = { type: 'event_count', rules: [], groupBy: [], timespanMs: 0, timespanText: '', conditions: [], aliases: {}, generate: false };
  if (entry.value.kind !== 'map') {
    sink.report('invalid-correlation', "'correlation' must be a map", spanOf(entry.value));
    return { kind: 'correlation', ...b, correlation: out };
  }
  const c = entry.value;
  const type = get(c, 'type');
  const typeText = type?.value.kind === 'scalar' ? String(type.value.value) : '';
  if (!type) sink.report('missing-correlation-type', "'correlation' needs a 'type'", keySpan(entry));
  else if (!CORRELATION_TYPES.includes(typeText as CorrelationType)) sink.report('invalid-correlation-type', `unknown correlation type '${typeText}' (expected ${CORRELATION_TYPES.join(', ')})`, spanOf(type.value));
  else out.type = typeText as CorrelationType;
  const rules = get(c, 'rules');
  const condNode = get(c, 'condition');
  const extended = condNode?.value.kind === 'scalar' && typeof condNode.value.value === 'string';
  // An extended temporal condition names its rules itself; `rules` may then be left out.
  if (!rules && !extended) sink.report('missing-correlation-rules', "'correlation' needs 'rules'", keySpan(entry));
  else if (rules) out.rules = (rules.value.kind === 'seq' ? rules.value.items : [rules.value]).map((n) => String(toPlain(n) ?? ''));
  const gb = get(c, 'group-by');
  if (gb) out.groupBy = (gb.value.kind === 'seq' ? gb.value.items : [gb.value]).map((n) => String(toPlain(n) ?? ''));
  const ts = get(c, 'timespan');
  if (!ts) sink.report('missing-timespan', "'correlation' needs a 'timespan' such as 5m or 1h", keySpan(entry));
  else {
    const text = ts.value.kind === 'scalar' ? String(ts.value.value) : '';
    const ms = timespanToMs(text);
    if (ms === null) sink.report('invalid-timespan', `timespan '${text}' must be a number followed by s, m, h, d, w, M or y`, spanOf(ts.value));
    else {
      out.timespanMs = ms;
      out.timespanText = text;
    }
  }
  const cond = condNode;
  const temporal = out.type === 'temporal' || out.type === 'temporal_ordered';
  if (!cond) {
    if (!temporal) sink.report('missing-correlation-condition', `a ${out.type} correlation needs a 'condition'`, keySpan(entry));
  } else if (extended) {
    const text = String((cond.value as { value: unknown }).value);
    if (!temporal) sink.report('invalid-correlation-condition', `a condition written as an expression ('${text}') is for temporal and temporal_ordered correlations only`, spanOf(cond.value));
    else {
      try {
        out.expression = parseCondExpr(text);
        out.expressionText = text;
        const named = [...new Set(exprIds(out.expression).map((x) => x.name))];
        if (!rules) out.rules = named;
        else {
          const missing = named.filter((r) => !out.rules.includes(r));
          const unused = out.rules.filter((r) => !named.includes(r));
          if (missing.length) sink.report('invalid-correlation-condition', `the condition names ${missing.map((r) => `'${r}'`).join(', ')}, which 'rules' does not list`, spanOf(cond.value));
          if (unused.length) sink.report('invalid-correlation-condition', `'rules' lists ${unused.map((r) => `'${r}'`).join(', ')}, which the condition does not use`, keySpan(rules));
        }
      } catch (e) {
        if (!(e instanceof CondExprError)) throw e;
        // The offset is into the expression text; a plain or quoted scalar starts it at the node (quotes: one later).
        const col = cond.value.pos.col + (cond.value.kind === 'scalar' && cond.value.quoted ? 1 : 0) + e.offset;
        sink.report('invalid-correlation-condition', `the condition expression: ${e.message}`, { start: { line: cond.value.pos.line, col }, end: { line: cond.value.pos.line, col: col + Math.max(1, e.length) } });
      }
    }
  } else if (cond.value.kind !== 'map') sink.report('invalid-correlation-condition', "the correlation 'condition' must be a map such as {gte: 10}, or for temporal types an expression of rule names", spanOf(cond.value));
  else {
    let field: string | string[] | undefined;
    for (const e of cond.value.entries) {
      if (e.key === 'field') {
        const v = toPlain(e.value);
        field = Array.isArray(v) ? v.map(String) : String(v);
      } else if (e.key === 'percentile') {
        const v = e.value.kind === 'scalar' ? e.value.value : null;
        if (typeof v !== 'number' || v < 0 || v > 100) sink.report('invalid-correlation-condition', "'percentile' needs a number from 0 to 100", spanOf(e.value));
        else out.percentile = v;
      }
    }
    for (const e of cond.value.entries) {
      if (e.key === 'field' || e.key === 'percentile') continue;
      const v = e.value.kind === 'scalar' ? e.value.value : null;
      if (!['gt', 'gte', 'lt', 'lte', 'eq', 'neq'].includes(e.key)) sink.report('invalid-correlation-condition', `unknown correlation operator '${e.key}'`, keySpan(e));
      else if (typeof v !== 'number') sink.report('invalid-correlation-condition', `'${e.key}' needs a number`, spanOf(e.value));
      else out.conditions.push({ op: e.key as CorrelationCondition['op'], value: v, field });
    }
    // (Only when no entry was tried as an operator: a wrong one is reported above.)
    if (cond.value.entries.every((e) => e.key === 'field' || e.key === 'percentile')) sink.report('invalid-correlation-condition', "the correlation 'condition' has no operator (gt, gte, lt, lte, eq or neq)", spanOf(cond.value));
    if (out.type.startsWith('value_') && field === undefined) sink.report('missing-correlation-field', `a ${out.type} correlation needs 'field' in its condition`, keySpan(cond));
    if (out.type === 'value_percentile' && out.percentile === undefined) sink.report('missing-correlation-field', "a value_percentile correlation needs 'percentile' in its condition (e.g. percentile: 95)", keySpan(cond));
  }
  if (out.type === 'event_count' || out.type.startsWith('value_')) {
    if (!gb) sink.report('missing-group-by', `a ${out.type} correlation usually needs 'group-by'`, keySpan(entry));
  }
  const aliases = get(c, 'aliases');
  if (aliases) {
    const v = toPlain(aliases.value);
    if (v && typeof v === 'object' && !Array.isArray(v)) out.aliases = v as Record<string, Record<string, string>>;
    else sink.report('invalid-aliases', "'aliases' must map alias names to {rule: field}", spanOf(aliases.value));
  }
  const generate = get(c, 'generate') ?? get(root, 'generate');
  if (generate) out.generate = generate.value.kind === 'scalar' && generate.value.value === true;
  return { kind: 'correlation', ...b, correlation: out };
}
