// Exit codes as a script sees them (README "Exit codes"): 0 ran with everything, 1 findings (validate's
// rejections, hunt's detections with --fail-on-detection), 2 nothing done (usage, missing path, no rule
// or input usable, output not writable), 3 partial. Each case runs the CLI as a child process. Also: a
// rule tree with hostile rules and broken paths still hunts with the rest, and bad options and
// output destinations are one line, never a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers.js';
import { huntCommand } from '../../src/cli/hunt-command.js';
import { validateCommand } from '../../src/cli/validate-command.js';
import { convertCommand } from '../../src/cli/convert-command.js';
import { stackCommand } from '../../src/cli/stack-command.js';
import { exploreCommand } from '../../src/cli/explore-command.js';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Tests may run as root, which reads a chmod 000 folder and writes a read-only one; those cases run
 * the CLI as the unprivileged user 'nobody' instead, so that the permission really is refused.
 */
const ROOT = process.getuid?.() === 0;
const UNPRIVILEGED = ROOT ? { uid: 65534, gid: 65534 } : {};

function quarry(args: string[], opts: { unprivileged?: boolean } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'bin/quarry.js'), ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20, ...(opts.unprivileged ? UNPRIVILEGED : {}) }, (err, stdout, stderr) => {
      resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** A world-readable scratch folder (the unprivileged runs must read it). */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-exit-'));
  chmodSync(dir, 0o755);
  return dir;
}

const RULES = join(REPO, 'examples/rules');
const LOGS = join(REPO, 'examples/logs');
const noStack = (r: Run) => assert.doesNotMatch(r.stderr, /\n\s+at /, `no stack trace:\n${r.stderr}`);

/** The example rules plus a few more, written into `dir`. */
function ruleTree(dir: string, extra: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(RULES)) copyFileSync(join(RULES, f), join(dir, f));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return dir;
}

const LOG_CLEARED = (condition: string, selection = '        EventID: 1102\n', id = '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60') => `title: Variant
id: ${id}
status: experimental
logsource:
    product: windows
    service: security
detection:
    selection:
${selection}    selection_b:
        Channel: Security
    condition: ${condition}
level: high
`;

test('hunt: 0 when everything was used, 1 only with --fail-on-detection, 3 when a record is unreadable', async () => {
  const dir = scratch();
  const mixed = join(dir, 'mixed.ndjson');
  writeFileSync(mixed, '{"c-useragent":"Microsoft BITS/7.8","cs-host":"evil.top"}\n{"broken": \n');
  const [plain, failOn, nothingFound, partial] = await Promise.all([
    quarry(['hunt', '--quiet']),
    quarry(['hunt', '--quiet', '--fail-on-detection']),
    quarry(['hunt', '--quiet', '--fail-on-detection', '--rules', join(RULES, 'win_security_log_cleared.yml'), join(LOGS, 'proxy.ndjson')]),
    quarry(['hunt', '--rules', RULES, mixed]),
  ]);
  assert.equal(plain.status, 0, plain.stderr);
  assert.ok(plain.stdout.length > 0, 'the bundled hunt has detections');
  assert.equal(failOn.status, 1, failOn.stderr);
  assert.equal(nothingFound.status, 0, nothingFound.stderr);
  assert.equal(partial.status, 3, partial.stderr);
  assert.match(partial.stderr, /mixed\.ndjson:2: /);
});

