// docs/diagnostics.md is generated from the catalogue; this test keeps the committed page current.
// QUARRY_UPDATE_DOCS=1 rewrites it instead of failing (then review the diff and commit it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnosticsMarkdown } from '../../src/sigma/diagnostic-docs.js';
import { REPO } from '../helpers.js';

test('docs/diagnostics.md is the catalogue of diagnostic codes, rendered', () => {
  const path = join(REPO, 'docs/diagnostics.md');
  const want = diagnosticsMarkdown();
  if (process.env.QUARRY_UPDATE_DOCS === '1') writeFileSync(path, want);
  let have = '';
  try {
    have = readFileSync(path, 'utf8');
  } catch {
    // missing: reported below like a stale page
  }
  assert.ok(have === want, 'docs/diagnostics.md is stale: run `QUARRY_UPDATE_DOCS=1 node --test dist/test/sigma/diagnostic-docs.test.js` and commit the result');
});
