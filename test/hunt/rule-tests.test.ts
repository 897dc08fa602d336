// `quarry test`: SigmaHQ's regression tests on a SigmaHQ layout built from the shared data (every
// case must pass), broken rules and data failing with readable reasons, Quarry's own test files
// (detections and correlations), and the command's exit status and output formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO } from '../helpers.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { runRuleTests } from '../../src/hunt/rule-tests/run.js';
import { summaryLine } from '../../src/hunt/rule-tests/types.js';
import { testRunText } from '../../src/report/test-results.js';
import { REGRESSION, SIGMAHQ, regressionCases, sigmahqLayout } from './sigmahq-layout.js';

const OPTS = { pipelines: [builtinPipeline('windows')!], regex: re2Regex };
const CASES = regressionCases();
const byName = (n: string) => CASES.find((c) => c.name === n)!;

function quarry(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'bin/quarry.js'), ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ status: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
    });
  });
}

test(`every one of SigmaHQ's ${CASES.length} regression cases passes on the SigmaHQ layout`, async () => {
  assert.equal(CASES.length, 140);
  const root = sigmahqLayout(CASES, 'cases');
  const run = await runRuleTests([root], OPTS);
  const failed = run.cases.filter((c) => c.status !== 'passed').map((c) => `${c.rule.title}: ${c.reason}`);
  assert.deepEqual(failed, []);
  assert.equal(summaryLine(run), '140 passed, 0 failed, 0 skipped');
  assert.equal(run.ruleFiles, 140);
  // Matches above match_count pass with a note, as SigmaHQ's runner warns.
  const above = run.cases.filter((c) => c.notes.some((n) => n.startsWith('match_count below the matches')));
  assert.deepEqual(above.map((c) => `${c.rule.title}: ${c.matches}`).sort(), ['Anydesk Temporary Artefact: 3', 'Disable Administrative Share Creation at Startup: 2', 'IE Change Domain Zone: 3']);
  // Cases whose EVTX is not in the shared data ran on its JSON rendering, and say so.
  const fromJson = run.cases.filter((c) => c.notes.some((n) => n.startsWith('EVTX absent')));
  assert.ok(fromJson.every((c) => c.sample.endsWith('.json')));
  assert.equal(run.cases.filter((c) => c.sample.endsWith('.evtx')).length + fromJson.length, 140);
  assert.ok(run.cases.filter((c) => c.sample.endsWith('.evtx')).length >= 40, 'the shipped EVTX files are read as EVTX');
});

/** A layout of a few cases where the anydesk rule is a real file that a test may break. */
function layoutWithRule(edit: (text: string) => string): { root: string; rule: string } {
  const keep = ['proc_creation_win_malware_grixba_recon', 'registry_set_disable_administrative_share'].map(byName);
  const root = sigmahqLayout(keep, 'cases');
  const c = byName('file_event_win_anydesk_artefact');
  const rule = join(root, c.rulePath);
  mkdirSync(dirname(rule), { recursive: true });
  writeFileSync(rule, edit(readFileSync(join(SIGMAHQ, c.rulePath), 'utf8')));
  mkdirSync(dirname(join(root, c.dataDir)), { recursive: true });
  symlinkSync(join(REGRESSION, c.name), join(root, c.dataDir));
  return { root, rule };
}

