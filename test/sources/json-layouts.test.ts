// Randomised round trips: any layout, any chunking, the same records come back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readJsonEvents } from '../../src/sources/json-reader.js';
import type { EventValue } from '../../src/sources/types.js';
import { chunked, readAll } from './helpers.js';

function prng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const NASTY = ['{', '}', '[', ']', '"', '\\', '\n', '\t', ',', ':', 'é', '😀', '\u2028', ' ', 'a', '{"x":1}'];

function randomValue(r: () => number, depth: number): EventValue {
  const k = Math.floor(r() * (depth > 3 ? 5 : 8));
  switch (k) {
    case 0: return Array.from({ length: 1 + Math.floor(r() * 4) }, () => NASTY[Math.floor(r() * NASTY.length)]).join('');
    case 1: return Math.floor(r() * 1e6) - 5e5;
    case 2: return r() < 0.5 ? 18446744073709551615n - BigInt(Math.floor(r() * 1000)) : r() * 100;
    case 3: return r() < 0.5 ? null : r() < 0.5;
    case 4: return '';
    case 5:
    case 6: return randomObject(r, depth + 1);
    default: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  }
}

function randomObject(r: () => number, depth: number): { [k: string]: EventValue } {
  const o: { [k: string]: EventValue } = {};
  const n = Math.floor(r() * 5);
  for (let i = 0; i < n; i++) o[`k${i}${NASTY[Math.floor(r() * NASTY.length)]}`] = randomValue(r, depth);
  return o;
}

function stringify(v: EventValue, indent?: number): string {
  const marked = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `@@big:${x}@@` : x), indent);
  return marked.replace(/"@@big:(-?\d+)@@"/g, '$1');
}

test('random records survive every layout and chunking', async () => {
  const r = prng(42);
  for (let round = 0; round < 40; round++) {
    const records = Array.from({ length: 1 + Math.floor(r() * 20) }, () => randomObject(r, 0));
    const layout = round % 4;
    const text =
      layout === 0 ? records.map((x) => stringify(x)).join('\n') + '\n'
      : layout === 1 ? records.map((x) => stringify(x, 2)).join('\n')
      : layout === 2 ? stringify(records, r() < 0.5 ? 2 : undefined)
      : records.map((x) => stringify(x)).join(r() < 0.5 ? '' : ' \r\n ');
    const size = 1 + Math.floor(r() * 200);
    const { records: got, problems } = await readAll(readJsonEvents('mem', chunked(text, size), { normalize: false }));
    assert.deepEqual(problems, [], `round ${round}, layout ${layout}, chunk ${size}`);
    assert.deepEqual(got.map((x) => x.event), records, `round ${round}, layout ${layout}, chunk ${size}`);
  }
});

test('random garbage between NDJSON records costs only the garbage lines', async () => {
  const r = prng(7);
  for (let round = 0; round < 30; round++) {
    const lines: string[] = [];
    const expected: EventValue[] = [];
    const badLines: number[] = [];
    for (let i = 0; i < 30; i++) {
      if (r() < 0.25) {
        const good = stringify(randomObject(r, 0));
        // a cut-off record or text that is not JSON
        lines.push(r() < 0.5 ? good.slice(0, Math.max(1, Math.floor(good.length / 2))) + (good.length > 2 ? '' : 'x') : `garbage ${i} }{`);
        badLines.push(i + 1);
      } else {
        const o = randomObject(r, 0);
        expected.push(o);
        lines.push(stringify(o));
      }
    }
    const text = lines.join('\n');
    const { records, problems } = await readAll(readJsonEvents('mem', chunked(text, 1 + Math.floor(r() * 100)), { normalize: false }));
    assert.deepEqual(records.map((x) => x.event), expected, `round ${round}\n${text}`);
    // every problem points at a bad line; a cut record may swallow the garbage line after it
    // (`{x` then `garbage }{` is one unbalanced text), so there can be fewer problems than bad lines
    assert.ok(problems.length > 0 === badLines.length > 0);
    for (const p of problems) assert.ok(badLines.includes(p.location.line!), `round ${round}: line ${p.location.line}\n${text}`);
    assert.ok(problems.length >= badLines.filter((l) => !badLines.includes(l - 1)).length, `round ${round}`);
  }
});
