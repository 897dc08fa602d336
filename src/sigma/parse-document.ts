// Reads one YAML document into a rule, filter or correlation, reporting every problem with its position.
import type { DiagnosticSink, Position } from './diagnostics.js';
import type { CorrelationCondition, CorrelationType, LogSource, RelatedRule, SigmaCorrelation, SigmaDocument, SigmaFilter, SigmaRule } from './model.js';
import { CORRELATION_TYPES } from './model.js';
import { ExpressionError, expressionRules, parseTemporalExpression } from './correlation-expression.js';
import { parseDetectionSection } from './parse-detection.js';
import { get, toPlain, type YMap, type YNode } from './yaml-tree.js';

const RULE_ATTRIBUTES = new Set([
  'title', 'id', 'name', 'related', 'taxonomy', 'status', 'description', 'license', 'references', 'author', 'date', 'modified',
  'tags', 'logsource', 'detection', 'fields', 'falsepositives', 'level', 'scope', 'regression_tests_path', 'simulation',
]);
const FILTER_ATTRIBUTES = new Set(['title', 'id', 'name', 'description', 'author', 'date', 'modified', 'taxonomy', 'logsource', 'filter', 'status', 'references', 'tags', 'license']);
const CORRELATION_ATTRIBUTES = new Set([
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
    sink.error('not-a-map', 'a Sigma document must be a YAML map of attributes', root?.pos ?? ctx.pos);
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
    sink.error('flattened-indentation', "'detection' is empty and 'condition' is a top-level key: the rule's indentation was lost (pasted from a web page?); indent the search identifiers and the condition under 'detection:'", det.keyPos);
    return true;
  }
  return false;
}

function str(root: YMap, key: string, sink: DiagnosticSink, opts: { required?: boolean; max?: number } = {}): string | undefined {
  const e = get(root, key);
  if (!e || (e.value.kind === 'scalar' && e.value.value === null)) {
    if (opts.required) sink.error(`missing-${key}`, `the '${key}' attribute is required`, e?.keyPos);
    return undefined;
  }
  if (e.value.kind !== 'scalar') {
    sink.error('invalid-type', `'${key}' must be a string`, e.value.pos);
    return undefined;
  }
  const v = String(e.value.value);
  if (opts.max && v.length > opts.max) sink.warning('too-long', `'${key}' is longer than ${opts.max} characters`, e.value.pos);
  return v;
}

function strList(root: YMap, key: string, sink: DiagnosticSink): string[] {
  const e = get(root, key);
  if (!e || (e.value.kind === 'scalar' && e.value.value === null)) return [];
  if (e.value.kind === 'scalar') {
    sink.warning('expected-list', `'${key}' should be a list`, e.value.pos);
    return [String(e.value.value)];
  }
  if (e.value.kind === 'map') {
    sink.error('invalid-type', `'${key}' must be a list of strings`, e.value.pos);
    return [];
  }
  return e.value.items.map((i) => (i.kind === 'scalar' ? String(i.value ?? '') : JSON.stringify(toPlain(i))));
}

function base(root: YMap, ctx: DocumentContext, sink: DiagnosticSink, known: Set<string>) {
  const raw = toPlain(root) as Record<string, unknown>;
  const custom: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!known.has(k)) custom[k] = v;
  return {
    file: ctx.file,
    docIndex: ctx.docIndex,
    pos: root.pos,
    source: ctx.source,
    raw,
    custom,
    title: str(root, 'title', sink, { required: true, max: 256 }) ?? '',
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
    sink.error('missing-logsource', "the 'logsource' attribute is required", root.pos);
    return {};
  }
  if (e.value.kind !== 'map') {
    sink.error('invalid-logsource', "'logsource' must be a map with category, product and/or service", e.value.pos ?? e.keyPos);
    return {};
  }
  const ls: LogSource & Record<string, string> = {};
  for (const x of e.value.entries) {
    if (x.value.kind !== 'scalar' || x.value.value === null) {
      sink.error('invalid-logsource', `logsource '${x.key}' must be a string`, x.value.pos);
      continue;
    }
    ls[x.key] = String(x.value.value);
  }
  if (!ls.category && !ls.product && !ls.service) sink.error('empty-logsource', "'logsource' needs at least one of category, product or service", e.keyPos);
  return ls;
}

