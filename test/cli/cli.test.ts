// The CLI as users run it: the bundled demo, validate's summary and exit codes, hunt's formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA, REPO } from '../helpers.js';

const quarry = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), ...args], { encoding: 'utf8', cwd: REPO });

test('quarry hunt with no arguments runs the bundled rules over the bundled logs', () => {
  const r = quarry('hunt', '--format', 'jsonl');
  assert.equal(r.status, 0, r.stderr);
  const detections = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const got = detections.map((d) => `${d.rule.title} @ ${d.rule.type === 'correlation' ? d.group.Computer : (d.event.EventRecordID ?? d.event['cs-host'])}`);
  // The explorer's demo rules: the examples, the host-aware hardened rules (which also catch 2201's
  // registrable domain) and the example correlation (bitsadmin in Sysmon, then BITS event 59).
  assert.deepEqual(got, [
    'BITS Transfer From A Host Outside Common Top-Level Domains (Host-Aware) @ 2201',
    'BITS Transfer From A Host Outside Common Top-Level Domains @ 2203',
    'BITS Transfer From A Host Outside Common Top-Level Domains (Host-Aware) @ 2203',
    'BITS User Agent Requesting A Host Outside Common Top-Level Domains @ cdn-update.top',
    'BITS User Agent To A Host Outside Common Top-Level Domains (Host-Aware) @ cdn-update.top',
    'BITS User Agent Requesting A Host Outside Common Top-Level Domains @ files.example-mirror.de',
    'BITS User Agent To A Host Outside Common Top-Level Domains (Host-Aware) @ files.example-mirror.de',
    'Security Event Log Cleared @ 88121',
    'Bitsadmin Download Job Created From The Command Line @ 101',
    'PowerShell Started With An Encoded Command @ 102',
    'Mimikatz Command Names In Any Field @ 104',
    'Program Added To A Run Key @ 105',
    'Bitsadmin Started Then A BITS Transfer On The Same Host @ WS-FIN-042.corp.example',
  ]);
  for (const d of detections) {
    assert.ok(d.rule.id && d.rule.level && d.rule.path && d.source.file, 'rule and source are described');
    assert.ok(d.rule.type === 'correlation' ? d.events.length === 2 : d.matched.length > 0, 'every detection says what matched');
  }
  assert.match(r.stderr, /Summary: 13 detections in 16 events/);
  assert.match(r.stderr, /rules {6}12 loaded from examples\/rules, examples\/correlations, rules\/hardened/);
});

test('quarry hunt --format csv and --min-level', () => {
  const r = quarry('hunt', '--format', 'csv', '--min-level', 'high', '--quiet');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'timestamp,computer,channel,event_id,record_id,level,user,techniques,rule_title,source,details');
  assert.equal(lines.length, 1 + 8);
  assert.ok(lines.slice(1).every((l) => /,(high|critical),/.test(l)));
  // the log's own record id, not the record's position in its file
  assert.ok(lines.includes('2026-11-20T08:25:00.000Z,WS-FIN-042.corp.example,Security,1102,88121,high,jdoe,T1070.001,Security Event Log Cleared,examples/logs/security-cleared.json:2,EventID: 1102'), lines.join('\n'));
  assert.equal(r.stderr, '');
});

test('quarry hunt reports a malformed line with its line number and keeps going', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-cli-'));
  const file = join(dir, 'events.ndjson');
  writeFileSync(file, '{"c-useragent":"Microsoft BITS/7.8","cs-host":"evil.top"}\n{"broken": \n{"c-useragent":"Microsoft BITS/7.8","cs-host":"bad.xyz"}\n');
  const r = quarry('hunt', '--rules', join(REPO, 'examples/rules'), file, '--format', 'jsonl');
  assert.equal(r.status, 3, 'a record could not be read: partial');
  assert.equal(r.stdout.trim().split('\n').length, 2);
  assert.match(r.stderr, /events\.ndjson:2: /);
});

test('quarry validate: summary grouped by reason, exit 1 on rejected rules, JSON per file', () => {
  const ok = quarry('validate', join(DATA, 'sigma-rules-bits'));
  assert.equal(ok.status, 0, ok.stdout);
  assert.match(ok.stdout, /7 files, 7 documents: 7 rules, 0 filters, 0 correlations loaded/);
  const bad = quarry('validate', join(DATA, 'sigmahq/unsupported'));
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /58 rejected/);
  assert.match(bad.stdout, /aggregation-syntax\s+\d+/);
  const json = quarry('validate', '--format', 'json', join(DATA, 'sigmahq/deprecated/other/generic_brute_force.yml'));
  const rec = JSON.parse(json.stdout.trim());
  assert.equal(rec.documents[0].status, 'rejected');
  assert.equal(rec.documents[0].diagnostics.find((d: { severity: string }) => d.severity === 'error').code, 'aggregation-syntax');
  // Rule test files beside the rules are counted, not passed over unseen.
  const examples = quarry('validate', join(REPO, 'examples/correlations'));
  assert.equal(examples.status, 0, examples.stdout);
  assert.match(examples.stdout, /^1 rule test files \(\*\.test\.yml\) not validated here: quarry test runs them$/m);
});

test("quarry validate: the README's broken.yml example, and --format json with each diagnostic's end", () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-cli-'));
  const file = join(dir, 'broken.yml');
  writeFileSync(file, `title: Broken
id: 11111111-2222-4333-8444-555555555555
status: test
logsource:
    category: process_creation
detection:
    selection:
        CommandLine|contans: x
    condition: selection and not filter
level: low
`);
  const text = quarry('validate', file);
  assert.equal(text.status, 1);
  // The text format stays file:line:col, as the README shows.
  assert.ok(text.stdout.startsWith(`${file}:8:9: error [unknown-modifier] unknown modifier 'contans' (did you mean 'contains'?)\n${file}:9:34: error [undefined-identifier] the condition uses 'filter', which is not defined in the detection\n`), text.stdout);
  const json = quarry('validate', '--format', 'json', file);
  const diags = JSON.parse(json.stdout.trim()).documents[0].diagnostics;
  assert.deepEqual(
    diags.map((d: { code: string; line: number; col: number; endLine: number; endCol: number }) => [d.code, d.line, d.col, d.endLine, d.endCol]),
    [
      ['unknown-modifier', 8, 9, 8, 28], // the key CommandLine|contans
      ['undefined-identifier', 9, 34, 9, 40], // the word filter
    ],
  );
});

test('bad command lines get one line and exit code 2', () => {
  const r = quarry('hunt', '--format', 'xml');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--format must be one of table, jsonl, csv, timesketch, timesketch-csv, html, duckdb, not 'xml'/);
  assert.equal(quarry('frobnicate').status, 2);
});
