// The linter over the whole SigmaHQ corpus (rules*/), with SigmaHQ's own field taxonomy: every file
// is read, no rule has an error, and the checks SigmaHQ's own CI enforces (file-name prefixes, fields
// of the log source) find nothing, as they must on rules that passed that CI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lintPaths, loadLintConfig } from '../../src/lint/lint-files.js';
import { DATA } from '../helpers.js';

const SIGMAHQ = join(DATA, 'sigmahq');

test('quarry lint over SigmaHQ rules*/: no errors, no unknown fields or wrong prefixes, counts per check', () => {
  const paths = readdirSync(SIGMAHQ).filter((d) => d.startsWith('rules')).map((d) => join(SIGMAHQ, d));
  const config = loadLintConfig(undefined, join(SIGMAHQ, 'tests/logsource.json'));
  const run = lintPaths(paths, config);
  assert.ok(run.files > 3000, `${run.files} files`);
  const counts = new Map<string, number>();
  for (const f of run.findings) counts.set(f.check, (counts.get(f.check) ?? 0) + 1);
  console.log(Object.fromEntries(counts));
  assert.deepEqual(run.findings.filter((f) => f.severity === 'error'), []);
  assert.equal(counts.get('unknown-field') ?? 0, 0);
  assert.equal(counts.get('sigmahq-filename-prefix') ?? 0, 0);
  // What the corpus does have: references that are prose, and '*' at the open end of contains.
  assert.ok((counts.get('sigmahq-reference-url') ?? 0) > 0);
  assert.ok((counts.get('contains-wildcard') ?? 0) > 0);
});
