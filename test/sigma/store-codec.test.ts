// The rule cache's payload format (src/sigma/store-codec.ts): every kind of value it keeps comes back
// exactly (key order, -0, lone surrogates, shared objects), what it cannot keep is refused when
// writing (so no store is written), and bytes it did not write whole are refused when reading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { createHash } from 'node:crypto';
import { decodeStore, encodeStore } from '../../src/sigma/store-codec.js';
import { COMPACT_PAYLOAD, readStore, writeStore, type StoreStats } from '../../src/sigma/store-file.js';
import { RuleCache } from '../../src/sigma/rule-cache.js';
import { loadSigmaPaths, parseSigmaText } from '../../src/sigma/load.js';
import { parseSigmaString } from '../../src/sigma/values.js';
import { DATA, ruleWith, tempFolders } from '../helpers.js';
import { assertSameGraph } from './same-graph.js';

const temp = tempFolders();
const roundTrip = (v: unknown) => {
  const back = decodeStore(encodeStore(v));
  assert.deepStrictEqual(back, v);
  assertSameGraph(v, back);
  return back;
};

test('numbers, strings and the other primitives come back exactly', () => {
  const numbers = [0, -0, 1, -1, 63, 64, -64, 127, 128, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Number.MIN_VALUE, 0.1, -2.5, 1e300, NaN, Infinity, -Infinity];
  const back = roundTrip(numbers) as number[];
  assert.ok(Object.is(back[1], -0), '-0 stays -0');
  const strings = ['', 'a', 'string', 'Ünïcödé', '\0\x7f\x80\xff', 'ƒ→∞', '日本語', '😀 pair', '\ud800 lone high', 'lone low \udc00', '\udc00\ud800', 'x'.repeat(100_000), 'é'.repeat(20), '€'.repeat(20)];
  roundTrip(strings);
  roundTrip([true, false, null, undefined, 0n, -1n, 2n ** 128n - 1n, -(2n ** 64n)]);
  for (const v of [0, 'x', null, undefined, true, 12n, NaN]) assert.ok(Object.is(decodeStore(encodeStore(v)), v));
});

test('objects keep their keys in order, undefined values, odd keys and a null prototype', () => {
  roundTrip({ b: 1, a: 2, c: undefined, d: { z: [], y: {} } });
  // Integer-like keys come first in any object (the engine orders them), and so after decoding too.
  roundTrip({ b: 1, 10: 'ten', 2: 'two', a: 'a', '-1': 'minus', '01': 'zero one' });
  roundTrip({ 'not an identifier': 1, 'x-y': 2, $ok: 3, _ok: 4, 'é': 5, constructor: 6, toString: 7, default: 8 });
  const withProto = JSON.parse('{"a": 1, "__proto__": {"polluted": true}, "b": 2}') as Record<string, unknown>;
  assert.ok(Object.hasOwn(withProto, '__proto__'));
  const back = roundTrip(withProto) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(back), Object.prototype, 'an own __proto__ key, not a prototype');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { x: 1, __proto__: 2 });
  assert.equal(Object.getPrototypeOf(roundTrip(bare)), null);
  // Many objects of one shape, built by a compiled literal: keys in order, undefined kept, one hidden class.
  const many = roundTrip(Array.from({ length: 40 }, (_, i) => ({ zeta: i, alpha: i % 2 ? undefined : `s${i}`, $x: [i], _y: null }))) as object[];
  assert.ok(many.every((o) => Object.hasOwn(o, 'alpha')));
  // Many objects of odd shapes: built key by key.
  roundTrip(Array.from({ length: 50 }, (_, i) => ({ type: 'string', parts: [`p${i}`, { wildcard: '*' }], encoding: 'text', 'odd key': i, 3: i })));
  roundTrip(Array.from({ length: 50 }, (_, i) => JSON.parse(`{"__proto__": ${i}, "a": ${i}}`)));
});

