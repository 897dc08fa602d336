// What a correlation measures over the entries of one group's window, and whether its condition
// holds. Entries are the base matches (or child correlation alerts) of the group inside the window,
// in event-time order. Pure functions: the correlator keeps the windows.
import type { CorrelationCondition } from '../../sigma/model.js';
import { evalCondExpr } from '../../sigma/name-expression.js';
import type { ResolvedCorrelation } from '../../sigma/correlation-plan.js';

export interface WindowEntry {
  /** Event time, ms since the epoch. */
  t: number;
  /** Order of arrival, for equal times. */
  seq: number;
  /** The event (one event matching two inputs of a correlation gives two entries with one id). */
  eventId: number;
  /** Which of the correlation's inputs matched. */
  input: number;
  /** The value field(s), as text (value_count) or number (value_sum/avg/percentile/median); absent when missing. */
  value?: string | number;
}

export function conditionHolds(conditions: readonly CorrelationCondition[], x: number): boolean {
  return conditions.every((c) => {
    switch (c.op) {
      case 'gt':
        return x > c.value;
      case 'gte':
        return x >= c.value;
      case 'lt':
        return x < c.value;
      case 'lte':
        return x <= c.value;
      case 'eq':
        return x === c.value;
      case 'neq':
        return x !== c.value;
    }
  });
}

/** One value per event: an event that matched two inputs counts once. */
function perEvent(entries: readonly WindowEntry[]): WindowEntry[] {
  const seen = new Set<number>();
  return entries.filter((e) => (seen.has(e.eventId) ? false : (seen.add(e.eventId), true)));
}

function numbers(entries: readonly WindowEntry[]): number[] {
  return perEvent(entries).flatMap((e) => (typeof e.value === 'number' && Number.isFinite(e.value) ? [e.value] : []));
}

/** The nearest-rank percentile (the smallest value with at least p% of the values at or below it). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** How many inputs occur in order (input 0, then 1, …) in the window: the longest such prefix. */
export function orderedPrefix(entries: readonly WindowEntry[], inputs: number): number {
  let next = 0;
  let lastEvent = -1;
  for (const e of entries) {
    // Each position needs its own event, later than the one before (an event matching two inputs fills one).
    if (e.input === next && e.eventId !== lastEvent) {
      next++;
      lastEvent = e.eventId;
      if (next === inputs) break;
    }
  }
  return next;
}

/**
 * The measured value of the window, and whether the condition holds on it. For temporal types the
 * value is the number of inputs that occurred (in order, for temporal_ordered); an expression
 * condition is evaluated on which inputs occurred.
 */
export function evaluateWindow(c: ResolvedCorrelation, entries: readonly WindowEntry[]): { value: number; holds: boolean } {
  switch (c.type) {
    case 'event_count': {
      const value = perEvent(entries).length;
      return { value, holds: conditionHolds(c.conditions, value) };
    }
    case 'value_count': {
      const value = new Set(entries.flatMap((e) => (e.value === undefined ? [] : [String(e.value)]))).size;
      return { value, holds: conditionHolds(c.conditions, value) };
    }
    case 'temporal':
    case 'temporal_ordered': {
      const occurred = new Set(entries.map((e) => e.input));
      const value = c.type === 'temporal' ? occurred.size : orderedPrefix(entries, c.inputs.length);
      if (c.expression) {
        const names = c.inputs.map((i) => i.ref);
        const holds = evalCondExpr(c.expression, (name) => {
          const i = names.indexOf(name);
          return c.type === 'temporal' ? occurred.has(i) : i >= 0 && i < value;
        });
        return { value, holds };
      }
      // Without a condition every input must occur (the specification's default).
      const holds = c.conditions.length ? conditionHolds(c.conditions, value) : value === c.inputs.length;
      return { value, holds };
    }
    case 'value_sum': {
      const xs = numbers(entries);
      const value = xs.reduce((a, b) => a + b, 0);
      return { value, holds: xs.length > 0 && conditionHolds(c.conditions, value) };
    }
    case 'value_avg': {
      const xs = numbers(entries);
      const value = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
      return { value, holds: xs.length > 0 && conditionHolds(c.conditions, value) };
    }
    case 'value_percentile':
    case 'value_median': {
      const xs = numbers(entries).sort((a, b) => a - b);
      const value = percentile(xs, c.percentile ?? 50);
      return { value, holds: xs.length > 0 && conditionHolds(c.conditions, value) };
    }
  }
}
