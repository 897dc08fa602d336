// The whole SigmaHQ corpus: every valid rule loads; the parked ones are rejected for their reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { DATA } from '../helpers.js';

const SIGMAHQ = join(DATA, 'sigmahq');

test('every rule of rules*/ and deprecated/ loads, except the one using the old aggregation syntax', () => {
  const folders = readdirSync(SIGMAHQ).filter((f) => f.startsWith('rules') || f === 'deprecated').map((f) => join(SIGMAHQ, f));
  const col = loadSigmaPaths(folders);
  const rejected = col.rejected.map((r) => `${r.file.slice(SIGMAHQ.length + 1)} ${r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)}`);
  assert.deepEqual(rejected, ['deprecated/other/generic_brute_force.yml aggregation-syntax']);
  assert.ok(col.rules.length > 3900, `${col.rules.length} rules`);
});

test('unsupported/: the 58 files with pre-v2 aggregation or correlation syntax are rejected for it, the other 29 load', () => {
  const col = loadSigmaPaths([join(SIGMAHQ, 'unsupported')]);
  const files = new Set(col.rejected.map((r) => r.file));
  assert.equal(files.size, 58);
  for (const r of col.rejected) assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), ['aggregation-syntax'], r.file);
  const loadedFiles = new Set(col.rules.map((r) => r.file));
  assert.equal(loadedFiles.size, 29);
});
