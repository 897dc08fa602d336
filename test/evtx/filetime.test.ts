// FILETIME text: the date and time part is computed without Date (faster); it must be what Date's
// toISOString writes, over every FILETIME there is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filetime } from '../../src/sources/evtx/values.js';
import { rng } from '../seeded-random.js';

/** The seconds part as Date writes it, from the tick count taken exactly. */
function reference(lo: number, hi: number): string {
  const ticks = BigInt(hi) * 4294967296n + BigInt(lo);
  const d = new Date((Number(ticks / 10000000n) - 11644473600) * 1000);
  return d.toISOString().slice(0, -5);
}

test('FILETIME date and time equal Date.toISOString, edges and 200,000 random values', () => {
  const rand = rng(14);
  const buf = Buffer.alloc(8);
  const cases: Array<[number, number]> = [
    [0, 0], // 1601-01-01T00:00:00
    [0xffffffff, 0xffffffff], // year 60056
    [0xd53e7fff, 0x24c85a5e], // about 9999-12-31T23:59:59
    [0xd53e8000, 0x24c85a5e],
    [0, 0x01d6b000], // 2020
    [0x5e4f2000, 0x01b21dd2], // about 1970-01-01
  ];
  for (let i = 0; i < 200_000; i++) {
    const lo = Math.floor(rand() * 2 ** 32);
    // mostly years up to 9999, some up to the end of the range
    const hi = i % 4 ? Math.floor(rand() * 0x24c85a5f) : Math.floor(rand() * 2 ** 32);
    cases.push([lo, hi]);
  }
  let checked = 0;
  for (const [lo, hi] of cases) {
    buf.writeUInt32LE(lo, 0);
    buf.writeUInt32LE(hi, 4);
    const text = filetime(buf, 0, 7);
    assert.equal(text.slice(0, text.lastIndexOf('.')), reference(lo, hi), `FILETIME 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`);
    checked++;
  }
  assert.equal(checked, 200_006);
});
