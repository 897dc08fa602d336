import { test } from 'node:test';
import assert from 'node:assert/strict';
import { thousands } from '../../src/sigma/thousands.js';

test('thousands writes integers as toLocaleString(en-US) does', () => {
  for (const n of [0, 7, 12, 999, 1000, 1234, 99_999, 100_000, 1_048_576, 123_456_789, -5, -1000, -98_765_432, Number.MAX_SAFE_INTEGER, 1.5, 1e21, NaN]) {
    assert.equal(thousands(n), n.toLocaleString('en-US'), String(n));
  }
});
