// A correlation rule as one KQL query. The base rules' conditions (rendered as each rule alone is)
// select and flag their rows: one branch per table, with an `extend`ed flag per rule when several
// rules read the same table (an event matching two of them stays one row), and a `union` of the
// branches when the rules read different tables. Each branch projects the same columns: the event
// time, the group-by values (from each rule's own field, aliases resolved), the value field and the
// flags. Then one `summarize` per group and fixed time bucket (`bin(_Time, timespan)`) measures the
// bucket, and `where` keeps the buckets that meet the condition.
//
// Fixed buckets, not the engine's sliding window: KQL has no window frame over time, and a self-join
// per event (the exact form) costs a join of the table with itself; SIEM users expect buckets. The
// query's notes say so (kqlCorrelationNotes). Refused with a reason: a temporal condition written as
// an expression, temporal_ordered of three rules or more; chains are refused by convert.ts.
import { and } from '../../ir/lower.js';
import type { RuleIR } from '../../ir/types.js';
import { conditionText, timespanText } from '../common/correlation.js';
import { ConversionError, type CorrelationConvertInput } from '../common/types.js';
import { FieldScope, type FieldRef } from './fields.js';
import { kqlIdent } from './literals.js';
import { kqlNotes } from './notes.js';
import { renderExpr } from './render-expr.js';
import { extraction, ruleTable } from './render-query.js';
import { isNumericType } from './schema.js';

const UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
] as const;
const OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '==', neq: '!=' } as const;
/** The output columns besides the group-by names. */
const OUTPUT = ['window_start', 'window_end', 'value'];

/** The event time of a table: Defender XDR's `Timestamp` where the table has it, else Log Analytics' `TimeGenerated`. */
function timeColumn(scope: FieldScope): string {
  for (const name of ['Timestamp', 'TimeGenerated']) if (scope.columns.get(name) === 'datetime') return name;
  throw new ConversionError('correlation-unsupported', `table ${scope.table} has no Timestamp or TimeGenerated column to place its events in time`);
}

/** The bucket size as a KQL timespan literal (`5m`, `90s`). */
export function kqlTimespan(ms: number): string {
  return timespanText(ms, UNITS)!;
}

const fail = (code: string, why: string): never => {
  throw new ConversionError(code, why);
};

interface Branch {
  table: string;
  fallback: string | null;
  /** Indexes of the correlation's inputs that read this table. */
  inputs: number[];
}

export function renderKqlCorrelation(input: CorrelationConvertInput): string {
  const c = input.correlation;
  if (c.expression) fail('correlation-condition', 'a temporal condition written as an expression (`a and not b`) is not converted to KQL yet');
  if (c.type === 'temporal_ordered' && c.inputs.length > 2) fail('correlation-unsupported', 'temporal_ordered over more than two rules is not converted to KQL yet (the order of three events in a bucket)');
  for (const name of c.groupBy) if (OUTPUT.includes(name)) fail('correlation-unsupported', `the group-by name '${name}' is also an output column of the query (${OUTPUT.join(', ')})`);
  const span = kqlTimespan(c.timespanMs);
  const flags = c.type === 'temporal' || c.type === 'temporal_ordered';

  const branches: Branch[] = [];
  input.inputs.forEach((x, i) => {
    let t: { table: string; fallback: string | null };
    try {
      t = ruleTable({ rule: x.ir.rule, state: x.state, pipelines: input.pipelines });
    } catch (e) {
      if (e instanceof ConversionError) throw new ConversionError(e.code, `base rule '${x.ir.rule.title}': ${e.message}`);
      throw e;
    }
    const b = branches.find((y) => y.table === t.table && y.fallback === t.fallback);
    if (b) b.inputs.push(i);
    else branches.push({ ...t, inputs: [i] });
  });
  const rendered = branches.map((b) => renderBranch(b, input, flags));
  const rows = rendered.length === 1 ? rendered[0]! : ['union ' + rendered.map((lines) => `(\n${lines.map((l) => '    ' + l).join('\n')}\n)`).join(', ')];

  const g = c.groupBy.map((_, k) => `_g${k}`);
  // A row joins a group only with every group-by value present and not empty, as in the engine.
  const present = ['isnotnull(_Time)', ...g.map((x) => `isnotempty(${x})`), ...(['value_sum', 'value_avg', 'value_percentile', 'value_median'].includes(c.type) ? ['isnotnull(_v)'] : [])];
  const by = [...g, `_Start = bin(_Time, ${span})`].join(', ');
  const tail: string[] = [`| where ${present.join(' and ')}`];
  switch (c.type) {
    case 'event_count':
      tail.push(`| summarize _value = count() by ${by}`);
      break;
    case 'value_count':
      tail.push(`| summarize _value = dcountif(_v, isnotempty(_v)) by ${by}`);
      break;
    case 'value_sum':
      tail.push(`| summarize _value = sum(_v) by ${by}`);
      break;
    case 'value_avg':
      tail.push(`| summarize _value = avg(_v) by ${by}`);
      break;
    case 'value_percentile':
    case 'value_median':
      tail.push(`| summarize _value = percentile(_v, ${c.percentile ?? 50}) by ${by}`);
      break;
    case 'temporal':
      // How many of the rules occurred in the bucket.
      tail.push(`| summarize ${c.inputs.map((_, i) => `_n${i} = max(toint(_r${i}))`).join(', ')} by ${by}`, `| extend _value = ${c.inputs.map((_, i) => `_n${i}`).join(' + ')}`);
      break;
    case 'temporal_ordered':
      // Two rules in order: some event of the first no later than some event of the second, that
      // is, the first one's earliest time no later than the second one's latest; else 1 when the
      // first occurred (the longest prefix of the order, as the engine counts it).
      tail.push(`| summarize _first0 = minif(_Time, _r0), _last1 = maxif(_Time, _r1) by ${by}`, '| extend _value = iff(_first0 <= _last1, 2, toint(isnotnull(_first0)))');
      break;
  }
  tail.push(`| where ${conditionText(c, '_value', OPS, 'and')}`);
  tail.push(`| project ${[...c.groupBy.map((name, k) => `${kqlIdent(name)} = _g${k}`), 'window_start = _Start', `window_end = _Start + ${span}`, 'value = _value'].join(', ')}`);
  return [...rows, ...tail].join('\n');
}

