// quarry hunt as a hunter runs it over the public EVTX samples: timeline profiles with the log's own
// columns, Timesketch rows, time order across inputs, and the scope and noise options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA, REPO } from '../helpers.js';

const quarry = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), ...args], { encoding: 'utf8', cwd: REPO });
const BUILTIN = join(DATA, 'sigmahq/rules/windows/builtin');
const WINDOWS = join(DATA, 'evtx/windows');
const BITS = join(DATA, 'evtx/bits');
// A small slice of SigmaHQ that fires on the Windows samples: System log rules, one stable Security rule, Mimikatz keywords.
const RULES = ['--rules', join(BUILTIN, 'system'), '--rules', join(BUILTIN, 'security/account_management/win_security_pass_the_hash_2.yml'), '--rules', join(BUILTIN, 'win_alert_mimikatz_keywords.yml')];
// The README's correlation: bitsadmin started, then a BITS transfer on the same host.
const CORRELATION = ['--rules', join(REPO, 'examples/correlations'), join(BITS, 'mdec-security-4688-bitsadmin-transfer.evtx'), join(BITS, 'mdec-bits-job-created-eid3-4-59-60-310.evtx'), join(BITS, 'mdec-bits-high-volume-download-eid3-5-59-60.evtx')];

function csvRows(text: string): Array<Record<string, string>> {
  // enough CSV for these rows: quoted cells with doubled quotes, no newline inside a cell here
  const lines = text.trim().split('\n');
  const split = (l: string) => [...l.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => (m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!));
  const head = split(lines[0]!);
  return lines.slice(1).map((l) => Object.fromEntries(split(l).map((v, i) => [head[i]!, v])));
}

test('--profile standard --format csv: Computer, Channel, EventID, the EventRecordID (not the position), user and ATT&CK ids, in time order', () => {
  const r = quarry('hunt', ...RULES, '--profile', 'standard', '--format', 'csv', '--quiet', WINDOWS);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.split('\n')[0], 'timestamp,computer,channel,event_id,record_id,level,user,techniques,rule_title,source,details');
  const rows = csvRows(r.stdout);
  assert.equal(rows.length, 99);
  const pth = rows.find((x) => x.rule_title === 'Pass the Hash Activity 2')!;
  assert.deepEqual([pth.timestamp, pth.computer, pth.channel, pth.event_id, pth.record_id, pth.user, pth.techniques], ['2021-04-22T11:32:02.934310Z', 'fs03vuln.offsec.lan', 'Security', '4624', '436742', 'admmig', 'T1550.002']);
  assert.match(pth.source!, /mdec-security-wmiexec-1023-events\.evtx#\d+$/);
  assert.match(pth.details!, /LogonType: 3/);
  const times = rows.map((x) => Date.parse(x.timestamp!));
  assert.deepEqual(times, [...times].sort((a, b) => a - b), '--profile sorts by time across inputs');
  // file order on request: the inputs' order (the sample folder sorted), not time
  const byFile = csvRows(quarry('hunt', ...RULES, '--profile', 'minimal', '--format', 'csv', '--sort', 'file', '--quiet', WINDOWS).stdout);
  assert.equal(byFile.length, 99);
  assert.notDeepEqual(byFile.map((x) => x.timestamp), rows.map((x) => x.timestamp));
  assert.deepEqual(Object.keys(byFile[0]!), ['timestamp', 'computer', 'event_id', 'level', 'rule_title', 'details']);
});

test('--profile verbose adds rule id, status, tags, path, the explanation and the whole event', () => {
  const r = quarry('hunt', ...RULES, '--profile', 'verbose', '--format', 'csv', '--quiet', join(WINDOWS, 'mdec-system-7045-new-service.evtx'));
  assert.equal(r.status, 0, r.stderr);
  const rows = csvRows(r.stdout);
  const wce = rows.find((x) => x.rule_title === 'HackTool Service Registration or Execution')!;
  assert.equal(wce.rule_id, 'd26ce60c-2151-403c-9a42-49420d87b5e4');
  assert.equal(wce.status, 'test');
  assert.match(wce.tags!, /attack\.t1569\.002/);
  assert.match(wce.matched!, /selection_service_name: ServiceName\|contains=\*WCESERVICE\*/);
  assert.equal(JSON.parse(wce.event!).EventRecordID, 337870);
});

