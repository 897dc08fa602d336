// Whether two values are the same data in every way the store codec promises to keep: what
// assert.deepStrictEqual checks, and also what it does not: the order of keys and of Map entries,
// and which objects are one object (met twice in `a` exactly where the same object is met twice in `b`).
import assert from 'node:assert/strict';

/** Throws, naming the path, where `b` differs from `a`. */
export function assertSameGraph(a: unknown, b: unknown): void {
  const aToB = new Map<object, unknown>();
  const bToA = new Map<object, unknown>();
  const walk = (x: unknown, y: unknown, path: string): void => {
    if (typeof x !== 'object' || x === null) {
      assert.ok(Object.is(x, y), `${path}: ${String(y)} where ${String(x)} was`);
      return;
    }
    assert.ok(typeof y === 'object' && y !== null, `${path}: not an object`);
    if (aToB.has(x) || bToA.has(y)) {
      assert.ok(aToB.get(x) === y && bToA.get(y) === x, `${path}: objects shared differently`);
      return;
    }
    aToB.set(x, y);
    bToA.set(y, x);
    assert.equal(Object.getPrototypeOf(y), Object.getPrototypeOf(x), `${path}: another prototype`);
    if (x instanceof Map) {
      const ys = [...(y as Map<unknown, unknown>)];
      const xs = [...x];
      assert.equal(ys.length, xs.length, `${path}: ${ys.length} entries where ${xs.length} were`);
      xs.forEach(([k, v], i) => {
        walk(k, ys[i]![0], `${path}<key ${i}>`);
        walk(v, ys[i]![1], `${path}<${String(k)}>`);
      });
      return;
    }
    assert.deepEqual(Object.keys(y), Object.keys(x), `${path}: other keys or another key order`);
    for (const k of Object.keys(x)) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`);
  };
  walk(a, b, '$');
}