/** One table's rows of the base rules that read it, projected to the columns every branch has. */
function renderBranch(b: Branch, input: CorrelationConvertInput, flags: boolean): string[] {
  const c = input.correlation;
  const scope = new FieldScope(b.table, b.fallback);
  const time = timeColumn(scope);
  const irOf = (i: number): RuleIR => input.inputs[i]!.ir;
  // Everything that reads a field is resolved before the extraction stages, which make the
  // derived (EventData) columns these reads need.
  const conds = b.inputs.map((i) => renderExpr(and([...(irOf(i).guard ? [irOf(i).guard!] : []), irOf(i).detection]), scope));
  const text = (f: FieldRef) => (f.type === 'string' ? f.expr : `tostring(${f.expr})`);
  const number = (f: FieldRef) => (isNumericType(f.type) ? `todouble(${f.expr})` : `todouble(${text(f)})`);
  // A value from the field of the first rule the row matched (aliases name one field per rule).
  const pick = (read: (i: number) => string, none: string) => {
    const exprs = b.inputs.map(read);
    if (exprs.every((e) => e === exprs[0])) return exprs[0]!;
    return `case(${b.inputs.map((i, j) => `_r${i}, ${exprs[j]}`).join(', ')}, ${none})`;
  };
  const columns = [`_Time = ${kqlIdent(time)}`, ...c.groupBy.map((_, k) => `_g${k} = ${pick((i) => text(scope.resolve(c.groupFields[i]![k]!)), '""')}`)];
  if (c.type === 'value_count') {
    const fields = c.valueFields.map((f) => text(scope.resolve(f)));
    // Several fields: their values joined, only where every one is present (as the engine reads them).
    columns.push(`_v = ${fields.length === 1 ? fields[0] : `iff(${fields.map((f) => `isnotempty(${f})`).join(' and ')}, strcat_delim("\\u0001", ${fields.join(', ')}), "")`}`);
  } else if (c.valueFields.length) columns.push(`_v = ${number(scope.resolve(c.valueFields[0]!))}`);
  if (flags) columns.push(...c.inputs.map((_, i) => `_r${i}${b.inputs.length > 1 && b.inputs.includes(i) ? '' : ` = ${b.inputs.includes(i)}`}`));
  const lines = [kqlIdent(b.table), ...extraction(scope)];
  if (b.inputs.length === 1) {
    if (conds[0] !== 'true') lines.push(`| where ${conds[0]}`);
  } else {
    lines.push(`| extend ${b.inputs.map((i, j) => `_r${i} = (${conds[j]})`).join(', ')}`);
    lines.push(`| where ${b.inputs.map((i) => `_r${i}`).join(' or ')}`);
  }
  lines.push(`| project ${columns.join(', ')}`);
  return lines;
}

/** What the user should know about a correlation query: fixed buckets, estimates, and the base rules' own notes. */
export function kqlCorrelationNotes(input: CorrelationConvertInput): string[] {
  const c = input.correlation;
  const span = kqlTimespan(c.timespanMs);
  const notes = [
    `the query counts fixed ${span} buckets (bin() of the event time) where Quarry's engine slides a ${span} window ending at each event: events of one burst that straddle a bucket boundary are not counted together, so an alert can be missed, and upper bounds (lt, lte, eq, neq) are tested on whole buckets`,
  ];
  if (c.type === 'value_count') notes.push('dcountif() estimates the number of distinct values (Kusto documents it as an estimate); the engine counts them exactly');
  if (c.type === 'value_percentile' || c.type === 'value_median') notes.push(`percentile() is Kusto's estimate (it may interpolate); the engine takes the nearest rank (the smallest value with at least ${c.percentile ?? 50}% of the values at or below it)`);
  if (c.type === 'temporal_ordered') notes.push('the order is read from event times: events of the two rules at the same instant count as in order, and one event matching both rules counts as both');
  input.inputs.forEach((x) => {
    for (const n of kqlNotes({ ...x, pipelines: input.pipelines })) notes.push(`base rule '${x.ir.rule.title}': ${n}`);
  });
  return notes;
}
