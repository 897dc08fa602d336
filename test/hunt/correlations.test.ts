// Correlations in `quarry hunt`: base rules over two EVTX logs of two channels (Security 4688 and
// BITS-Client), the correlation on event time whatever the order of the inputs, its JSONL shape,
// the base rules silent (generate: false), and every output format carrying it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA, REPO } from '../helpers.js';

const BITS = join(DATA, 'evtx/bits');
const SECURITY = join(BITS, 'mdec-security-4688-bitsadmin-transfer.evtx');
const JOB = join(BITS, 'mdec-bits-job-created-eid3-4-59-60-310.evtx');
const OTHER_HOST = join(BITS, 'mdec-bits-high-volume-download-eid3-5-59-60.evtx');
const RULES = join(REPO, 'examples/correlations');
const quarry = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), ...args], { encoding: 'utf8' });

function jsonl(stdout: string): Array<Record<string, any>> {
  return stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

test('a temporal_ordered correlation across a Security log and a BITS-Client log fires once, for the host that has both', () => {
  const r = quarry('hunt', '--rules', RULES, '--format', 'jsonl', SECURITY, JOB, OTHER_HOST);
  assert.equal(r.status, 0, r.stderr);
  const ds = jsonl(r.stdout);
  assert.equal(ds.length, 1, 'base rules report nothing of their own (generate: false)');
  const d = ds[0]!;
  assert.deepEqual(d.rule, { id: '6d1f0a52-7c1e-4b8e-9a55-2f3c8e61a0b4', title: 'Bitsadmin Started Then A BITS Transfer On The Same Host', level: 'high', path: join(RULES, 'bitsadmin_then_bits_transfer.yml'), type: 'correlation', correlation: 'temporal_ordered' });
  assert.deepEqual(d.group, { Computer: 'jump01.offsec.lan' });
  // 4688 of bitsadmin at 23:07:20.794, BITS 59 at 23:07:21.231 (evtx dump of the two files).
  assert.deepEqual(d.window, { start: '2021-02-22T23:07:20.794Z', end: '2021-02-22T23:07:21.231Z' });
  assert.equal(d.value, 2);
  assert.deepEqual(d.events.map((e: any) => [e.title, e.file === SECURITY ? 'security' : e.file === JOB ? 'job' : e.file, e.record]), [
    ['Bitsadmin Process Started', 'security', 1],
    ['BITS Transfer Started', 'job', 3],
  ]);
  assert.match(r.stderr, /correlations 1 loaded, 1 run on event time; 0 cannot run/);
  assert.match(r.stderr, /Correlations: 1 alerts from 3 base matches \(3 not reported on their own\)/);
});

test('the order of the inputs does not matter: the correlation runs on event time', () => {
  const forward = jsonl(quarry('hunt', '--rules', RULES, '--format', 'jsonl', '--quiet', SECURITY, JOB).stdout);
  const backward = jsonl(quarry('hunt', '--rules', RULES, '--format', 'jsonl', '--quiet', JOB, SECURITY).stdout);
  assert.equal(forward.length, 1);
  assert.deepEqual(backward.map((d) => [d.group, d.window, d.value]), forward.map((d) => [d.group, d.window, d.value]));
});

test('the order of the rules is enforced: transfer before bitsadmin does not fire', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-corr-'));
  const text = readFileSync(join(RULES, 'bitsadmin_then_bits_transfer.yml'), 'utf8').replace('        - bitsadmin_process\n        - bits_transfer_started', '        - bits_transfer_started\n        - bitsadmin_process');
  writeFileSync(join(dir, 'reversed.yml'), text);
  const r = quarry('hunt', '--rules', dir, '--format', 'jsonl', '--quiet', SECURITY, JOB);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(jsonl(r.stdout), []);
});

