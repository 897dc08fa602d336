// Reading items out of results in tests. With noUncheckedIndexedAccess, `xs[i]` may be undefined;
// these fail the test with a message that names the shortfall, not a TypeError lines later.
import assert from 'node:assert/strict';

type Tuple<T, N extends number, R extends T[] = []> = R['length'] extends N ? R : Tuple<T, N, [...R, T]>;

/** The first `n` items of `xs` as a tuple to destructure (`n` a literal); fails when there are fewer. */
export function firstItems<T, N extends number>(xs: readonly T[], n: N): Tuple<T, N> {
  assert.ok(xs.length >= n, `expected at least ${n} items, got ${xs.length}`);
  return xs.slice(0, n) as Tuple<T, N>;
}

/** `xs[i]`; fails when `xs` has no item `i`. */
export function itemAt<T>(xs: readonly T[], i: number): T {
  assert.ok(i >= 0 && i < xs.length, `expected an item ${i}, got ${xs.length} items`);
  return xs[i]!;
}