test('arrays and Maps, with any keys, in order', () => {
  roundTrip([[], [1], [1, 2], [1, 2, 3], [1, 2, 3, 4], Array.from({ length: 1000 }, (_, i) => [i, [i, [i]]])]);
  const key = { k: 1 };
  const m = new Map<unknown, unknown>([
    ['z', 1],
    ['a', 2],
    [key, 'object key'],
    [3, 'number key'],
    [-0, 'zero'],
    [NaN, 'nan'],
    [undefined, null],
    [[1, 2], new Map([['nested', new Map()]])],
  ]);
  roundTrip(m);
  roundTrip(new Map([['detections', new Map([['selection', { name: 'selection' }]])]]));
});

test('an object met twice is one object after decoding; a cycle is refused', () => {
  const pos = { line: 3, col: 5 };
  const parts = ['a', { wildcard: '*' }];
  const value = { a: pos, b: [pos, parts, parts], c: new Map([['p', pos]]), d: { pos }, parts };
  const back = roundTrip(value) as typeof value;
  assert.equal(back.a, back.b[0]);
  assert.equal(back.a, back.c.get('p'));
  assert.equal(back.b[1], back.parts);
  assert.notEqual(back.a, pos);
  // A shared Map and a shared array as Map keys.
  const shared = new Map([['x', 1]]);
  roundTrip([shared, new Map([[shared, shared]]), shared]);
  // Cycles: the objects are built after their contents, so a cycle cannot be rebuilt; it is refused.
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assert.throws(() => encodeStore(cyclic), /cycle/);
  const list: unknown[] = [1];
  list.push({ back: [list] });
  assert.throws(() => encodeStore(list), /cycle/);
  const m = new Map<unknown, unknown>();
  m.set('me', [m]);
  assert.throws(() => encodeStore({ m }), /cycle/);
});

test('what it cannot keep is refused, not changed', () => {
  class Rule {
    title = 'x';
  }
  const sparse = [1, , 3];
  const named = Object.assign([1, 2], { extra: true });
  const holeAndName = Object.assign([, 1], { x: 2 });
  const withSymbol = { a: 1, [Symbol('s')]: 2 };
  for (const bad of [new Rule(), new Date(0), /re/, new Set([1]), new Uint8Array(2), Symbol('s'), () => 1, sparse, named, holeAndName, withSymbol, Object.assign(new Map(), { x: 1 }), new (class extends Map {})(), new Error('e'), new String('s')]) {
    assert.throws(() => encodeStore({ inside: [bad] }), /cannot encode/, String(bad));
  }
  assert.throws(() => encodeStore(new Rule()), /cannot encode an instance of Rule/);
  assert.throws(() => encodeStore(Object.create({ inherited: 1 })), /cannot encode an object whose prototype is another object/);
});

test('bytes it did not write whole are refused: cut, foreign, altered', () => {
  const value = new Map<string, unknown>([
    ['file.yml', [{ type: 'string', parts: ['abc', { wildcard: '*' }], encoding: 'text' }, 2.5, -7, 'Ünï\ud800', 10n ** 30n, [1, 2, 3, 4, 5]]],
    ['other.yml', { pos: { line: 1, col: 2 } }],
  ]);
  const pos = { line: 1, col: 1 };
  const good = encodeStore({ build: 'b', entries: value, shared: [pos, pos] });
  decodeStore(good);
  for (let n = 0; n < good.length; n++) assert.throws(() => decodeStore(good.subarray(0, n)), /store codec/, `cut to ${n} bytes`);
  assert.throws(() => decodeStore(Buffer.concat([good, Buffer.from([0])])), /store codec/);
  assert.throws(() => decodeStore(serialize({ build: 'b', entries: value })), /store codec/);
  assert.throws(() => decodeStore(Buffer.from('QSC1')), /store codec/);
  assert.throws(() => decodeStore(Buffer.alloc(0)), /store codec/);
  // Any one byte changed: an error or some value, never a hang or a crash of another kind (the
  // store's SHA-256 is what tells an altered store; the codec only must not misbehave).
  for (let i = 0; i < good.length; i++) {
    for (const flip of [0x01, 0x10, 0x80, 0xff]) {
      const bytes = Buffer.from(good);
      bytes[i]! ^= flip;
      try {
        decodeStore(bytes);
      } catch (e) {
        assert.match((e as Error).message, /^store codec: not a whole payload/, `byte ${i}`);
      }
    }
  }
  // A run of random bytes after the header.
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 8) & 0xff;
  for (let t = 0; t < 500; t++) {
    const bytes = Buffer.concat([Buffer.from('QSC1'), Buffer.from(Array.from({ length: 1 + (t % 60) }, random))]);
    try {
      decodeStore(bytes);
    } catch (e) {
      assert.match((e as Error).message, /store codec/);
    }
  }
});