test('table, CSV and DuckDB outputs carry the correlation, and the explorer reads it back', async () => {
  const table = quarry('hunt', '--rules', RULES, SECURITY, JOB);
  assert.match(table.stdout, /\[HIGH\] Bitsadmin Started Then A BITS Transfer On The Same Host {2}\(correlation temporal_ordered\)/);
  assert.match(table.stdout, /temporal_ordered 2 \(all of bitsadmin_process, bits_transfer_started\) by Computer=jump01\.offsec\.lan from 2021-02-22T23:07:20\.794Z to 2021-02-22T23:07:21\.231Z/);
  const csv = quarry('hunt', '--rules', RULES, '--format', 'csv', SECURITY, JOB);
  // the correlation's group stands for the computer; it has no single channel, event id or record
  assert.match(csv.stdout.split('\n')[1]!, /^2021-02-22T23:07:21\.231Z,jump01\.offsec\.lan,,,,high,,T1197,Bitsadmin Started Then A BITS Transfer On The Same Host \(correlation temporal_ordered\),.*,"temporal_ordered 2 \(all of bitsadmin_process, bits_transfer_started\) by Computer=jump01\.offsec\.lan; window 2021-02-22T23:07:20\.794Z to 2021-02-22T23:07:21\.231Z; 2 events"$/);
  const db = join(mkdtempSync(join(tmpdir(), 'quarry-corr-db-')), 'h.duckdb');
  assert.equal(quarry('hunt', '--rules', RULES, '--format', 'duckdb', '--output', db, '--quiet', SECURITY, JOB).status, 0);
  const { readDetectionsFile } = await import('../../src/report/detections-read.js');
  const back = await readDetectionsFile(db);
  assert.equal(back.detections.length, 1);
  assert.deepEqual(back.detections[0]!.correlation?.group, { Computer: 'jump01.offsec.lan' });
  assert.equal(back.detections[0]!.rule.correlation, 'temporal_ordered');
});

test('--min-level: base rules below it still feed the correlation; a correlation below it is not reported', () => {
  const high = jsonl(quarry('hunt', '--rules', RULES, '--min-level', 'medium', '--format', 'jsonl', '--quiet', SECURITY, JOB).stdout);
  assert.deepEqual(high.map((d) => d.rule.title), ['Bitsadmin Started Then A BITS Transfer On The Same Host'], 'the base rules are low and informational');
  assert.deepEqual(jsonl(quarry('hunt', '--rules', RULES, '--min-level', 'critical', '--format', 'jsonl', '--quiet', SECURITY, JOB).stdout), []);
});

test("a correlation's fields are named through the input's pipeline: c-ip and cs-host over a Zeek http.log", () => {
  // Sigma's proxy names; the zeek-http pipeline maps c-ip to id.orig_h (or id_orig_h) and cs-host to host.
  const dir = mkdtempSync(join(tmpdir(), 'quarry-zeek-corr-'));
  const rules = join(dir, 'rules.yml');
  writeFileSync(
    rules,
    [
      'title: Proxy GET request\nname: proxy_get\nlogsource:\n    category: proxy\ndetection:\n    selection:\n        cs-method: GET\n    condition: selection\nlevel: low\n',
      'title: Many distinct hosts from one client\ncorrelation:\n    type: value_count\n    rules: [proxy_get]\n    group-by: [c-ip]\n    timespan: 1m\n    condition:\n        field: cs-host\n        gte: 20\nlevel: high\n',
    ].join('---\n'),
  );
  const r = quarry('hunt', '--rules', rules, '--format', 'jsonl', join(DATA, 'proxy/zeek-tsv-simda-dga-http.log'));
  assert.equal(r.status, 0, r.stderr);
  const ds = jsonl(r.stdout);
  // Worked out from the log's ts and host columns (992 GETs from 192.168.1.116): the 20th distinct
  // host within a minute arrives at ts 191.60513, the window opening at the first GET (187.53451);
  // replaying the engine's rule (quiet for a minute after an alert, its matches spent) gives 10 alerts.
  assert.equal(ds.length, 10);
  assert.deepEqual(ds[0]!.group, { 'c-ip': '192.168.1.116' });
  assert.deepEqual(ds[0]!.window, { start: '1970-01-01T00:03:07.534Z', end: '1970-01-01T00:03:11.605Z' });
  assert.equal(ds[0]!.value, 20);
  assert.match(r.stderr, /Correlations: 10 alerts from 992 base matches \(992 not reported on their own\); 0 without a group-by field/);
});
