// A bounded disjunctive normal form of a detection: the ways a rule can be met, each a list of
// literals (a field test that must hold, or must fail). Negations are pushed down to the tests, and
// every literal remembers which `not` nodes it came through, so that a variant can trip one filter.
//
// Bounded, not exhaustive: `Image|endswith: [50 values]` AND `CommandLine|contains: [30 values]`
// has 1,500 conjunctions. An AND of alternatives is covered by pairing the k-th alternative of each
// side (every alternative of every side appears in some conjunction, up to the cap), an OR by taking
// its branches round-robin (every branch appears before any gets a second conjunction).
import type { Expr, FieldTest } from '../../src/ir/types.js';

export interface Literal {
  test: FieldTest;
  /** The test must hold (true) or must fail (false). */
  holds: boolean;
  /** Ids of the `not` nodes the literal lies under (see NotNode). */
  under: readonly number[];
}

export type Conjunction = readonly Literal[];

/** A `not` of the detection, met at `polarity` (true: the `not` must hold for the rule to match along that path). */
export interface NotNode {
  id: number;
  arg: Expr;
  polarity: boolean;
}

export interface Dnf {
  conjunctions: Conjunction[];
  nots: NotNode[];
  /** True when the cap cut alternatives off somewhere. */
  truncated: boolean;
}

export function boundedDnf(e: Expr, cap: number): Dnf {
  const nots: NotNode[] = [];
  const state = { truncated: false };
  const conjunctions = walk(e, true, [], cap, nots, state);
  return { conjunctions, nots, truncated: state.truncated };
}

/** The conjunctions of `e` at a polarity, with literals tagged as being under `under` (for trip variants). */
export function dnfAt(e: Expr, polarity: boolean, under: readonly number[], cap: number): Conjunction[] {
  return walk(e, polarity, under, cap, [], { truncated: false });
}

function walk(e: Expr, polarity: boolean, under: readonly number[], cap: number, nots: NotNode[], state: { truncated: boolean }): Conjunction[] {
  switch (e.kind) {
    case 'const':
      return e.value === polarity ? [[]] : [];
    case 'test':
      return [[{ test: e, holds: polarity, under }]];
    case 'not': {
      const id = nots.length;
      nots.push({ id, arg: e.arg, polarity });
      return walk(e.arg, !polarity, [...under, id], cap, nots, state);
    }
    case 'and':
    case 'or': {
      const parts = e.args.map((a) => walk(a, polarity, under, cap, nots, state));
      // De Morgan: an AND that must fail is an OR of failing parts, and the reverse.
      const conjunctive = (e.kind === 'and') === polarity;
      return conjunctive ? pairUp(parts, cap, state) : roundRobin(parts, cap, state);
    }
  }
}

function pairUp(parts: Conjunction[][], cap: number, state: { truncated: boolean }): Conjunction[] {
  if (parts.some((p) => p.length === 0)) return [];
  const widest = Math.max(...parts.map((p) => p.length));
  if (widest > cap) state.truncated = true;
  const out: Conjunction[] = [];
  for (let k = 0; k < Math.min(widest, cap); k++) out.push(parts.flatMap((p) => p[k % p.length]!));
  return out;
}

function roundRobin(parts: Conjunction[][], cap: number, state: { truncated: boolean }): Conjunction[] {
  const total = parts.reduce((n, p) => n + p.length, 0);
  if (total > cap) state.truncated = true;
  const out: Conjunction[] = [];
  for (let k = 0; out.length < Math.min(total, cap); k++) for (const p of parts) if (k < p.length && out.length < cap) out.push(p[k]!);
  return out;
}
