// The build step that embeds data: the committed copies are what it writes (a stale copy fails),
// and it writes every file it declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './helpers.js';

test('build/embed-data.mjs --check: every embedded copy is up to date', () => {
  const r = spawnSync(process.execPath, [join(REPO, 'build/embed-data.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
