// A correlation rule as one SQL query over the flat event table: the base rules' conditions mark
// their rows, a window function measures each group over the `timespan` that ends at each row
// (`RANGE BETWEEN INTERVAL … PRECEDING AND CURRENT ROW`, the engine's sliding window), and the
// query returns each group whose measure meets the condition, with the end of the first window
// that met it, the value there and the number of windows. The engine reports the first window of a
// burst and then stays quiet for a timespan; the query's `first_window_end` is that first alert.
//
// Supported: event_count, value_count (where the dialect has distinct window counts), value_sum,
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

export function renderSqlCorrelation(input: CorrelationConvertInput, dialect: SqlDialect): string {
  const c = input.correlation;
  const fail = (code: string, why: string): never => {
    throw new ConversionError(code, why);
  };
  if (!dialect.time) fail('correlation-unsupported', `${dialect.product} correlation queries are not written yet`);
  const upper = c.conditions.find((x) => !['gt', 'gte'].includes(x.op));
  if (upper) fail('correlation-condition', `the condition '${upper.op}' is an upper bound: the engine tests it on windows that end at each event, which a SQL window frame (it includes events of the same instant) cannot reproduce exactly`);
  if (c.expression) fail('correlation-condition', 'a temporal condition written as an expression is not converted to SQL yet');
  const measure = {
    event_count: () => 'count(*)',
    value_count: () => (dialect.windowDistinct ? 'count(DISTINCT "_v")' : fail('correlation-unsupported', `${dialect.product} has no count(DISTINCT …) over a window frame`)),
    value_sum: () => 'sum("_v")',
    value_avg: () => 'avg("_v")',
    temporal: () => '', // one windowed max per input, below
    temporal_ordered: () => (c.inputs.length === 2 ? '' : fail('correlation-unsupported', 'temporal_ordered over more than two rules is not converted to SQL yet (order within a window frame)')),
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
  const pick = (fields: (i: number) => string) => (c.inputs.length === 1 ? col(fields(0)) : `CASE ${c.inputs.map((_, i) => `WHEN "_r${i}" THEN ${col(fields(i))}`).join(' ')} END`);
  const groups = c.groupBy.map((_, k) => pick((i) => c.groupFields[i]![k]!));
  const value =
    c.type === 'value_count'
      ? c.valueFields.length === 1
        ? col(c.valueFields[0]!)
        : `CASE WHEN ${c.valueFields.map((f) => `${col(f)} IS NOT NULL`).join(' AND ')} THEN ${c.valueFields.map((f) => `${col(f)}`).join(` || ${dialect.string('\u0001')} || `)} END`
      : c.valueFields.length
        ? dialect.number(col(c.valueFields[0]!))
        : 'NULL';
  const g = c.groupBy.map((_, k) => `"_g${k}"`);
  const flags = c.inputs.map((_, i) => `"_r${i}"`);
  // The rows of the base rules, each marked with the rules it matched; then time, group and value.
  const flagged = `SELECT *, ${conds.map((e, i) => `${e} AS "_r${i}"`).join(', ')} FROM ${table} WHERE ${conds.length === 1 ? conds[0] : conds.map((x) => `(${x})`).join(' OR ')}`;
  const base = [`${dialect.time!(col(timeField))} AS "_t"`, ...groups.map((e, k) => `${e} AS "_g${k}"`), `${value} AS "_v"`, ...flags].join(', ');
  // A row joins a group only with every group-by value present and not empty, as in the engine.
  const grouped = ['"_t" IS NOT NULL', ...g.map((x) => `${x} IS NOT NULL AND ${x} <> ''`)].join(' AND ');
  const partition = g.length ? `PARTITION BY ${g.join(', ')} ` : '';
  const frame = `OVER (${partition}ORDER BY "_t" RANGE BETWEEN INTERVAL '${c.timespanMs} milliseconds' PRECEDING AND CURRENT ROW)`;
  // temporal: how many inputs occurred in the frame. temporal_ordered (two rules): 2 at a row of the
  // second rule with a row of the first in its frame no later than it (same-instant rows count as in
  // order: SQL does not see the order in which events arrived), else how many of the first occurred.
  const measured =
    c.type === 'temporal'
      ? c.inputs.map((_, i) => `max(CASE WHEN "_r${i}" THEN 1 ELSE 0 END) ${frame}`).join(' + ')
      : c.type === 'temporal_ordered'
        ? `CASE WHEN "_r1" AND max(CASE WHEN "_r0" THEN "_t" END) ${frame.replace(/\)$/, ' EXCLUDE CURRENT ROW)')} IS NOT NULL THEN 2 ELSE max(CASE WHEN "_r0" THEN 1 ELSE 0 END) ${frame} END`
        : `${measure} ${frame}`;
  const condition = c.conditions.length ? c.conditions.map((x) => `"_value" ${x.op === 'gt' ? '>' : '>='} ${x.value}`).join(' AND ') : `"_value" >= ${c.inputs.length}`;
  const names = c.groupBy.map((name, k) => `"_g${k}" AS ${col(name)}`);
  return [
    `WITH flagged AS (${flagged}),`,
    `base AS (SELECT ${base} FROM flagged),`,
    `windows AS (SELECT ${[...g, '"_t"', `${measured} AS "_value"`].join(', ')} FROM base WHERE ${grouped})`,
    `SELECT ${[...names, 'min("_t") AS first_window_end', 'max("_value") AS max_value', 'count(*) AS windows'].join(', ')} FROM windows WHERE ${condition}${g.length ? ` GROUP BY ${g.join(', ')}` : ''}`,
  ].join('\n');
}
