// A correlation rule as one SQL query over the flat event table: the base rules' conditions mark
// their rows, each group is measured over the `timespan` that ends at each row (the engine's sliding
// window: rows from `t - timespan` to `t`, both included, same-instant rows too), and the query
// returns each group whose measure meets the condition, with the end of the first window that met
// it, the value there and the number of windows. The engine reports the first window of a burst and
// then stays quiet for a timespan; the query's `first_window_end` is that first alert.
//
// How a window is measured is the dialect's (dialects/types.ts CorrelationDialect): a window
// function over a `RANGE` frame (DuckDB, PostgreSQL), or, where there are no window functions
// (ClickHouse 18.16), each distinct end joined with its group's rows and filtered to the timespan.
// The rest is one text for every dialect.
//
// Supported: event_count, value_count (where the dialect has distinct counts there), value_sum,
// value_avg, temporal and temporal_ordered of two rules, with lower-bound conditions (gt, gte). Refused
// with a reason: upper bounds
// (the engine tests them on windows that end at each event, which a frame that includes events of
// the same instant cannot reproduce), temporal_ordered of three rules or more, percentiles and
// medians, chains.
import { and } from '../../ir/lower.js';
import type { CorrelationConvertInput } from '../common/types.js';
import { ConversionError } from '../common/types.js';
import type { SqlDialect } from './dialects/types.js';
import { renderExpr } from './render-expr.js';
import { SQL_DEFAULT_TABLE, STATE_TABLE } from './render-query.js';

/** Pipeline state naming the column that holds each event's time (default `timestamp`). */
export const STATE_TIME_FIELD = 'correlation_time_field';
const DEFAULT_TIME_FIELD = 'timestamp';

/** What a measure is written with, as a window stage gives it. */
interface Window {
  /** An aggregate over the window's rows. */
  agg(fn: 'count' | 'sum' | 'avg' | 'max', arg: string): string;
  /** The value column, and input i's flag column, of the window's rows. */
  v: string;
  r(i: number): string;
  /** True when the window holds a row of the first input other than the current row. */
  otherFirst: string;
}

