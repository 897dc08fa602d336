// What the correlation renderers of the query languages share: the condition a correlation's
// measure must meet (the specification's default for the temporal types made explicit) and a
// timespan written in the largest unit that says it exactly.
import type { CorrelationCondition } from '../../sigma/model.js';
import type { ResolvedCorrelation } from '../../sigma/correlation-plan.js';

/** The conditions on the measured value; a temporal correlation without any needs every rule. */
export function measureConditions(c: ResolvedCorrelation): CorrelationCondition[] {
  if (c.conditions.length) return c.conditions;
  return [{ op: 'gte', value: c.inputs.length }];
}

/** The comparison operators of a language, by condition. */
export type ComparisonOps = Readonly<Record<CorrelationCondition['op'], string>>;

/** `value >= 3 and value <= 10`: every condition on one measure, joined by the language's `and`. */
export function conditionText(c: ResolvedCorrelation, measure: string, ops: ComparisonOps, and: string): string {
  return measureConditions(c)
    .map((x) => `${measure} ${ops[x.op]} ${x.value}`)
    .join(` ${and} `);
}

/**
 * A timespan as `<n><unit>` with the largest of the units (name, milliseconds) that divides it,
 * or null when none does (`units` must end with the smallest unit the language has).
 */
export function timespanText(ms: number, units: ReadonlyArray<readonly [string, number]>): string | null {
  for (const [unit, size] of units) if (ms % size === 0) return `${ms / size}${unit}`;
  return null;
}