test('--profile on the table: one line per detection with a header, correlations included', () => {
  const r = quarry('hunt', '--profile', 'standard', '--quiet', ...CORRELATION);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^Timestamp +Computer +Channel +EventID +RecordID +Level +User +ATT&CK +Rule +Source +Details$/);
  const corr = lines.find((l) => l.includes('Bitsadmin Started Then A BITS Transfer'));
  assert.ok(corr, r.stdout);
  assert.match(corr!, /^2021-02-22T23:07:21\.231Z +jump01\.offsec\.lan +- +- +- +high /);
  assert.match(corr!, /temporal_ordered 2 \(all of bitsadmin_process, bits_transfer_started\) by Computer=jump01\.offsec\.lan/);
});

test('--format timesketch: message, datetime and timestamp_desc on every row, sorted by time; correlations as their window end', () => {
  const r = quarry('hunt', '--format', 'timesketch', '--quiet', ...CORRELATION);
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(rows.length >= 1);
  for (const x of rows) {
    assert.equal(typeof x.message, 'string');
    assert.ok(!Number.isNaN(Date.parse(x.datetime)), x.datetime);
    assert.ok(['Event Time', 'Correlation Window End'].includes(x.timestamp_desc));
  }
  const c = rows.find((x) => x.timestamp_desc === 'Correlation Window End');
  assert.equal(c.datetime, '2021-02-22T23:07:21.231Z');
  assert.equal(c.computer, 'jump01.offsec.lan');
  assert.match(c.message, /^\[HIGH\] Bitsadmin Started Then A BITS Transfer On The Same Host on jump01\.offsec\.lan: temporal_ordered 2/);
  const csv = quarry('hunt', '--format', 'timesketch-csv', '--profile', 'minimal', '--quiet', ...CORRELATION);
  assert.equal(csv.stdout.split('\n')[0], 'message,datetime,timestamp_desc,computer,event_id,level,rule_title,details,source_file');
  assert.equal(csvRows(csv.stdout).length, rows.length);
});

test('--from/--to keep event times in range (a date alone in --to is the whole day) and say what they left out', () => {
  const r = quarry('hunt', ...RULES, '--profile', 'minimal', '--format', 'csv', '--from', '2021-03-26', '--to', '2021-04-22T11:32:03Z', WINDOWS);
  assert.equal(r.status, 0, r.stderr);
  const rows = csvRows(r.stdout);
  assert.deepEqual(rows.map((x) => `${x.timestamp} ${x.rule_title}`), [
    '2021-03-26T16:12:22.200119Z Credential Dumping Tools Service Execution - System',
    '2021-03-26T16:12:22.200119Z Mimikatz Use',
    '2021-03-26T16:17:35.489920Z Credential Dumping Tools Service Execution - System',
    '2021-03-26T16:17:35.489920Z Mimikatz Use',
    '2021-04-22T11:32:02.934310Z Pass the Hash Activity 2',
  ]);
  assert.match(r.stderr, /Summary: 5 detections/);
  assert.match(r.stderr, /Left out by the scope: 1 before --from, 93 after --to/);
  const day = csvRows(quarry('hunt', ...RULES, '--profile', 'minimal', '--format', 'csv', '--quiet', '--from', '2021-03-26', '--to', '2021-03-26', WINDOWS).stdout);
  assert.equal(day.length, 4);
  const bad = quarry('hunt', ...RULES, '--from', 'last tuesday', WINDOWS);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--from 'last tuesday' is not an ISO 8601 date or time/);
});