export function renderSqlCorrelation(input: CorrelationConvertInput, dialect: SqlDialect): string {
  const c = input.correlation;
  const fail = (code: string, why: string): never => {
    throw new ConversionError(code, why);
  };
  // The query's own columns (_t, _g0, _r0 …), quoted as the dialect quotes names.
  const n = (name: string) => dialect.ident(name);
  const cd = dialect.correlation ?? fail('correlation-unsupported', `${dialect.product} correlation queries are not written yet`);
  const upper = c.conditions.find((x) => !['gt', 'gte'].includes(x.op));
  if (upper) fail('correlation-condition', `the condition '${upper.op}' is an upper bound: the engine tests it on windows that end at each event, which a SQL window frame (it includes events of the same instant) cannot reproduce exactly`);
  if (c.expression) fail('correlation-condition', 'a temporal condition written as an expression is not converted to SQL yet');
  // The measure of one window.
  const measure: (w: Window) => string = {
    event_count: () => (w: Window) => w.agg('count', '*'),
    value_count: () => (cd.distinct ? (w: Window) => w.agg('count', `DISTINCT ${w.v}`) : fail('correlation-unsupported', `${dialect.product} has no count(DISTINCT …) over a window frame`)),
    value_sum: () => (w: Window) => w.agg('sum', w.v),
    value_avg: () => (w: Window) => w.agg('avg', w.v),
    // How many inputs occurred in the window.
    temporal: () => (w: Window) => c.inputs.map((_, i) => w.agg('max', `CASE WHEN ${w.r(i)} THEN 1 ELSE 0 END`)).join(' + '),
    // Two rules: 2 at a row of the second rule with a row of the first in its window other than
    // itself (same-instant rows count as in order: SQL does not see the order in which events
    // arrived), else how many of the first occurred.
    temporal_ordered: () =>
      c.inputs.length === 2
        ? (w: Window) => `CASE WHEN ${n('_r1')} AND ${w.otherFirst} THEN 2 ELSE ${w.agg('max', `CASE WHEN ${w.r(0)} THEN 1 ELSE 0 END`)} END`
        : fail('correlation-unsupported', 'temporal_ordered over more than two rules is not converted to SQL yet (order within a window frame)'),
    value_percentile: () => fail('correlation-unsupported', 'percentiles over a window frame are not converted to SQL yet'),
    value_median: () => fail('correlation-unsupported', 'medians over a window frame are not converted to SQL yet'),
  }[c.type]();

  const state = input.inputs[0]!.state;
  const tableName = typeof state[STATE_TABLE] === 'string' && state[STATE_TABLE] ? String(state[STATE_TABLE]) : SQL_DEFAULT_TABLE;
  const table = tableName === SQL_DEFAULT_TABLE ? tableName : dialect.ident(tableName);
  const timeField = typeof state[STATE_TIME_FIELD] === 'string' && state[STATE_TIME_FIELD] ? String(state[STATE_TIME_FIELD]) : DEFAULT_TIME_FIELD;
  const conds = input.inputs.map(({ ir }) => `COALESCE(${renderExpr({ dialect, table }, and([...(ir.guard ? [ir.guard] : []), ir.detection]), 'top')}, ${dialect.false})`);
  const col = (name: string) => dialect.ident(name);
  // A group value comes from the field of the first input the row matched (aliases name one per input).
  const pick = (fields: (i: number) => string) => (c.inputs.length === 1 ? col(fields(0)) : `CASE ${c.inputs.map((_, i) => `WHEN ${n(`_r${i}`)} THEN ${col(fields(i))}`).join(' ')} END`);
  const groups = c.groupBy.map((_, k) => pick((i) => c.groupFields[i]![k]!));
  const value =
    c.type === 'value_count'
      ? c.valueFields.length === 1
        ? col(c.valueFields[0]!)
        : `CASE WHEN ${c.valueFields.map((f) => `${col(f)} IS NOT NULL`).join(' AND ')} THEN ${c.valueFields.map((f) => `${col(f)}`).join(` || ${dialect.string('\u0001')} || `)} END`
      : c.valueFields.length
        ? dialect.number(col(c.valueFields[0]!))
        : 'NULL';
  const g = c.groupBy.map((_, k) => `${n(`_g${k}`)}`);
  const flags = c.inputs.map((_, i) => `${n(`_r${i}`)}`);
  const parts: Parts = {
    n,
    g,
    flags,
    // The rows of the base rules, each marked with the rules it matched; then time, group and value.
    flagged: `SELECT *, ${conds.map((e, i) => `${e} AS ${n(`_r${i}`)}`).join(', ')} FROM ${table} WHERE ${conds.length === 1 ? conds[0] : conds.map((x) => `(${x})`).join(' OR ')}`,
    base: [`${cd.time(col(timeField))} AS ${n('_t')}`, ...groups.map((e, k) => `${e} AS ${n(`_g${k}`)}`), `${value} AS ${n('_v')}`, ...flags].join(', '),
    // A row joins a group only with every group-by value present and not empty, as in the engine.
    grouped: [`${n('_t')} IS NOT NULL`, ...g.map((x) => `${x} IS NOT NULL AND ${x} <> ''`)].join(' AND '),
    measure,
    timespanMs: c.timespanMs,
    condition: c.conditions.length ? c.conditions.map((x) => `${n('_value')} ${x.op === 'gt' ? '>' : '>='} ${x.value}`).join(' AND ') : `${n('_value')} >= ${c.inputs.length}`,
    names: c.groupBy.map((name, k) => `${n(`_g${k}`)} AS ${col(name)}`),
  };
  return (cd.windows === 'frame' ? frameQuery : joinQuery)(parts);
}

/** What both window stages share, already rendered. */
interface Parts {
  /** Quotes a name of the query's own columns. */
  n: (name: string) => string;
  /** Group and flag columns of `base`. */
  g: string[];
  flags: string[];
  flagged: string;
  base: string;
  grouped: string;
  measure: (w: Window) => string;
  timespanMs: number;
  condition: string;
  names: string[];
}

