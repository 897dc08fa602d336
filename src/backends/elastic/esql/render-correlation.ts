// A correlation rule as one ES|QL query: the base rules' conditions select the events (WHERE, which
// Elasticsearch pushes down to the index), EVAL marks each event with the rules it matched and
// names the alias columns, STATS measures each group in fixed buckets of the timespan
// (`BUCKET(@timestamp, <timespan>)`), and WHERE keeps the buckets whose measure meets the condition.
//
// The engine slides its window (the timespan ending at each event); fixed buckets do not: events
// of one burst that straddle a bucket boundary are measured apart, so a bucket can miss what a
// sliding window sees, and an upper bound can hold on a bucket while some window breaks it. Every
// query carries a note saying so (correlationNotes).
//
// Measures: event_count COUNT(*); value_count COUNT_DISTINCT (several fields: one length-prefixed
// CONCAT, so that two field lists cannot read alike); value_sum/avg/percentile/median SUM, AVG,
// PERCENTILE, MEDIAN of TO_DOUBLE; temporal: per rule whether it occurred, summed; temporal_ordered
// of two rules: the first rule's earliest time no later than the second rule's latest in the bucket.
import { and } from '../../../ir/lower.js';
import type { CorrelationCondition } from '../../../sigma/model.js';
import { ConversionError, type CorrelationConvertInput } from '../../common/types.js';
import { esType } from '../ecs-types.js';
import { indexPatterns } from '../state.js';
import { esqlDuration } from '../timespan.js';
import { renderExpr } from './render.js';
import { esqlField, esqlIndex, esqlString } from './syntax.js';

/** The event time ES|QL buckets on: ECS `@timestamp`, the field Elasticsearch's data streams require. */
const TIME = '@timestamp';
const VALUE = 'correlation_value';
const flag = (i: number) => `rule_${i}`;

const OPS: Readonly<Record<CorrelationCondition['op'], string>> = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '==', neq: '!=' };