test('a rule whose detection no longer matches its sample fails with the reason and the explain', async () => {
  const { root } = layoutWithRule((t) => t.replace("'\\AppData\\Roaming\\AnyDesk\\user.conf'", "'\\AppData\\Roaming\\AnyDesk\\usr.conf'"));
  const run = await runRuleTests([root], OPTS);
  assert.equal(summaryLine(run), '2 passed, 1 failed, 0 skipped');
  const f = run.cases.find((c) => c.status === 'failed')!;
  assert.equal(f.rule.title, 'Anydesk Temporary Artefact');
  assert.equal(f.reason, '0 of 5 events matched, expected at least 1 match');
  assert.match(f.sample, /0b9ad457-2554-44c1-82c2-d56a99c42377\.evtx$/);
  assert.equal(f.explained!.length, 3);
  const text = testRunText(run, false);
  assert.match(text, /^FAIL "Anydesk Temporary Artefact" \(0b9ad457-2554-44c1-82c2-d56a99c42377\): Positive Detection Test$/m);
  assert.match(text, /why: +0 of 5 events matched, expected at least 1 match/);
  assert.match(text, /\[false\] +TargetFilename\|contains \*\\AppData\\Roaming\\AnyDesk\\usr\.conf\* +\(event: "C:\\\\Users\\\\Administrator\\\\AppData\\\\Roaming\\\\AnyDesk\\\\/);
  assert.match(text, /\n2 passed, 1 failed, 0 skipped\n$/);
});

test('a rule that does not load, an info.yml that is not there, and a match_count not reached each fail', async () => {
  const broken = layoutWithRule((t) => t.replace('condition: selection', 'condition: selection and'));
  let run = await runRuleTests([broken.root], OPTS);
  let f = run.cases.filter((c) => c.status === 'failed');
  assert.equal(f.length, 1);
  assert.match(f[0]!.reason!, /file_event_win_anydesk_artefact\.yml:\d+:\d+: error .*condition/);

  const moved = layoutWithRule((t) => t.replace(/regression_tests_path: (\S+)/, 'regression_tests_path: regression_data/nowhere/info.yml'));
  run = await runRuleTests([moved.root], OPTS);
  f = run.cases.filter((c) => c.status === 'failed');
  assert.equal(f.length, 1);
  assert.match(f[0]!.reason!, /regression_tests_path: .*regression_data\/nowhere\/info\.yml: no such file/);

  // match_count above what the sample holds: a private info.yml beside a real sample.
  const c = byName('file_event_win_anydesk_artefact');
  const info = layoutWithRule((t) => t.replace(/regression_tests_path: (\S+)/, 'regression_tests_path: regression_data/strict/info.yml'));
  mkdirSync(join(info.root, 'regression_data/strict'));
  writeFileSync(join(info.root, 'regression_data/strict/info.yml'), readFileSync(join(REGRESSION, c.name, 'info.yml'), 'utf8').replace('match_count: 1', 'match_count: 9'));
  run = await runRuleTests([info.root], OPTS);
  f = run.cases.filter((c) => c.status === 'failed');
  assert.deepEqual(f.map((x) => x.reason), ['3 of 5 events matched, expected at least 9 matches']);
});

test('the repository root is also found by .git, and a rule with no root fails saying so', async () => {
  const root = mkdtempSync(join(tmpdir(), 'quarry-git-'));
  const c = byName('file_event_win_anydesk_artefact');
  mkdirSync(join(root, '.git'));
  mkdirSync(join(root, 'rules'));
  const text = readFileSync(join(SIGMAHQ, c.rulePath), 'utf8').replace(/regression_tests_path: (\S+)/, 'regression_tests_path: data/anydesk/info.yml');
  writeFileSync(join(root, 'rules/anydesk.yml'), text);
  mkdirSync(join(root, 'data'));
  symlinkSync(join(REGRESSION, c.name), join(root, 'data/anydesk'));
  // info.yml names its sample under regression_data/…: give it there too, resolved against the root.
  mkdirSync(join(root, dirname(c.dataDir)), { recursive: true });
  symlinkSync(join(REGRESSION, c.name), join(root, c.dataDir));
  let run = await runRuleTests([join(root, 'rules')], OPTS);
  assert.equal(summaryLine(run), '1 passed, 0 failed, 0 skipped');

  const bare = mkdtempSync(join(tmpdir(), 'quarry-noroot-'));
  writeFileSync(join(bare, 'anydesk.yml'), text);
  run = await runRuleTests([bare], OPTS);
  assert.match(run.cases[0]!.reason!, /no folder above the rule holds regression_data\/ or \.git/);
});

test("Quarry's own test files: the examples pass, wrong expectations fail with the explain, bad files are located", async () => {
  let run = await runRuleTests([join(REPO, 'examples/rules'), join(REPO, 'examples/correlations')], OPTS);
  assert.equal(summaryLine(run), '7 passed, 0 failed, 0 skipped');
  assert.equal(run.testFiles, 2);

  const dir = mkdtempSync(join(tmpdir(), 'quarry-testfile-'));
  writeFileSync(join(dir, 'corr.yml'), readFileSync(join(REPO, 'examples/correlations/bitsadmin_then_bits_transfer.yml')));
  const tests = readFileSync(join(REPO, 'examples/correlations/bitsadmin_then_bits_transfer.test.yml'), 'utf8');
  // Expect the wrong host: the group that fired is named, and the one expected is missing.
  writeFileSync(join(dir, 'corr.test.yml'), tests.replace('- {Computer: WS-1}', '- {Computer: WS-9}'));
  writeFileSync(join(dir, 'log.yml'), readFileSync(join(REPO, 'examples/rules/win_security_log_cleared.yml')));
  writeFileSync(join(dir, 'log.test.yml'), 'tests:\n  - name: quiet\n    event: {Channel: Security, EventID: 1102}\n    match: false\n');
  writeFileSync(join(dir, 'bad.test.yml'), 'rule: log.yml\ntests:\n  - event: {EventID: 1}\n    match: maybe\n');
  run = await runRuleTests([dir], OPTS);
  assert.equal(summaryLine(run), '2 passed, 3 failed, 0 skipped');
  const reasons = run.cases.filter((c) => c.status === 'failed').map((c) => c.reason);
  assert.deepEqual(reasons.sort(), [
    '1 of 1 events matched, expected no match',
    `${join(dir, 'bad.test.yml')}:4:12: 'match' must be true or false`,
    'did not fire: {Computer=WS-9}; fired unexpectedly: {Computer=WS-1}',
  ].sort());
  const quiet = run.cases.find((c) => c.name === 'quiet')!;
  assert.equal(quiet.explained![0]!.rules[0]!.detected, true);
});

test('quarry test: exit 1 and the closing line on a failure, exit 0 when all pass, JSON and JUnit for CI', async () => {
  const { root } = layoutWithRule((t) => t.replace("'\\AppData\\Roaming\\AnyDesk\\user.conf'", "'\\AppData\\Roaming\\AnyDesk\\usr.conf'"));
  const text = await quarry(['test', root]);
  assert.equal(text.status, 1);
  assert.match(text.stdout, /\n2 passed, 1 failed, 0 skipped\n$/);
  const json = await quarry(['test', '--format', 'json', root]);
  assert.equal(json.status, 1);
  const parsed = JSON.parse(json.stdout) as { passed: number; failed: number; cases: Array<{ status: string; explained?: unknown[] }> };
  assert.deepEqual([parsed.passed, parsed.failed], [2, 1]);
  assert.equal(parsed.cases.find((c) => c.status === 'failed')!.explained!.length, 3);
  const junit = await quarry(['test', '--format', 'junit', root]);
  assert.equal(junit.status, 1);
  assert.match(junit.stdout, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="quarry test" tests="3" failures="1" skipped="0"/);
  assert.equal((junit.stdout.match(/<testcase /g) ?? []).length, 3);
  assert.match(junit.stdout, /<failure message="0 of 5 events matched, expected at least 1 match">/);
  const ok = await quarry(['test', join(REPO, 'examples/rules'), join(REPO, 'examples/correlations')]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /7 passed, 0 failed, 0 skipped\n$/);
  const none = await quarry(['test', join(REPO, 'examples/logs')]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no test under/);
});