test('a value the codec refuses writes no store, and the one there stays', () => {
  const file = join(temp('quarry-codec-'), 'store.bin');
  const magic = Buffer.from('TEST-STORE-1\n');
  const stats: StoreStats = { state: 'absent', written: false };
  writeStore(file, magic, COMPACT_PAYLOAD, 'build', new Map([['k', { date: new Date(0) }]]), stats);
  assert.deepEqual([stats.written, existsSync(file)], [false, false]);
  assert.match(stats.writeError ?? '', /cannot encode an instance of Date/);
  writeStore(file, magic, COMPACT_PAYLOAD, 'build', new Map([['k', { ok: 1 }]]), stats);
  const before = readFileSync(file);
  const again: StoreStats = { state: 'absent', written: false };
  writeStore(file, magic, COMPACT_PAYLOAD, 'build', new Map([['k', [() => 1]]]), again);
  assert.deepEqual([again.written, readFileSync(file).equals(before)], [false, true]);
  const read: StoreStats = { state: 'absent', written: false };
  assert.deepEqual(readStore(file, magic, COMPACT_PAYLOAD, 'build', read), new Map([['k', { ok: 1 }]]));
  assert.equal(read.state, 'used');
});

test('a rule cache store of the previous format (v8 payload) is ignored as corrupt, then replaced', () => {
  const rules = join(DATA, 'sigmahq', 'rules', 'windows', 'builtin', 'security');
  const dir = temp('quarry-codec-cache-');
  const plain = loadSigmaPaths([rules]);
  const first = new RuleCache(dir, [rules]);
  loadSigmaPaths([rules], { cache: first });
  // What the previous build wrote: its format line and v8's serialization, checksummed.
  const payload = serialize({ build: 'whatever', entries: new Map() });
  writeFileSync(first.path, Buffer.concat([Buffer.from('QUARRY-RULE-CACHE-2\n'), createHash('sha256').update(payload).digest(), payload]));
  const c = new RuleCache(dir, [rules]);
  assert.equal(c.stats.state, 'corrupt');
  assert.deepEqual(loadSigmaPaths([rules], { cache: c }), plain);
  assert.equal(c.stats.written, true);
  assert.equal(new RuleCache(dir, [rules]).stats.state, 'used');
});

test('parsed rules: shared wildcard objects and positions, bigint networks of cidr values', () => {
  const s = parseSigmaString('a*b?c*');
  roundTrip([s, s, parseSigmaString('*'), parseSigmaString('*')]);
  const yaml = ['sel:', '    DestinationIp|cidr:', "        - '10.0.0.0/8'", "        - '2001:db8::/32'", "    Image|endswith: '.exe'", 'condition: sel'].join('\n');
  const parsed = parseSigmaText(ruleWith(yaml), 'cidr.yml');
  const { root: _root, ...doc } = parsed.documents[0]!;
  const hasBigint = (v: unknown): boolean =>
    typeof v === 'bigint' || (typeof v === 'object' && v !== null && (v instanceof Map ? [...v.values()] : Object.values(v)).some(hasBigint));
  assert.ok(hasBigint(doc), 'a cidr value holds a bigint');
  roundTrip({ ...parsed, documents: [doc] });
});