export function renderEsqlCorrelation(input: CorrelationConvertInput): string {
  const c = input.correlation;
  const fail = (why: string, code = 'correlation-unsupported'): never => {
    throw new ConversionError(code, why);
  };
  if (c.expression) fail('a temporal condition written as an expression is not converted to ES|QL yet', 'correlation-condition');
  const conds = input.inputs.map(({ ir }) => renderExpr(and([...(ir.guard ? [ir.guard] : []), ir.detection])));
  // Rule flags: to tell the rules apart (several rules, or a temporal measure that names them).
  const many = c.inputs.length > 1 || c.type === 'temporal';
  const evals: string[] = many ? conds.map((e, i) => `${flag(i)} = COALESCE(${e}, FALSE)`) : [];

  // Group columns: a field every input shares is grouped on as it is; an alias is one EVAL column
  // taking, per event, the field of the first rule the event matched.
  const groups = c.groupBy.map((name, k) => {
    const fields = c.groupFields.map((fs) => fs[k]!);
    // The group's column is named as the correlation names it (the field a pipeline gave it may differ).
    if (fields.every((f) => f === fields[0])) return { col: esqlField(fields[0]!), by: name === fields[0] ? esqlField(name) : `${esqlField(name)} = ${esqlField(fields[0]!)}`, keyword: esType(fields[0]!) === 'keyword', alias: false };
    const text = (f: string) => (fields.every((x) => esType(x) === esType(fields[0]!)) ? esqlField(f) : `TO_STRING(${esqlField(f)})`);
    evals.push(`${esqlField(name)} = CASE(${fields.map((f, i) => `${flag(i)}, ${text(f)}`).join(', ')})`);
    return { col: esqlField(name), by: esqlField(name), keyword: text(fields[0]!).startsWith('TO_STRING') || esType(fields[0]!) === 'keyword', alias: true };
  });
  // The engine keeps an event out of every group when a group-by value is missing or empty.
  const present = groups.map((g) => `${g.col} IS NOT NULL${g.keyword ? ` AND ${g.col} != ""` : ''}`);

  const num = () => `TO_DOUBLE(${esqlField(c.valueFields[0]!)})`;
  let stats: string[];
  let after: string[] = [];
  switch (c.type) {
    case 'event_count':
      stats = [`${VALUE} = COUNT(*)`];
      break;
    case 'value_count': {
      if (c.valueFields.length === 1) {
        stats = [`${VALUE} = COUNT_DISTINCT(${esqlField(c.valueFields[0]!)})`];
        break;
      }
      // Each value but the last prefixed with its length: ("ab", "c") and ("a", "bc") stay apart;
      // CONCAT is null when a field is, as the engine skips such an event.
      const text = (f: string) => (esType(f) === 'keyword' ? esqlField(f) : `TO_STRING(${esqlField(f)})`);
      const pieces = c.valueFields.flatMap((f, i) => (i === c.valueFields.length - 1 ? [text(f)] : [`TO_STRING(LENGTH(${text(f)}))`, esqlString(':'), text(f)]));
      evals.push(`correlation_values = CONCAT(${pieces.join(', ')})`);
      stats = [`${VALUE} = COUNT_DISTINCT(correlation_values)`];
      break;
    }
    case 'value_sum':
      stats = [`${VALUE} = SUM(${num()})`];
      break;
    case 'value_avg':
      stats = [`${VALUE} = AVG(${num()})`];
      break;
    case 'value_percentile':
      stats = [`${VALUE} = PERCENTILE(${num()}, ${c.percentile ?? 50})`];
      break;
    case 'value_median':
      stats = [`${VALUE} = MEDIAN(${num()})`];
      break;
    case 'temporal':
      stats = c.inputs.map((_, i) => `seen_${i} = MAX(CASE(${flag(i)}, 1, 0))`);
      after = [`EVAL ${VALUE} = ${c.inputs.map((_, i) => `seen_${i}`).join(' + ')}`];
      break;
    case 'temporal_ordered':
      if (c.inputs.length !== 2) fail('temporal_ordered over more than two rules is not converted to ES|QL (STATS sees no order beyond the first and last time of each rule)');
      // In order when the first rule's earliest event is no later than the second rule's latest
      // (same-instant events count as in order, as in the SQL targets).
      stats = [`first_0 = MIN(CASE(${flag(0)}, ${TIME})), last_1 = MAX(CASE(${flag(1)}, ${TIME}))`];
      after = [`EVAL ${VALUE} = CASE(first_0 IS NOT NULL AND last_1 IS NOT NULL AND first_0 <= last_1, 2, first_0 IS NOT NULL, 1, 0)`];
      break;
  }
  const condition = c.conditions.length ? c.conditions.map((x) => `${VALUE} ${OPS[x.op]} ${x.value}`).join(' AND ') : `${VALUE} >= ${c.inputs.length}`;
  const index = [...new Set(input.inputs.flatMap(({ state }) => indexPatterns(state)))].map(esqlIndex).join(', ');
  const selected = conds.length === 1 ? conds[0]! : conds.map((x) => `(${x})`).join(' OR ');
  // Group fields read as they are are tested in the first WHERE (pushed down to the index); alias columns after EVAL.
  const aliased = groups.some((g) => g.alias);
  return [
    `FROM ${index}`,
    // An event without a time falls in no window (BUCKET of null would make a group of its own).
    `| WHERE ${[`(${selected})`, `${TIME} IS NOT NULL`, ...(aliased ? [] : present)].join(' AND ')}`,
    ...(evals.length ? [`| EVAL ${evals.join(', ')}`] : []),
    ...(aliased && present.length ? [`| WHERE ${present.join(' AND ')}`] : []),
    `| STATS ${stats.join(', ')} BY window_start = BUCKET(${TIME}, ${esqlDuration(c.timespanMs)})${groups.map((g) => `, ${g.by}`).join('')}`,
    ...after.map((a) => `| ${a}`),
    `| WHERE ${condition}`,
  ].join('\n');
}

/** Every ES|QL correlation query counts in fixed buckets: said once per query. */
export function esqlCorrelationNotes(input: CorrelationConvertInput): string[] {
  const span = esqlDuration(input.correlation.timespanMs);
  const notes = [
    `ES|QL measures each group in fixed buckets of ${span} (BUCKET(@timestamp, ${span})), where Sigma's correlation (and quarry hunt) slides a window of ${span} ending at each event: a burst that straddles a bucket boundary can be missed${input.correlation.conditions.some((x) => ['lt', 'lte', 'eq', 'neq'].includes(x.op)) ? ', and an upper bound can hold on a bucket while a sliding window breaks it' : ''}.`,
  ];
  if (input.correlation.type === 'value_count') notes.push('COUNT_DISTINCT is approximate (HyperLogLog++) above 3000 distinct values per bucket.');
  if (['value_sum', 'value_avg', 'value_percentile', 'value_median'].includes(input.correlation.type)) notes.push(`TO_DOUBLE reads ${input.correlation.valueFields[0]} as a number (Java's reading, which differs from Sigma's on forms such as \`Infinity\` or \`1d\`); a value it cannot read is left out with a warning.`);
  return notes;
}
