// Notes on KQL conversions: a Kusto string is never null (a missing column value or EventData
// member reads as ""), so tests of null, exists, '' and neq on string columns read an empty field
// and a missing one alike, and the conversion says so. Checked: each kind of test on a string
// column and on a typed one, the usual null-or-empty filter (no note), the CLI (standard error,
// --format json, --quiet), and the SigmaHQ corpus (every note names a column its query tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DATA, REPO, parseRule, ruleWith } from '../helpers.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { convertCollection, convertRule } from '../../src/backends/common/convert.js';
import { TARGETS } from '../../src/backends/targets.js';
import { resolveConvertPipelines } from '../../src/backends/resolve-pipelines.js';

const WHY = 'KQL cannot tell an empty string from a missing field';

function notes(detection: string, pipeline = 'sentinel-windowsevent'): readonly string[] {
  const { rule, diagnostics } = parseRule(ruleWith(detection));
  assert.ok(rule, diagnostics.map((d) => d.message).join('; '));
  const r = convertRule(rule!, TARGETS.kql!.backend, resolveConvertPipelines('kql', [pipeline]));
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.ok ? r.notes : [];
}

test('each test that cannot tell empty from missing on a string column gets its note', () => {
  assert.deepEqual(notes(`selection:\n    CommandLine: null\ncondition: selection`), [`CommandLine: null is true where CommandLine is present but empty (Sigma: false): ${WHY}`]);
  assert.deepEqual(notes(`selection:\n    CommandLine|exists: false\ncondition: selection`), [`CommandLine|exists: false is true where CommandLine is present but empty (Sigma: false): ${WHY}`]);
  assert.deepEqual(notes(`selection:\n    CommandLine|exists: true\ncondition: selection`), [`CommandLine|exists: true is false where CommandLine is present but empty (Sigma: true): ${WHY}`]);
  assert.deepEqual(notes(`selection:\n    CommandLine: '*'\ncondition: selection`), [`CommandLine: '*' is false where CommandLine is present but empty (Sigma: true): ${WHY}`]);
  assert.deepEqual(notes(`selection:\n    CommandLine: ''\ncondition: not selection`), [`CommandLine: '' is true where CommandLine is missing (Sigma: false): ${WHY}`]);
  assert.deepEqual(notes(`selection:\n    CommandLine|neq: 'x'\ncondition: selection`), [`CommandLine|neq is false where CommandLine is present but empty (Sigma: true): ${WHY}`]);
});

test('no note where KQL reads the event as Sigma does', () => {
  assert.deepEqual(notes(`selection:\n    CommandLine|contains: 'x'\ncondition: not selection`), []);
  // SigmaHQ's usual filter: missing or empty, in both.
  assert.deepEqual(notes(`filter_null:\n    CommandLine: null\nfilter_empty:\n    CommandLine: ''\nselection:\n    Image|endswith: '\\x.exe'\ncondition: selection and not 1 of filter_*`), []);
  assert.deepEqual(notes(`selection:\n    CommandLine|neq: ''\ncondition: selection`), []);
  // A typed column has null: ProcessId in Defender's DeviceProcessEvents is a long.
  assert.deepEqual(notes(`selection:\n    ProcessId|exists: true\ncondition: selection`, 'defender-xdr'), []);
});

test('quarry convert: notes on standard error (also for one rule), in --format json, none with --quiet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-notes-'));
  const file = join(dir, 'rule.yml');
  writeFileSync(file, ruleWith(`selection:\n    CommandLine|exists: true\n    Image|endswith: '\\x.exe'\ncondition: selection`));
  const run = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), 'convert', '--target', 'kql', '--pipeline', 'sentinel-windowsevent', ...args, file], { encoding: 'utf8' });
  const text = run();
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /isnotempty\(CommandLine\)/);
  assert.equal(text.stderr, `${file}: note: CommandLine|exists: true is false where CommandLine is present but empty (Sigma: true): ${WHY}\n`);
  const json = JSON.parse(run('--format', 'json').stdout);
  assert.deepEqual(json.notes, [`CommandLine|exists: true is false where CommandLine is present but empty (Sigma: true): ${WHY}`]);
  assert.equal(run('--quiet').stderr, '');
});

test('SigmaHQ corpus: rules with notes per KQL pipeline; every note names a column its query tests for emptiness', () => {
  const base = join(DATA, 'sigmahq');
  const col = loadSigmaPaths(readdirSync(base).filter((f) => f.startsWith('rules')).map((f) => join(base, f)));
  const counts: Record<string, string> = {};
  const problems: string[] = [];
  for (const pipeline of TARGETS.kql!.listPipelines()) {
    const results = convertCollection(col, TARGETS.kql!.backend, resolveConvertPipelines('kql', [pipeline]));
    let converted = 0;
    let noted = 0;
    for (const { document: d, result: r } of results) {
      if (!r.ok) continue;
      converted++;
      if (r.notes.length) noted++;
      for (const n of r.notes) {
        const column = /^(\S+?)(?::|\|)/.exec(n)![1]!;
        const emptiness = [`isempty(${column})`, `isnotempty(${column})`, `${column} =~ ""`];
        if (!emptiness.some((e) => r.query.includes(e))) problems.push(`${d.file}: '${n}' but no emptiness test of ${column}`);
      }
    }
    counts[pipeline] = `${noted} of ${converted}`;
  }
  console.log(`KQL conversions with notes: ${JSON.stringify(counts)}`);
  assert.deepEqual(problems.slice(0, 5), []);
  assert.ok(Number(counts['sentinel-windowsevent']!.split(' ')[0]) > 50, counts['sentinel-windowsevent']);
});