function parseRule(root: YMap, ctx: DocumentContext, sink: DiagnosticSink): SigmaRule {
  const b = base(root, ctx, sink, RULE_ATTRIBUTES);
  const det = get(root, 'detection');
  let parsed = { detections: new Map(), conditions: [], conditionText: [] } as ReturnType<typeof parseDetectionSection>;
  if (!det) sink.error('missing-detection', "the 'detection' attribute is required", root.pos);
  else if (det.value.kind !== 'map') sink.error('invalid-detection', "'detection' must be a map of search identifiers and a condition", det.value.pos);
  else {
    parsed = parseDetectionSection(det.value, sink, 'rule');
    if (!get(det.value, 'condition')) sink.error('missing-condition', "'detection' has no 'condition'", det.keyPos);
  }
  const relatedEntry = get(root, 'related');
  const related: RelatedRule[] = [];
  if (relatedEntry?.value.kind === 'seq') {
    for (const r of relatedEntry.value.items) {
      const o = toPlain(r) as Record<string, unknown> | null;
      if (!o || typeof o !== 'object') {
        sink.error('invalid-related', "each 'related' entry needs an id and a type", r.pos);
        continue;
      }
      related.push({ id: String(o.id ?? ''), type: String(o.type ?? '') });
    }
  } else if (relatedEntry && !(relatedEntry.value.kind === 'scalar' && relatedEntry.value.value === null)) {
    sink.error('invalid-related', "'related' must be a list of {id, type}", relatedEntry.value.pos);
  }
  return {
    kind: 'rule',
    ...b,
    related,
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
  if (f.value.kind !== 'map') sink.error('invalid-filter', "'filter' must be a map with rules, selections and a condition", f.value.pos);
  else {
    const r = get(f.value, 'rules');
    if (!r) sink.error('missing-filter-rules', "'filter' needs 'rules': the ids or names of the rules it applies to", f.keyPos);
    else if (r.value.kind !== 'seq' && toPlain(r.value) === 'any') anyRule = true;
    else rules = (r.value.kind === 'seq' ? r.value.items : [r.value]).map((n) => String(toPlain(n) ?? ''));
    parsed = parseDetectionSection(f.value, sink, 'filter', ['rules']);
    if (!get(f.value, 'condition')) sink.error('missing-condition', "'filter' has no 'condition'", f.keyPos);
  }
  return { kind: 'filter', ...b, logsource: logsource(root, sink), rules, anyRule, ...parsed };
}

// Weeks, months and years as pySigma reads them: a month is 30.436875 days, a year 365.2425.
const TIMESPAN_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, M: 2_629_746_000, y: 31_556_952_000 };

