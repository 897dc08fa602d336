// A correlation rule as one SPL search. The base rules' search terms (OR-ed) fetch their events;
// with several rules each event is flagged per rule by `eval` from the rule's full condition (its
// `| where` part included), so one event matching two rules stays one event. Then the group-by
// values (from each rule's own field, aliases resolved) and the value field, events sorted by time
// (`sort 0 _time`), and `streamstats time_window=<timespan> … by <group>`: at each event, the measure
// over the group's events in the timespan ending at it, the engine's sliding window. `where` keeps
// the windows that meet the condition and `stats` gives, per group, the end of the first such window
// (`first_window_end`, epoch seconds: the engine's first alert), the largest value and the number of
// windows.
//
// Refused with a reason: a temporal condition written as an expression, temporal_ordered of three
// rules or more, data model (`| tstats`) searches, a timespan that is not whole seconds; chains are
// refused by convert.ts.
import { and } from '../../ir/lower.js';
import type { RuleIR } from '../../ir/types.js';
import { conditionText, timespanText } from '../common/correlation.js';
import { ConversionError, type CorrelationConvertInput } from '../common/types.js';
import { evalField, searchField } from './literals.js';
import { searchParts } from './render-query.js';
import { STATE_DATAMODEL } from './render-tstats.js';
import { whereExpr } from './render-where.js';

const UNITS = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
] as const;
const OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=', neq: '!=' } as const;
/** Output fields besides the group-by names. */
const OUTPUT = ['first_window_end', 'max_value', 'windows'];

const fail = (code: string, why: string): never => {
  throw new ConversionError(code, why);
};

/** The streamstats aggregations (with the evals after them) that measure a window, by type. */
function measure(input: CorrelationConvertInput, window: string, by: string): string[] {
  const c = input.correlation;
  const stream = (aggs: string, options = '') => `| streamstats ${window}${options} ${aggs}${by}`;
  switch (c.type) {
    case 'event_count':
      return [stream('count AS corr_value')];
    case 'value_count':
      return [stream('dc(corr_v) AS corr_value')];
    case 'value_sum':
      return [stream('sum(corr_v) AS corr_value')];
    case 'value_avg':
      return [stream('avg(corr_v) AS corr_value')];
    case 'value_percentile':
      return [stream(`perc${c.percentile ?? 50}(corr_v) AS corr_value`)];
    case 'value_median':
      return [stream('median(corr_v) AS corr_value')];
    case 'temporal':
      // How many of the rules occurred in the window.
      return [stream(c.inputs.map((_, i) => `max(corr_r${i}) AS corr_n${i}`).join(' ')), `| eval corr_value=${c.inputs.map((_, i) => `corr_n${i}`).join(' + ')}`];
    case 'temporal_ordered':
      // Two rules in order: at an event of the second rule, an earlier event of the first in the
      // window (current=f leaves the event itself out, so one event cannot be both); else 1 when
      // the first occurred (the longest prefix of the order, as the engine counts it).
      return [
        '| eval corr_t0=if(corr_r0=1, _time, null())',
        stream('max(corr_t0) AS corr_last0', ' current=f'),
        stream('max(corr_r0) AS corr_n0'),
        '| eval corr_value=if(corr_r1=1 AND isnotnull(corr_last0), 2, corr_n0)',
      ];
  }
}