test('hunt: 2 when nothing could be hunted, 3 when some rules or inputs could not be used', async () => {
  const dir = scratch();
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const rejected = join(dir, 'rejected');
  mkdirSync(rejected);
  writeFileSync(join(rejected, 'a.yml'), 'title: only a title\n');
  // RE2 has no look-behind: the rule parses but cannot run.
  const cannotRun = join(dir, 'cannot-run');
  mkdirSync(cannotRun);
  writeFileSync(join(cannotRun, 'lookbehind.yml'), LOG_CLEARED('selection', "        EventID: 1102\n        SubjectUserName|re: '(?<=a)b'\n"));
  const garbage = join(dir, 'garbage.ndjson');
  writeFileSync(garbage, '{"a":\n{{{\nnot json\n');
  const someRejected = ruleTree(join(dir, 'some-rejected'), { 'broken.yml': 'title: only a title\n' });
  const [typo, emptyFolder, allRejected, allSkipped, missingInput, unreadableInput, oneMissing, oneUnreadable, partRejected] = await Promise.all([
    quarry(['hunt', '--rules', join(REPO, 'examples/rulez'), LOGS]),
    quarry(['hunt', '--rules', empty, LOGS]),
    quarry(['hunt', '--rules', rejected, LOGS]),
    quarry(['hunt', '--rules', cannotRun, LOGS]),
    quarry(['hunt', '--rules', RULES, join(dir, 'no-such.json')]),
    quarry(['hunt', '--rules', RULES, garbage]),
    quarry(['hunt', '--rules', RULES, LOGS, join(dir, 'no-such.json')]),
    quarry(['hunt', '--rules', RULES, LOGS, garbage]),
    quarry(['hunt', '--rules', someRejected, LOGS]),
  ]);
  assert.equal(typo.status, 2);
  assert.equal(typo.stderr, `quarry hunt: --rules '${join(REPO, 'examples/rulez')}': no such file or folder\n`);
  assert.equal(emptyFolder.status, 2);
  assert.match(emptyFolder.stderr, /no rule files \(\*\.yml, \*\.yaml\) in /);
  assert.equal(allRejected.status, 2);
  assert.match(allRejected.stderr, /no rule can run \(0 loaded, 1 rejected, 0 skipped\): nothing hunted/);
  assert.equal(allSkipped.status, 2);
  assert.match(allSkipped.stderr, /no rule can run \(1 loaded, 0 rejected, 1 skipped\)/);
  assert.equal(missingInput.status, 2);
  assert.match(missingInput.stderr, /no input could be opened .*no-such\.json/);
  assert.equal(unreadableInput.status, 2);
  assert.match(unreadableInput.stderr, /every record was unreadable \(2 problems\): nothing hunted/);
  for (const r of [oneMissing, oneUnreadable, partRejected]) {
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /Summary: [1-9]\d* detections in \d+ events/, 'the usable rules still hunt the usable inputs');
  }
  for (const r of [typo, emptyFolder, allRejected, allSkipped, missingInput, unreadableInput]) noStack(r);
});

test('hunt: 2 when the inputs hold no event (an empty file, a CSV with only its header), 0 with one event and no detection', async () => {
  const dir = scratch();
  const empty = join(dir, 'empty.json');
  writeFileSync(empty, '');
  const header = join(dir, 'header.csv');
  writeFileSync(header, 'time,host,user\n');
  const quiet = join(dir, 'one.json');
  writeFileSync(quiet, '{"EventID": 1, "Channel": "Nothing/Here"}\n');
  const [none, headerOnly, both, one] = await Promise.all([
    quarry(['hunt', '--rules', RULES, empty]),
    quarry(['hunt', '--rules', RULES, header]),
    quarry(['hunt', '--rules', RULES, empty, header]),
    quarry(['hunt', '--rules', RULES, empty, quiet]),
  ]);
  for (const r of [none, headerOnly]) {
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /quarry hunt: the input holds no events: nothing hunted/);
  }
  assert.equal(both.status, 2, both.stderr);
  assert.match(both.stderr, /the inputs hold no events/);
  assert.equal(one.status, 0, one.stderr);
  assert.match(one.stderr, /Summary: 0 detections in 1 event\n/);
  for (const r of [none, headerOnly, both, one]) noStack(r);
});