function parseCorrelation(root: YMap, ctx: DocumentContext, sink: DiagnosticSink): SigmaCorrelation {
  const b = base(root, ctx, sink, CORRELATION_ATTRIBUTES);
  const entry = get(root, 'correlation')!;
  const out: SigmaCorrelation['correlation'] = { type: 'event_count', rules: [], groupBy: [], timespanMs: 0, timespanText: '', conditions: [], aliases: {}, generate: false };
  if (entry.value.kind !== 'map') {
    sink.error('invalid-correlation', "'correlation' must be a map", entry.value.pos);
    return { kind: 'correlation', ...b, correlation: out };
  }
  const c = entry.value;
  const type = get(c, 'type');
  const typeText = type?.value.kind === 'scalar' ? String(type.value.value) : '';
  if (!type) sink.error('missing-correlation-type', "'correlation' needs a 'type'", entry.keyPos);
  else if (!CORRELATION_TYPES.includes(typeText as CorrelationType)) sink.error('invalid-correlation-type', `unknown correlation type '${typeText}' (expected ${CORRELATION_TYPES.join(', ')})`, type.value.pos);
  else out.type = typeText as CorrelationType;
  const rules = get(c, 'rules');
  const condNode = get(c, 'condition');
  const extended = condNode?.value.kind === 'scalar' && typeof condNode.value.value === 'string';
  // An extended temporal condition names its rules itself; `rules` may then be left out.
  if (!rules && !extended) sink.error('missing-correlation-rules', "'correlation' needs 'rules'", entry.keyPos);
  else if (rules) out.rules = (rules.value.kind === 'seq' ? rules.value.items : [rules.value]).map((n) => String(toPlain(n) ?? ''));
  const gb = get(c, 'group-by');
  if (gb) out.groupBy = (gb.value.kind === 'seq' ? gb.value.items : [gb.value]).map((n) => String(toPlain(n) ?? ''));
  const ts = get(c, 'timespan');
  if (!ts) sink.error('missing-timespan', "'correlation' needs a 'timespan' such as 5m or 1h", entry.keyPos);
  else {
    const text = ts.value.kind === 'scalar' ? String(ts.value.value) : '';
    const m = /^(\d+)([smhdwMy])$/.exec(text);
    if (!m) sink.error('invalid-timespan', `timespan '${text}' must be a number followed by s, m, h, d, w, M or y`, ts.value.pos);
    else {
      out.timespanMs = Number(m[1]) * TIMESPAN_UNITS[m[2]!]!;
      out.timespanText = text;
    }
  }
  const cond = condNode;
  const temporal = out.type === 'temporal' || out.type === 'temporal_ordered';
  if (!cond) {
    if (!temporal) sink.error('missing-correlation-condition', `a ${out.type} correlation needs a 'condition'`, entry.keyPos);
  } else if (extended) {
    const text = String((cond.value as { value: unknown }).value);
    if (!temporal) sink.error('invalid-correlation-condition', `a condition written as an expression ('${text}') is for temporal and temporal_ordered correlations only`, cond.value.pos);
    else {
      try {
        out.expression = parseTemporalExpression(text);
        const named = expressionRules(out.expression);
        if (!rules) out.rules = named;
        else {
          const missing = named.filter((r) => !out.rules.includes(r));
          const unused = out.rules.filter((r) => !named.includes(r));
          if (missing.length) sink.error('invalid-correlation-condition', `the condition names ${missing.map((r) => `'${r}'`).join(', ')}, which 'rules' does not list`, cond.value.pos);
          if (unused.length) sink.error('invalid-correlation-condition', `'rules' lists ${unused.map((r) => `'${r}'`).join(', ')}, which the condition does not use`, rules.keyPos);
        }
      } catch (e) {
        if (!(e instanceof ExpressionError)) throw e;
        sink.error('invalid-correlation-condition', `the condition expression: ${e.message}`, { line: cond.value.pos.line, col: cond.value.pos.col + e.offset });
      }
    }
  } else if (cond.value.kind !== 'map') sink.error('invalid-correlation-condition', "the correlation 'condition' must be a map such as {gte: 10}, or for temporal types an expression of rule names", cond.value.pos);
  else {
    let field: string | string[] | undefined;
    for (const e of cond.value.entries) {
      if (e.key === 'field') {
        const v = toPlain(e.value);
        field = Array.isArray(v) ? v.map(String) : String(v);
      } else if (e.key === 'percentile') {
        const v = e.value.kind === 'scalar' ? e.value.value : null;
        if (typeof v !== 'number' || v < 0 || v > 100) sink.error('invalid-correlation-condition', "'percentile' needs a number from 0 to 100", e.value.pos);
        else out.percentile = v;
      }
    }
    for (const e of cond.value.entries) {
      if (e.key === 'field' || e.key === 'percentile') continue;
      const v = e.value.kind === 'scalar' ? e.value.value : null;
      if (!['gt', 'gte', 'lt', 'lte', 'eq', 'neq'].includes(e.key)) sink.error('invalid-correlation-condition', `unknown correlation operator '${e.key}'`, e.keyPos);
      else if (typeof v !== 'number') sink.error('invalid-correlation-condition', `'${e.key}' needs a number`, e.value.pos);
      else out.conditions.push({ op: e.key as CorrelationCondition['op'], value: v, field });
    }
    if (out.conditions.length === 0) sink.error('invalid-correlation-condition', "the correlation 'condition' has no operator (gt, gte, lt, lte, eq or neq)", cond.value.pos);
    if (out.type.startsWith('value_') && field === undefined) sink.error('missing-correlation-field', `a ${out.type} correlation needs 'field' in its condition`, cond.keyPos);
    if (out.type === 'value_percentile' && out.percentile === undefined) sink.error('missing-correlation-field', "a value_percentile correlation needs 'percentile' in its condition (e.g. percentile: 95)", cond.keyPos);
  }
  if (out.type === 'event_count' || out.type.startsWith('value_')) {
    if (!gb) sink.warning('missing-group-by', `a ${out.type} correlation usually needs 'group-by'`, entry.keyPos);
  }
  const aliases = get(c, 'aliases');
  if (aliases) {
    const v = toPlain(aliases.value);
    if (v && typeof v === 'object' && !Array.isArray(v)) out.aliases = v as Record<string, Record<string, string>>;
    else sink.error('invalid-aliases', "'aliases' must map alias names to {rule: field}", aliases.value.pos);
  }
  const generate = get(c, 'generate') ?? get(root, 'generate');
  if (generate) out.generate = generate.value.kind === 'scalar' && generate.value.value === true;
  return { kind: 'correlation', ...b, correlation: out };
}