export function renderSplCorrelation(input: CorrelationConvertInput): string {
  const c = input.correlation;
  if (c.expression) fail('correlation-condition', 'a temporal condition written as an expression (`a and not b`) is not converted to SPL yet');
  if (c.type === 'temporal_ordered' && c.inputs.length > 2) fail('correlation-unsupported', 'temporal_ordered over more than two rules is not converted to SPL yet (the order of three events in a window)');
  for (const name of c.groupBy) if (OUTPUT.includes(name)) fail('correlation-unsupported', `the group-by name '${name}' is also an output field of the search (${OUTPUT.join(', ')})`);
  const seconds = c.timespanMs % 1000 === 0 ? timespanText(c.timespanMs / 1000, UNITS) : null;
  if (!seconds) fail('correlation-unsupported', `the timespan of ${c.timespanMs} ms is not whole seconds, which streamstats time_window needs`);

  const irs: RuleIR[] = input.inputs.map((x) => x.ir);
  const parts = input.inputs.map((x, i) => {
    if (typeof x.state[STATE_DATAMODEL] === 'string') fail('correlation-unsupported', `base rule '${irs[i]!.rule.title}' is a data model search (| tstats), whose rows are not events that streamstats can order in time`);
    try {
      return searchParts({ ...x, pipelines: input.pipelines });
    } catch (e) {
      if (e instanceof ConversionError) throw new ConversionError(e.code, `base rule '${irs[i]!.rule.title}': ${e.message}`);
      throw e;
    }
  });
  const lines: string[] = [];
  const flags = c.type === 'temporal' || c.type === 'temporal_ordered';
  if (parts.length === 1) {
    const { terms, rest } = parts[0]!;
    lines.push(terms.length ? terms.join(' ') : '*');
    if (rest.length) lines.push(`| where ${whereExpr(and(rest))}`);
    if (flags) lines.push('| eval corr_r0=1');
  } else {
    // The search fetches what any rule's search terms allow (a superset, every event when some
    // rule has none); the flags then test each rule's whole condition.
    lines.push(parts.every((p) => p.terms.length) ? parts.map((p) => `(${p.terms.join(' ')})`).join(' OR ') : '*');
    const full = irs.map((ir) => whereExpr(and([...(ir.guard ? [ir.guard] : []), ir.detection])));
    // case() is 0, not null, where a condition reads a missing field.
    lines.push(`| eval ${full.map((w, i) => `corr_r${i}=case(${w}, 1, true(), 0)`).join(', ')}`);
    lines.push(`| where ${full.map((_, i) => `corr_r${i}=1`).join(' OR ')}`);
  }

  // A value from the field of the first rule the event matched (aliases name one field per rule).
  const pick = (read: (i: number) => string) => {
    const exprs = c.inputs.map((_, i) => read(i));
    if (exprs.every((e) => e === exprs[0])) return exprs[0]!;
    return `case(${exprs.map((e, i) => `corr_r${i}=1, ${e}`).join(', ')})`;
  };
  const evals = c.groupBy.map((_, k) => `corr_g${k}=${pick((i) => evalField(c.groupFields[i]![k]!))}`);
  if (c.type === 'value_count') {
    const fields = c.valueFields.map(evalField);
    // Several fields: their values joined, only where every one is present (as the engine reads them).
    evals.push(`corr_v=${fields.length === 1 ? fields[0] : `if(${fields.map((f) => `isnotnull(${f})`).join(' AND ')}, ${fields.join(' . "|" . ')}, null())`}`);
  } else if (c.valueFields.length) evals.push(`corr_v=tonumber(${evalField(c.valueFields[0]!)})`);
  if (evals.length) lines.push(`| eval ${evals.join(', ')}`);
  const g = c.groupBy.map((_, k) => `corr_g${k}`);
  // An event joins a group only with every group-by value present and not empty, as in the engine.
  if (g.length) lines.push(`| where ${g.map((x) => `isnotnull(${x}) AND ${x}!=""`).join(' AND ')}`);
  const by = g.length ? ` by ${g.join(' ')}` : '';
  lines.push('| sort 0 _time', ...measure(input, `time_window=${seconds}`, by));
  lines.push(`| where ${conditionText(c, 'corr_value', OPS, 'AND')}`);
  lines.push(`| stats min(_time) AS first_window_end max(corr_value) AS max_value count AS windows${by}`);
  if (g.length) lines.push(`| rename ${c.groupBy.map((name, k) => `corr_g${k} AS ${searchField(name)}`).join(', ')}`);
  return lines.join('\n');
}

/** What the user should know about a correlation search. */
export function splCorrelationNotes(input: CorrelationConvertInput): string[] {
  const c = input.correlation;
  const notes = ["Splunk caps the events streamstats holds in a window (max_stream_window in limits.conf, 10,000 by default): a group with more events within one timespan can be measured on fewer events than the engine's"];
  if (c.type === 'value_percentile' || c.type === 'value_median')
    notes.push(`Splunk's ${c.type === 'value_median' ? 'median()' : `perc${c.percentile ?? 50}()`} may approximate or interpolate; the engine takes the nearest rank (the smallest value with at least ${c.percentile ?? 50}% of the values at or below it)`);
  if (c.type === 'temporal_ordered') notes.push('events of the two rules with the same _time are in the order sort 0 _time leaves them, which need not be the order the engine read them in');
  return notes;
}
