// `--fix` on copies of real SigmaHQ rules: only the fixed values change (every other byte, comment
// and blank line stays), the rules still load as before, and nothing fixable is left. Also the
// SARIF output against the required properties of the SARIF 2.1.0 schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { lintPaths } from '../../src/lint/lint-files.js';
import { DEFAULT_CONFIG } from '../../src/lint/config.js';
import { allCheckDescriptions } from '../../src/lint/catalogue.js';
import { toSarif } from '../../src/lint/sarif.js';
import { parseSigmaText } from '../../src/sigma/collection.js';
import { DATA } from '../helpers.js';

const RULES = join(DATA, 'sigmahq', 'rules');
/** Real rules with a fixable finding (contains-wildcard), and one without any, which must stay byte for byte. */
const FIXABLE = [
  'linux/process_creation/proc_creation_lnx_susp_sensitive_file_access.yml',
  'windows/powershell/powershell_script/posh_ps_powershell_web_access_installation.yml',
  'windows/process_creation/proc_creation_win_icacls_deny.yml',
  'windows/process_creation/proc_creation_win_net_use_password_plaintext.yml',
  'windows/process_creation/proc_creation_win_reg_credential_access_via_password_filter.yml',
];
const UNTOUCHED = 'windows/process_creation/proc_creation_win_bitsadmin_download.yml';

function copies(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-lint-fix-'));
  for (const f of [...FIXABLE, UNTOUCHED]) copyFileSync(join(RULES, f), join(dir, basename(f)));
  return dir;
}

test('--fix on real SigmaHQ rules changes only the fixed values and keeps comments and layout', () => {
  const dir = copies();
  try {
    const config = { ...DEFAULT_CONFIG, base: dir };
    const before = lintPaths([dir], config);
    const fixable = before.findings.filter((f) => f.fix);
    assert.equal(new Set(fixable.map((f) => f.file)).size, FIXABLE.length);
    const originals = new Map([...FIXABLE, UNTOUCHED].map((f) => [basename(f), readFileSync(join(RULES, f), 'utf8')]));

    const run = lintPaths([dir], config, { fix: true });
    assert.equal(run.fixed?.files, FIXABLE.length);
    assert.equal(run.fixed?.edits, fixable.length);
    assert.deepEqual(run.findings.filter((f) => f.fix), [], 'nothing fixable is left');

    for (const [name, original] of originals) {
      const now = readFileSync(join(dir, name), 'utf8');
      const was = original.split('\n');
      const is = now.split('\n');
      assert.equal(is.length, was.length, `${name}: same number of lines`);
      const changed = is.map((l, i) => i).filter((i) => is[i] !== was[i]);
      const fixedLines = new Set(fixable.filter((f) => basename(f.file) === name).map((f) => f.range.start.line - 1));
      assert.deepEqual(changed, [...fixedLines].sort((a, b) => a - b), `${name}: only the fixed lines differ`);
      for (const i of changed) {
        // The line keeps its indentation, key, quotes and any comment: exactly one '*' went away.
        const old = was[i]!;
        const oneStarLess = [...old].some((c, j) => c === '*' && old.slice(0, j) + old.slice(j + 1) === is[i]);
        assert.ok(oneStarLess, `${name}:${i + 1}: '${old}' became '${is[i]}'`);
      }
      const reparsed = parseSigmaText(now, name).documents[0]!;
      assert.equal(reparsed.diagnostics.filter((d) => d.severity === 'error').length, 0);
      assert.equal(reparsed.document?.title, parseSigmaText(original, name).documents[0]!.document?.title);
    }
    assert.equal(readFileSync(join(dir, basename(UNTOUCHED)), 'utf8'), originals.get(basename(UNTOUCHED)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The properties the SARIF 2.1.0 schema marks required, object by object. */
function checkSarif(log: any): void {
  assert.equal(log.version, '2.1.0');
  assert.ok(Array.isArray(log.runs) && log.runs.length === 1);
  const run = log.runs[0];
  assert.equal(typeof run.tool.driver.name, 'string'); // run → tool → driver (toolComponent) → name
  const rules = run.tool.driver.rules;
  for (const r of rules) assert.equal(typeof r.id, 'string'); // reportingDescriptor → id
  for (const res of run.results) {
    assert.equal(typeof res.message.text, 'string'); // result → message → text
    assert.ok(['none', 'note', 'warning', 'error'].includes(res.level));
    assert.equal(rules[res.ruleIndex].id, res.ruleId);
    const region = res.locations[0].physicalLocation.region;
    for (const k of ['startLine', 'startColumn', 'endLine', 'endColumn']) assert.ok(Number.isInteger(region[k]) && region[k] >= 1, k);
    assert.equal(typeof res.locations[0].physicalLocation.artifactLocation.uri, 'string');
    for (const fix of res.fixes ?? []) {
      assert.ok(fix.artifactChanges.length >= 1); // fix → artifactChanges
      for (const change of fix.artifactChanges) {
        assert.equal(typeof change.artifactLocation.uri, 'string'); // artifactChange → artifactLocation, replacements
        assert.ok(change.replacements.length >= 1);
        for (const r of change.replacements) assert.ok(Number.isInteger(r.deletedRegion.startLine)); // replacement → deletedRegion
      }
    }
  }
}

test('SARIF output has every property the 2.1.0 schema requires, with fixes as replacements', () => {
  const dir = copies();
  try {
    const run = lintPaths([dir], { ...DEFAULT_CONFIG, base: dir });
    const log = JSON.parse(JSON.stringify(toSarif(run.findings, allCheckDescriptions(), 'test'))) as any;
    checkSarif(log);
    const withFix = log.runs[0].results.filter((r: any) => r.fixes);
    assert.equal(withFix.length, run.findings.filter((f) => f.fix).length);
    assert.ok(withFix.length > 0);
    assert.equal(log.runs[0].results.find((r: any) => r.ruleId === 'contains-wildcard').level, 'warning');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--fix fixes again what a fix reveals: a value without its redundant * that now repeats its neighbour goes too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-lint-fix-'));
  try {
    const file = join(dir, 'proc_creation_win_bits.yml');
    const rule = (values: string) =>
      `title: Bitsadmin Transfer\nid: 3f6b2c1e-8d4a-4e5b-9c7f-1a2b3c4d5e6f\nstatus: test\ndescription: Bitsadmin transferring a file\nauthor: tests\ndate: 2024-03-01\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    selection:\n        CommandLine|contains:\n${values}    condition: selection\nfalsepositives:\n    - Unknown\nlevel: medium\n`;
    writeFileSync(file, rule("            - '/transfer*'   # the switch\n            - '/Transfer'\n            - '/addfile'\n"));
    const run = lintPaths([dir], { ...DEFAULT_CONFIG, base: dir }, { fix: true });
    assert.deepEqual(run.fixed && { edits: run.fixed.edits, files: run.fixed.files, skipped: run.fixed.skipped }, { edits: 2, files: 1, skipped: 0 });
    assert.equal(readFileSync(file, 'utf8'), rule("            - '/transfer'   # the switch\n            - '/addfile'\n"));
    assert.deepEqual(run.findings, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
