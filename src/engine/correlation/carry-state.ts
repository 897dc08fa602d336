// Correlation state carried across a change of rules (`quarry serve` reloading on SIGHUP, or
// starting from a state file written under other rules). A correlation whose definition did not
// change keeps its groups and its held matches; the state of a changed or removed one is dropped,
// since windows measured under one condition or group-by mean nothing under another.
//
// A snapshot refers to correlations by their position in the plan, and positions move when rules
// are added or removed, so each snapshot also records a fingerprint per position.
import { ruleKey, type CorrelationPlan, type ResolvedCorrelation } from '../../sigma/correlation-plan.js';
import type { CorrelatorSnapshot } from './correlator.js';

/** What makes two correlations the same for their state: identity and every part of the definition. */
export function correlationFingerprint(c: ResolvedCorrelation): string {
  return JSON.stringify({
    key: ruleKey(c.doc),
    type: c.type,
    timespanMs: c.timespanMs,
    groupBy: c.groupBy,
    groupFields: c.groupFields,
    inputs: c.inputs.map((i) => `${i.kind}:${ruleKey(i.kind === 'rule' ? i.rule : i.correlation)}`),
    conditions: c.conditions,
    valueFields: c.valueFields,
    percentile: c.percentile ?? null,
    expression: c.expression ?? null,
    generate: c.generate,
  });
}

export function planFingerprints(plan: CorrelationPlan): string[] {
  return plan.correlations.map(correlationFingerprint);
}

export interface CarriedState {
  snapshot: CorrelatorSnapshot;
  /** Titles of the correlations whose state was kept, and of those whose state was dropped. */
  kept: string[];
  dropped: number;
}

/**
 * The snapshot taken under `from` (fingerprints by position) rewritten for `to`: groups and held
 * matches of unchanged correlations move to their new positions; the rest is dropped (counted).
 */
export function carryState(snapshot: CorrelatorSnapshot, from: readonly string[], to: CorrelationPlan): CarriedState {
  const target = new Map(planFingerprints(to).map((f, i) => [f, i]));
  const moved = from.map((f) => target.get(f));
  const kept = new Set<number>();
  let dropped = 0;
  const groups: CorrelatorSnapshot['groups'] = [];
  for (const [ci, key, g] of snapshot.groups) {
    const ni = moved[ci];
    if (ni === undefined) {
      dropped++;
      continue;
    }
    kept.add(ni);
    groups.push([ni, key, g]);
  }
  const buffer = snapshot.buffer
    .map((p) => ({ ...p, feeds: p.feeds.flatMap((f) => (moved[f.correlation] === undefined ? [] : [{ ...f, correlation: moved[f.correlation]! }])) }))
    .filter((p) => p.feeds.length > 0);
  for (const p of buffer) for (const f of p.feeds) kept.add(f.correlation);
  return {
    snapshot: { ...snapshot, buffer, groups, stats: { ...snapshot.stats, groups: groups.length } },
    kept: [...kept].sort((a, b) => a - b).map((i) => to.correlations[i]!.doc.title),
    dropped,
  };
}
