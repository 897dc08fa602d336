// Which correlation partition a base match goes to. A partition holds whole groups: every match of
// one (correlation, group) lands in the same partition, so one owner sees all of a window.
//
// Chains (a correlation that reads another's alerts) are the exception: the alert is made in the
// partition of the correlation it belongs to and read there by the next one, whose groups may be
// keyed differently. So the correlations of one chain form a unit that is not split by group: all
// of its matches go to one partition (chosen by the unit). Chains are rare; plain correlations,
// the bulk, spread by group.
import type { CorrelationPlan } from '../../sigma/correlation-plan.js';
import { planFingerprints } from '../../engine/correlation/carry-state.js';

export interface PartitionMap {
  partitions: number;
  /** Per correlation (plan position): its fingerprint, what records name it by across processes. */
  fingerprints: string[];
  /** Correlation (plan position) → partition of a group key. */
  partitionOf(correlation: number, groupKey: string): number;
}

export function partitionMap(plan: CorrelationPlan, partitions: number): PartitionMap {
  const fingerprints = planFingerprints(plan);
  const unit = chainUnits(plan);
  const members = new Map<number, number>();
  for (const u of unit) members.set(u, (members.get(u) ?? 0) + 1);
  // A unit is named by its smallest fingerprint: the same in every process that loads the same rules.
  const unitName = new Map<number, string>();
  unit.forEach((u, i) => {
    const f = fingerprints[i]!;
    const cur = unitName.get(u);
    if (cur === undefined || f < cur) unitName.set(u, f);
  });
  return {
    partitions,
    fingerprints,
    partitionOf(correlation, groupKey) {
      const u = unit[correlation]!;
      const chained = members.get(u)! > 1;
      return fnv1a(chained ? unitName.get(u)! : `${fingerprints[correlation]}\u0000${groupKey}`) % partitions;
    },
  };
}

/** Per correlation, the id of its chain unit (correlations linked by reading one another). */
function chainUnits(plan: CorrelationPlan): number[] {
  const parent = plan.correlations.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const byDoc = new Map(plan.correlations.map((c) => [c.doc, c.index]));
  for (const c of plan.correlations)
    for (const input of c.inputs) {
      if (input.kind !== 'correlation') continue;
      const other = byDoc.get(input.correlation);
      if (other !== undefined) parent[find(other)] = find(c.index);
    }
  return plan.correlations.map((c) => find(c.index));
}

/** 32-bit FNV-1a over the UTF-16 code units: stable across processes and versions of Node. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