const result = (p: Parts) => [...p.names, `min(${p.n('_t')}) AS first_window_end`, `max(${p.n('_value')}) AS max_value`];
const groupBy = (p: Parts) => (p.g.length ? ` GROUP BY ${p.g.join(', ')}` : '');

/** One window function per row over the frame of the timespan that ends at it, in common table expressions. */
function frameQuery(p: Parts): string {
  const n = p.n;
  const partition = p.g.length ? `PARTITION BY ${p.g.join(', ')} ` : '';
  const frame = `OVER (${partition}ORDER BY ${n('_t')} RANGE BETWEEN INTERVAL '${p.timespanMs} milliseconds' PRECEDING AND CURRENT ROW)`;
  const measured = p.measure({
    agg: (fn, arg) => `${fn}(${arg}) ${frame}`,
    v: n('_v'),
    r: (i) => `${n(`_r${i}`)}`,
    otherFirst: `max(CASE WHEN ${n('_r0')} THEN ${n('_t')} END) ${frame.replace(/\)$/, ' EXCLUDE CURRENT ROW)')} IS NOT NULL`,
  });
  return [
    `WITH flagged AS (${p.flagged}),`,
    `base AS (SELECT ${p.base} FROM flagged),`,
    `windows AS (SELECT ${[...p.g, n('_t'), `${measured} AS ${n('_value')}`].join(', ')} FROM base WHERE ${p.grouped})`,
    `SELECT ${[...result(p), 'count(*) AS windows'].join(', ')} FROM windows WHERE ${p.condition}${groupBy(p)}`,
  ].join('\n');
}

/**
 * Without window functions: each distinct window end (group, time and the row's flags, with how
 * many rows share them) joined with the rows of its group, those from `t - timespan` to `t` kept,
 * then measured per end; times are epoch milliseconds. Nested subqueries, for dialects without WITH
 * queries. To keep the join small, time is cut in spans of the timespan: an end in span b meets
 * only rows of spans b - 1 and b (each row is listed under its own span and the next one), which
 * holds every row of its window.
 */
function joinQuery(p: Parts): string {
  const n = p.n;
  const rows = `(SELECT ${p.base} FROM (${p.flagged})) WHERE ${p.grouped}`;
  const span = (t: string) => `floor(${t} / ${p.timespanMs})`;
  const keys = [...(p.g.length ? p.g : []), n('_b')];
  const ends = `SELECT ${[...p.g, n('_t'), ...p.flags, `count(*) AS ${n('_n')}`, `${span(n('_t'))} AS ${n('_b')}`].join(', ')} FROM ${rows} GROUP BY ${[...p.g, n('_t'), ...p.flags].join(', ')}`;
  const members = (next: string) => `SELECT ${[...p.g, `${n('_t')} AS ${n('_u')}`, n('_v'), ...p.flags.map((f, i) => `${f} AS ${n(`_s${i}`)}`), `${span(n('_t'))}${next} AS ${n('_b')}`].join(', ')} FROM ${rows}`;
  const measured = p.measure({
    agg: (fn, arg) => `${fn}(${arg})`,
    v: n('_v'),
    r: (i) => `${n(`_s${i}`)}`,
    // The window counts the current row once among its rows of the first input.
    otherFirst: `sum(CASE WHEN ${n('_s0')} THEN 1 ELSE 0 END) - ${n('_r0')} > 0`,
  });
  return [
    `SELECT ${[...result(p), `sum(${n('_n')}) AS windows`].join(', ')} FROM (`,
    `SELECT ${[...p.g, n('_t'), n('_n'), `${measured} AS ${n('_value')}`].join(', ')} FROM (`,
    `${ends}`,
    `) INNER JOIN (`,
    `${members('')}`,
    `UNION ALL`,
    `${members(' + 1')}`,
    `) USING (${keys.join(', ')}) WHERE ${n('_u')} BETWEEN ${n('_t')} - ${p.timespanMs} AND ${n('_t')} GROUP BY ${[...p.g, n('_t'), n('_n'), ...p.flags].join(', ')}`,
    `) WHERE ${p.condition}${groupBy(p)}`,
  ].join('\n');
}