test('hunt and stack: an input of no known format is named once, with the reason', async () => {
  const prose = join(scratch(), 'prose.txt');
  writeFileSync(prose, 'just some prose and no log\n'); // no comma: not even a CSV header
  const [hunt, stack] = await Promise.all([quarry(['hunt', '--rules', RULES, prose]), quarry(['stack', '--by', 'a', prose])]);
  for (const r of [hunt, stack]) {
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /prose\.txt: unknown log format \(content starting "just some prose/);
    assert.equal(r.stderr.split(prose).length - 1, r === hunt ? 2 : 1, r.stderr); // hunt: the banner's line and the final error
    noStack(r);
  }
});

test('a rule tree with hostile rules and broken paths: each a located error, the rest loads and hunts', async () => {
  const dir = scratch();
  const tree = ruleTree(join(dir, 'rules'), {
    'deep_parens.yml': LOG_CLEARED(`${'('.repeat(5000)}selection${')'.repeat(5000)} and selection_b`, undefined, '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f61'),
    'deep_not.yml': LOG_CLEARED(`${'not '.repeat(10_000)}selection and selection_b`, undefined, '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f62'),
    'many_values.yml': LOG_CLEARED('selection and selection_b', `        EventID: 1102\n        SubjectUserName:\n${Array.from({ length: 130_000 }, (_, i) => `            - 'user${i}'\n`).join('')}`, '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f63'),
  });
  symlinkSync(join(dir, 'nowhere.yml'), join(tree, 'dangling.yml'));
  symlinkSync('..', join(tree, 'loop'));
  symlinkSync('/dev/zero', join(tree, 'zero.yml'));
  const locked = join(tree, 'locked');
  mkdirSync(locked);
  copyFileSync(join(RULES, 'win_security_log_cleared.yml'), join(locked, 'copy.yml'));
  chmodSync(locked, 0o000);
  const [validate, hunt] = await Promise.all([quarry(['validate', '--quiet', tree], { unprivileged: true }), quarry(['hunt', '--rules', tree, LOGS], { unprivileged: true })]);
  chmodSync(locked, 0o755);
  const expected = [
    [`${tree}/deep_parens.yml:12:80`, 'condition-too-deep'],
    [`${tree}/deep_not.yml:12:272`, 'condition-too-deep'],
    [`${tree}/many_values.yml:10:9`, 'too-many-values'],
    [`${tree}/dangling.yml:1:1`, 'unreadable'],
    [`${tree}/loop/rules:1:1`, 'link-loop'],
    [`${tree}/zero.yml:1:1`, 'not-a-file'],
    [`${tree}/locked:1:1`, 'unreadable'],
  ];
  assert.equal(validate.status, 1, validate.stderr);
  for (const [where, code] of expected) assert.ok(validate.stdout.includes(`${where}: error [${code}]`), `${where} ${code} in:\n${validate.stdout}`);
  assert.match(validate.stdout, /7 rejected/);
  noStack(validate);
  // The hunt reads the good rules, including those reached again through the loop's parent.
  assert.equal(hunt.status, 3, hunt.stderr);
  assert.match(hunt.stderr, /rules {6}\d+ loaded from .*; 7 rejected/);
  assert.match(hunt.stderr, /Security Event Log Cleared/);
  noStack(hunt);
});

test('validate, convert and stack: 0, their findings or partial, and 2 when nothing was done', async () => {
  const dir = scratch();
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const proxyRule = join(REPO, 'examples/rules/proxy_bits_user_agent_uncommon_tld.yml');
  const proxy = join(LOGS, 'proxy.ndjson');
  const rejected = join(dir, 'rejected.yml');
  writeFileSync(rejected, 'title: only a title\n');
  const runs = await Promise.all([
    quarry(['validate', RULES]),
    quarry(['validate', RULES, rejected]),
    quarry(['validate', join(dir, 'nope')]),
    quarry(['validate', empty]),
    quarry(['convert', '--target', 'kql', '--pipeline', 'sentinel-asim', proxyRule]),
    quarry(['convert', '--target', 'kql', '--pipeline', 'sentinel-asim', RULES]),
    quarry(['convert', '--target', 'kql', '--pipeline', 'sentinel-asim', join(RULES, 'win_security_log_cleared.yml')]),
    quarry(['convert', '--target', 'kql', '--pipeline', 'sentinel-asim', join(dir, 'nope')]),
    quarry(['stack', '--by', 'cs-host', proxy]),
    quarry(['stack', '--by', 'cs-host', proxy, join(dir, 'nope.json')]),
    quarry(['stack', '--by', 'cs-host', join(dir, 'nope.json')]),
    quarry(['stack', '--by', 'cs-host', '--rules', join(dir, 'nope'), proxy]),
  ]);
  assert.deepEqual(runs.map((r) => r.status), [0, 1, 2, 2, 0, 3, 2, 2, 0, 3, 2, 2], runs.map((r) => r.stderr).join('\n'));
  for (const r of runs) noStack(r);
});

test('unknown options: one line naming the nearest valid option, exit 2, in every command', async () => {
  // In process for each command (the message), then once as a child (the whole line and the exit code).
  const cases: Array<[(argv: string[]) => Promise<number>, string[], RegExp]> = [
    [huntCommand, ['--rule', 'x'], /^unknown option '--rule' \(did you mean --rules\?\)$/],
    [validateCommand, ['--formt', 'json', 'x'], /^unknown option '--formt' \(did you mean --format\?\)$/],
    [convertCommand, ['--targt', 'kql', 'x'], /^unknown option '--targt' \(did you mean --target\?\)$/],
    [stackCommand, ['--bye', 'x', 'y'], /^unknown option '--bye' \(did you mean --by\?\)$/],
    [exploreCommand, ['--prot', '1'], /^unknown option '--prot' \(did you mean --port\?\)$/],
    [huntCommand, ['--zzzzzzzz'], /^unknown option '--zzzzzzzz' \(the options are --rules, --pipeline, .*--help\)$/],
    [huntCommand, ['--rules'], /^Option '--rules <value>' argument missing$/],
  ];
  for (const [command, argv, message] of cases) await assert.rejects(command(argv), (e: Error) => e.constructor.name === 'UsageError' && message.test(e.message), argv.join(' '));
  const r = await quarry(['hunt', '--rule', 'x']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, "quarry hunt: unknown option '--rule' (did you mean --rules?)\n");
});

test('output that cannot be written: one line and exit 2 (missing folder, a folder, /dev/full, read-only)', async () => {
  const dir = scratch();
  const readOnly = join(dir, 'read-only');
  mkdirSync(readOnly);
  chmodSync(readOnly, 0o555);
  const runs = await Promise.all([
    quarry(['hunt', '--format', 'jsonl', '--output', join(dir, 'missing/out.jsonl')]),
    quarry(['hunt', '--format', 'jsonl', '--output', dir]),
    quarry(['hunt', '--format', 'jsonl', '--output', '/dev/full']),
    quarry(['hunt', '--format', 'csv', '--output', join(readOnly, 'out.csv')], { unprivileged: true }),
    quarry(['stack', '--by', 'cs-host', '--db', join(dir, 'missing/stack.duckdb'), join(LOGS, 'proxy.ndjson')]),
  ]);
  const want = [
    `quarry hunt: cannot write --output ${join(dir, 'missing/out.jsonl')}: the folder '${join(dir, 'missing')}' does not exist\n`,
    `quarry hunt: cannot write --output ${dir}: it is a folder\n`,
    'quarry hunt: cannot write --output /dev/full: no space left on the device\n',
    `quarry hunt: cannot write --output ${join(readOnly, 'out.csv')}: permission denied\n`,
    `quarry stack: cannot write --db ${join(dir, 'missing/stack.duckdb')}: the folder '${join(dir, 'missing')}' does not exist\n`,
  ];
  runs.forEach((r, i) => {
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.replace(/^[\s\S]*\n(?=quarry )/, ''), want[i]);
  });
  // Standard output itself full: validate, convert and stack print one line too.
  const full = await Promise.all(
    [
      ['validate', RULES],
      ['convert', '--target', 'kql', '--pipeline', 'sentinel-asim', '--quiet', join(REPO, 'examples/rules/proxy_bits_user_agent_uncommon_tld.yml')],
      ['stack', '--by', 'cs-host', join(LOGS, 'proxy.ndjson')],
    ].map(
      (args) =>
        new Promise<Run>((resolve) => {
          const sh = `exec "${process.execPath}" "${join(REPO, 'bin/quarry.js')}" ${args.map((a) => `'${a}'`).join(' ')} > /dev/full`;
          execFile('sh', ['-c', sh], { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }));
        }),
    ),
  );
  full.forEach((r, i) => {
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`quarry ${['validate', 'convert', 'stack'][i]}: cannot write standard output: no space left on the device\\n$`));
    noStack(r);
  });
});