test('--status, --tag, --technique and --exclude-rule choose rules; bad values are usage errors', () => {
  const run = (...a: string[]) => csvRows(quarry('hunt', ...RULES, '--profile', 'minimal', '--format', 'csv', '--quiet', ...a, WINDOWS).stdout).map((x) => x.rule_title);
  assert.deepEqual(run('--status', 'stable'), ['Pass the Hash Activity 2']);
  assert.equal(run('--status', 'test,stable').length, 99);
  assert.deepEqual([...new Set(run('--technique', 'T1003'))].sort(), ['Credential Dumping Tools Service Execution - System', 'Mimikatz Use'], 'T1003 takes T1003.001, .002 …');
  assert.deepEqual([...new Set(run('--tag', 'attack.lateral-movement'))].sort(), ['Mimikatz Use', 'Pass the Hash Activity 2']);
  assert.deepEqual([...new Set(run('--tag', 'lateral-movement'))].sort(), ['Mimikatz Use', 'Pass the Hash Activity 2'], 'the attack. prefix may be left out');
  const all = run();
  // by file name, and by id (Mimikatz Use)
  const without = run('--exclude-rule', 'win_system_susp_eventlog_cleared.yml', '--exclude-rule', '06d71506-7beb-4f22-8888-e2e5e2ca7fd8');
  assert.equal(all.filter((t) => t === 'Important Windows Eventlog Cleared').length, 90);
  assert.equal(all.filter((t) => t === 'Mimikatz Use').length, 5);
  assert.ok(!without.includes('Important Windows Eventlog Cleared') && !without.includes('Mimikatz Use'));
  assert.equal(without.length, all.length - 95);
  const bad = quarry('hunt', ...RULES, '--status', 'beta', '--technique', 'T59', WINDOWS);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--status: unknown status 'beta'/);
});

test('--limit-per-rule writes the first N of each rule by time and counts the rest in the per-rule summary', () => {
  const r = quarry('hunt', ...RULES, '--profile', 'minimal', '--format', 'csv', '--limit-per-rule', '2', WINDOWS);
  assert.equal(r.status, 0, r.stderr);
  const rows = csvRows(r.stdout);
  const cleared = rows.filter((x) => x.rule_title === 'Important Windows Eventlog Cleared');
  assert.equal(cleared.length, 2);
  assert.equal(cleared[0]!.timestamp, '2021-10-25T18:04:30.334471Z', 'the earliest ones');
  assert.match(r.stderr, /90 +Important Windows Eventlog Cleared/, 'the summary counts them all');
  assert.match(r.stderr, /Not written \(--limit-per-rule 2\): \d+ detections of \d+ rules, counted above: Important Windows Eventlog Cleared \(88 more\)/);
});

test('--dedupe reports a record once when several inputs hold it (a backup copy of the log)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-dedupe-'));
  mkdirSync(join(dir, 'vss'));
  copyFileSync(join(WINDOWS, 'mdec-system-7045-new-service.evtx'), join(dir, 'System.evtx'));
  copyFileSync(join(WINDOWS, 'mdec-system-7045-new-service.evtx'), join(dir, 'vss', 'System.evtx'));
  const twice = csvRows(quarry('hunt', ...RULES, '--format', 'csv', '--quiet', dir).stdout);
  const once = quarry('hunt', ...RULES, '--format', 'csv', '--dedupe', dir);
  assert.equal(once.status, 0, once.stderr);
  assert.equal(twice.length, 10);
  assert.equal(csvRows(once.stdout).length, 5);
  assert.match(once.stderr, /Left out by the scope: 5 duplicate record/);
});

test('no progress line when standard error is not a terminal; unreadable inputs summed up unless -v', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-junk-'));
  for (let i = 0; i < 8; i++) writeFileSync(join(dir, `notes-${i}.bin`), Buffer.from([0, 1, 2, 3, 0xff, 0xfe, i]));
  const r = quarry('hunt', '--rules', join(REPO, 'examples/rules'), dir, join(REPO, 'examples/logs/security-cleared.json'));
  assert.equal(r.status, 3, r.stderr);
  assert.ok(!r.stderr.includes('\r') && !r.stderr.includes('\x1b['), 'no progress redraws in a pipe');
  assert.equal(r.stderr.match(/^ {2}unreadable /gm)?.length, 6);
  assert.match(r.stderr, /unreadable … and 3 more inputs that could not be opened \(-v lists them\)/);
  const v = quarry('hunt', '--rules', join(REPO, 'examples/rules'), '-v', dir, join(REPO, 'examples/logs/security-cleared.json'));
  assert.equal(v.stderr.match(/^ {2}unreadable /gm)?.length, 8);
});

test('--help names the input formats the README lists and the new options', () => {
  const r = quarry('hunt', '--help');
  for (const s of ['EVTX', 'W3C/IIS', 'Squid', 'Zeek', 'CSV', '--profile', '--sort', '--from', '--limit-per-rule', '--dedupe', 'timesketch', 'html']) assert.ok(r.stdout.includes(s), s);
});

