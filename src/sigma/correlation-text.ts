// A correlation's condition and timespan as text: the condition as written (`gte 3`, the temporal
// expression), which hunt output carries, and the forms people read on the explorer's rule page
// (`≥ 3`, `> 2 and ≤ 10`, "5 minutes"). One home, so the output and the page say the same thing.
import type { CorrelationCondition, SigmaCorrelation } from './model.js';

/** The condition as written: `gte 3`, `gt 2 and lte 10`, the temporal expression, or `all of a, b` when none is given. */
export function correlationConditionText(c: SigmaCorrelation): string {
  const spec = c.correlation;
  if (spec.expressionText !== undefined) return spec.expressionText;
  if (spec.conditions.length) return spec.conditions.map((x) => `${x.op} ${x.value}`).join(' and ');
  return `all of ${spec.rules.join(', ')}`;
}

const SYMBOLS: Record<CorrelationCondition['op'], string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=', neq: '≠' };

/** The comparisons with symbols: `≥ 3`, `> 2 and ≤ 10`; null when the condition is an expression or absent. */
export function conditionSymbols(conditions: readonly CorrelationCondition[]): string | null {
  return conditions.length ? conditions.map((x) => `${SYMBOLS[x.op]} ${x.value}`).join(' and ') : null;
}

const UNIT_WORDS: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', M: 'month', y: 'year' };

/** A timespan as written (`5m`, `1h`, `2d`) in words: "5 minutes", "1 hour"; the text itself when it is not of that form. */
export function timespanWords(text: string): string {
  const m = /^(\d+)([smhdwMy])$/.exec(text);
  if (!m) return text;
  const n = Number(m[1]);
  return `${n} ${UNIT_WORDS[m[2]!]}${n === 1 ? '' : 's'}`;
}
