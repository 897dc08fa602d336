// Substitution values as XML text: the common types take a shortcut in valueText (no BigInt for a
// 64-bit value below 2^53, no general type switch); every shortcut must write what the general path
// writes, at the edges of each type and for values too short for their type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guid, valueText } from '../../src/sources/evtx/values.js';
import { rng } from '../seeded-random.js';

test('unsigned 64-bit values in decimal, exact on both sides of 2^53 and up to 2^64 - 1', () => {
  const buf = Buffer.alloc(8);
  const rand = rng(0x64);
  const cases = [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
  for (let i = 0; i < 20_000; i++) cases.push((BigInt(Math.floor(rand() * 2 ** 32)) << BigInt(Math.floor(rand() * 33))) + BigInt(Math.floor(rand() * 2 ** 32)));
  for (const v of cases) {
    buf.writeBigUInt64LE(v & (2n ** 64n - 1n));
    assert.equal(valueText(buf, 0, 8, 0x0a), (v & (2n ** 64n - 1n)).toString());
  }
});

test('8, 16 and 32-bit unsigned values, UTF-16 strings, and values too short for their type', () => {
  const buf = Buffer.from([0xff, 0xfe, 0xfd, 0xfc, 0x01, 0x02, 0x03, 0x04]);
  assert.equal(valueText(buf, 0, 1, 0x04), '255');
  assert.equal(valueText(buf, 0, 2, 0x06), String(0xfeff));
  assert.equal(valueText(buf, 0, 4, 0x08), String(0xfcfdfeff));
  assert.equal(valueText(buf, 0, 8, 0x0a), String(0x04030201fcfdfeffn));
  // too short: written as hex, as the general path does for every type
  assert.equal(valueText(buf, 0, 0, 0x04), '');
  assert.equal(valueText(buf, 0, 1, 0x06), 'FF');
  assert.equal(valueText(buf, 0, 3, 0x08), 'FFFEFD');
  assert.equal(valueText(buf, 0, 7, 0x0a), 'FFFEFDFC010203');
  const s = Buffer.from('C:\\Windows\u00e9\0\0', 'utf16le');
  assert.equal(valueText(s, 0, s.length, 0x01), 'C:\\Windows\u00e9');
});

test('GUIDs: little-endian first three groups, upper case, braces in XML; 10,000 random ones against the hex string cut into groups', () => {
  const rand = rng(0x6d1d);
  const buf = Buffer.alloc(16);
  for (let n = 0; n < 10_000; n++) {
    for (let i = 0; i < 16; i++) buf[i] = n === 0 ? 0xff : n === 1 ? 0 : Math.floor(rand() * 256);
    const x = buf.toString('hex').toUpperCase();
    const expected = x.slice(6, 8) + x.slice(4, 6) + x.slice(2, 4) + x.slice(0, 2) + '-' + x.slice(10, 12) + x.slice(8, 10) + '-' +
      x.slice(14, 16) + x.slice(12, 14) + '-' + x.slice(16, 20) + '-' + x.slice(20, 32);
    assert.equal(guid(buf, 0), expected);
    assert.equal(valueText(buf, 0, 16, 0x0f), `{${expected}}`);
  }
  // a known one: the Security-Auditing provider as Windows writes it
  const known = Buffer.from('2596845478549449a5ba3e3b0328c30d', 'hex');
  assert.equal(guid(known, 0), '54849625-5478-4994-A5BA-3E3B0328C30D');
});