test('a Sigma rule given to --pipeline is refused with its location, not loaded as an empty pipeline', () => {
  const rule = join(REPO, 'examples/rules/win_security_log_cleared.yml');
  const r = quarry('hunt', '--pipeline', rule);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `${rule}:1:1: error [pipeline-is-a-rule] this is a Sigma rule, not a processing pipeline (it has no 'transformations'): give rules with --rules\n`);
});

// util-linux's `script` gives the command a terminal, as a hunter's shell does
const SCRIPT = '/usr/bin/script';
test('on a terminal, progress lines show loading, preparing and hunting, then are cleared', { skip: existsSync(SCRIPT) ? false : 'no /usr/bin/script (util-linux) to provide a terminal' }, () => {
  const cmd = [process.execPath, join(REPO, 'bin/quarry.js'), 'hunt', ...RULES, '--format', 'jsonl', '--output', join(mkdtempSync(join(tmpdir(), 'quarry-tty-')), 'h.jsonl'), WINDOWS].map((a) => `'${a}'`).join(' ');
  const r = spawnSync(SCRIPT, ['-qec', cmd, '/dev/null'], { encoding: 'utf8', cwd: REPO });
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /\r {2}loading rules {2}65\/65 files {2}\[#{20}\]\x1b\[K/);
  assert.match(r.stdout, /\r {2}preparing 65 rules through the pipelines, opening inputs…\x1b\[K/);
  // a terminal of 80 columns (script's) cuts the line there: the most useful figures come first
  assert.match(r.stdout, /\r {2}\[[#.]{20}\] \d\/9 inputs( {2}ETA \d+s)? {2}\d+ detections {2}[\d,]+ events/);
  assert.match(r.stdout, /\r\x1b\[K(\r\n)?Quarry hunt/, 'the line is cleared before the banner');
  const quiet = spawnSync(SCRIPT, ['-qec', `${cmd} --quiet`, '/dev/null'], { encoding: 'utf8', cwd: REPO });
  assert.ok(!quiet.stdout.includes('loading rules'), '--quiet shows no progress');
});

test('on a terminal, validate and convert show the rule loading too, then clear it; in a pipe they do not', { skip: existsSync(SCRIPT) ? false : 'no /usr/bin/script (util-linux) to provide a terminal' }, () => {
  const system = join(BUILTIN, 'system');
  for (const args of [['validate', '--no-cache', system], ['convert', '--no-cache', '--target', 'kql', '--pipeline', 'sentinel-asim', system]]) {
    const cmd = [process.execPath, join(REPO, 'bin/quarry.js'), ...args].map((a) => `'${a}'`).join(' ');
    const r = spawnSync(SCRIPT, ['-qec', cmd, '/dev/null'], { encoding: 'utf8', cwd: REPO });
    assert.match(r.stdout, /\r {2}loading rules {2}\d+\/\d+ files {2}\[[#.]{20}\]\x1b\[K/, `${args[0]}: ${r.stdout.slice(0, 300)}`);
    assert.match(r.stdout, /\r\x1b\[K/, `${args[0]}: the line is cleared`);
    const piped = quarry(...args);
    assert.ok(!piped.stderr.includes('loading rules') && !piped.stdout.includes('loading rules'), `${args[0]}: no progress in a pipe`);
  }
});

test('bad output choices are usage errors', () => {
  const profile = quarry('hunt', '--profile', 'huge');
  assert.equal(profile.status, 2);
  assert.match(profile.stderr, /--profile must be minimal, standard, verbose, not 'huge'/);
  const html = quarry('hunt', '--format', 'html');
  assert.equal(html.status, 2);
  assert.match(html.stderr, /--format html writes a report file: give it with --output FILE/);
  const jsonl = quarry('hunt', '--format', 'jsonl', '--profile', 'minimal');
  assert.match(jsonl.stderr, /--profile picks the columns of table, csv and timesketch output; --format jsonl always holds every field/);
  const sort = quarry('hunt', '--sort', 'rule');
  assert.match(sort.stderr, /--sort must be time or file, not 'rule'/);
});
