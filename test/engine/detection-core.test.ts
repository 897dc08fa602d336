// The one detection core: a field with several names (Sysmon's Image, Security's NewProcessName)
// read as one logical field, on real SigmaHQ rules and on both event shapes; the same answer from
// the hunt, stack and the playground; filters for any rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DATA, REPO } from '../helpers.js';
import { loadSigmaPaths, parseSigmaText, emptyCollection, addParsedFile, checkCollection } from '../../src/sigma/load.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { prepareRules } from '../../src/engine/rulebook.js';
import { Detector } from '../../src/engine/detector.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { convertRule } from '../../src/backends/common/convert.js';
import { kqlBackend, kqlPipeline } from '../../src/backends/kql/index.js';
import { sqlBackend } from '../../src/backends/sql/index.js';
import { runPlayground } from '../../src/playground/run.js';

const PROC = join(DATA, 'sigmahq/rules/windows/process_creation');
const windows = builtinPipeline('windows')!;

function detectorFor(file: string): Detector {
  const col = loadSigmaPaths([file]);
  const prepared = prepareRules(col, { pipelines: [windows], regex: re2Regex });
  assert.equal(prepared.set.rules.length, 1, prepared.skipped.map((s) => s.reason).join('; '));
  return new Detector(prepared.set, { regex: re2Regex });
}

/** A process creation as Sysmon logs it (event 1) and as the Security log does (event 4688). */
function sysmon1(fields: { image?: string; parent?: string; commandLine?: string }): Record<string, unknown> {
  return { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, ...(fields.image !== undefined ? { Image: fields.image } : {}), ...(fields.parent !== undefined ? { ParentImage: fields.parent } : {}), CommandLine: fields.commandLine ?? 'x.exe' };
}
function security4688(fields: { image?: string; parent?: string; commandLine?: string }): Record<string, unknown> {
  return { Channel: 'Security', EventID: 4688, ...(fields.image !== undefined ? { NewProcessName: fields.image } : {}), ...(fields.parent !== undefined ? { ParentProcessName: fields.parent } : {}), CommandLine: fields.commandLine ?? 'x.exe' };
}

const fires = (d: Detector, ev: Record<string, unknown>) => d.next(ev).matches.length > 0;

test('Image: null on a field with two names: a userinit child fires on Sysmon 1 and on 4688, and not when neither name is logged', () => {
  const d = detectorFor(join(PROC, 'proc_creation_win_susp_userinit_child.yml'));
  const child = { image: 'C:\\Users\\Public\\evil.exe', parent: 'C:\\Windows\\System32\\userinit.exe', commandLine: 'evil.exe' };
  assert.ok(fires(d, sysmon1(child)), 'Sysmon 1');
  assert.ok(fires(d, security4688(child)), 'Security 4688');
  // The rule's own filters still hold: explorer as the child, and no image name at all.
  assert.ok(!fires(d, sysmon1({ ...child, image: 'C:\\Windows\\explorer.exe' })));
  assert.ok(!fires(d, security4688({ ...child, image: 'C:\\Windows\\explorer.exe' })));
  assert.ok(!fires(d, sysmon1({ parent: child.parent })), 'no Image: filter_main_null holds');
  assert.ok(!fires(d, security4688({ parent: child.parent })), 'no NewProcessName: filter_main_null holds');
});

test('ParentImage: null and empty: whoami from an odd parent fires in both shapes; a missing parent does not', () => {
  const d = detectorFor(join(PROC, 'proc_creation_win_whoami_parent_anomaly.yml'));
  const ev = { image: 'C:\\Windows\\System32\\whoami.exe', parent: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe' };
  assert.ok(fires(d, sysmon1(ev)));
  assert.ok(fires(d, security4688(ev)));
  assert.ok(!fires(d, sysmon1({ ...ev, parent: 'C:\\Windows\\System32\\cmd.exe' })));
  assert.ok(!fires(d, security4688({ ...ev, parent: 'C:\\Windows\\System32\\cmd.exe' })));
  assert.ok(!fires(d, sysmon1({ image: ev.image })), 'no parent logged');
  assert.ok(!fires(d, security4688({ image: ev.image, parent: '-' })), "parent '-'");
});

test('converted queries carry the AND form for tests that hold on a missing field, the OR form otherwise', () => {
  const rule = loadSigmaPaths([join(PROC, 'proc_creation_win_whoami_parent_anomaly.yml')]).rules[0]!;
  const sql = convertRule(rule, sqlBackend, [windows]);
  assert.ok(sql.ok, sql.ok ? '' : sql.error);
  assert.match(sql.query, /"ParentImage" IS NULL\) AND \("ParentProcessName" IS NULL/);
  const kql = convertRule(rule, kqlBackend, [windows, kqlPipeline('sentinel-windowsevent')!]);
  assert.ok(kql.ok, kql.ok ? '' : kql.error);
  // KQL reads a missing value as empty, so '' is ANDed over the two names too; '-' stays ORed.
  assert.match(kql.query, /\(isempty\(ParentImage\) and isempty\(ParentProcessName\)\)/);
  assert.match(kql.query, /\(ParentImage =~ "" and ParentProcessName =~ ""\)/);
  assert.match(kql.query, /ParentImage =~ "-" or ParentProcessName =~ "-"/);
});

test('hunt, stack and the playground give the same answer on the same rule and events', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-core-'));
  const rule = `title: Security Log Cleared
id: 0a1b2c3d-0000-4000-8000-000000000001
status: test
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 1102
    condition: selection
level: high
`;
  mkdirSync(join(dir, 'rules'));
  writeFileSync(join(dir, 'rules/cleared.yml'), rule);
  // One event with no Channel (log source unknown: it meets every rule, unguarded), one Security
  // event, one System event with the same id (its channel routes it away from the rule).
  const events = [{ EventID: 1102, Computer: 'a' }, { Channel: 'Security', EventID: 1102, Computer: 'b' }, { Channel: 'System', EventID: 1102, Computer: 'c' }];
  const log = join(dir, 'events.ndjson');
  writeFileSync(log, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const quarry = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), ...args], { encoding: 'utf8' });

  const h = quarry('hunt', '--rules', join(dir, 'rules'), '--format', 'jsonl', '--quiet', log);
  assert.equal(h.status, 0, h.stderr);
  const hunted = h.stdout.trim().split('\n').map((l) => JSON.parse(l).event.Computer);

  const s = quarry('stack', '--by', 'Computer', '--rules', join(dir, 'rules'), '--format', 'jsonl', log);
  assert.equal(s.status, 0, s.stderr);
  const stacked = s.stdout.trim().split('\n').map((l) => JSON.parse(l).value).sort();

  const p = runPlayground({ yaml: rule, events: events.map((e) => JSON.stringify(e)).join('\n'), pipelines: ['windows'] });
  const played = p.matches.flatMap((m, i) => (m.length ? [events[i]!.Computer] : []));

  assert.deepEqual(hunted, ['a', 'b']);
  assert.deepEqual(stacked, hunted);
  assert.deepEqual(played, hunted);
});

const RULE = (id: string, title: string, category: string, field: string) => `title: ${title}
id: ${id}
status: test
logsource:
    product: windows
    category: ${category}
detection:
    selection:
        ${field}|contains: evil
    condition: selection
level: high
`;

test("a filter with 'rules: any' applies to every rule of its log source and to no other", () => {
  const col = emptyCollection();
  addParsedFile(col, parseSigmaText(RULE('00000000-0000-4000-8000-00000000000a', 'A', 'process_creation', 'CommandLine'), 'a.yml'));
  addParsedFile(col, parseSigmaText(RULE('00000000-0000-4000-8000-00000000000b', 'B', 'process_creation', 'Image'), 'b.yml'));
  addParsedFile(col, parseSigmaText(RULE('00000000-0000-4000-8000-00000000000c', 'C', 'file_event', 'TargetFilename'), 'c.yml'));
  addParsedFile(
    col,
    parseSigmaText(
      `title: Lab hosts
id: 00000000-0000-4000-8000-0000000000ff
logsource:
    product: windows
    category: process_creation
filter:
    rules: any
    selection:
        Computer|startswith: LAB-
    condition: selection
`,
      'f.yml',
    ),
  );
  checkCollection(col);
  assert.deepEqual(col.rejected, []);
  assert.deepEqual(col.diagnostics.filter((d) => d.file === 'f.yml'), [], 'no warning about a rule named any');
  const d = new Detector(prepareRules(col, { pipelines: [], regex: re2Regex }).set, { regex: re2Regex });
  const titles = (ev: Record<string, unknown>) => d.next(ev).matches.map((m) => m.rule.ir.rule.title);
  const all = { CommandLine: 'evil', Image: 'evil.exe', TargetFilename: 'evil.txt' };
  assert.deepEqual(titles({ ...all, Computer: 'WS-1' }), ['A', 'B', 'C']);
  assert.deepEqual(titles({ ...all, Computer: 'LAB-7' }), ['C'], 'the file_event rule is not of the filter’s log source');
});

test('quarry hunt counts correlation rules, runs them, and counts base matches it could not group', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-corr-'));
  writeFileSync(
    join(dir, 'rules.yml'),
    `${RULE('00000000-0000-4000-8000-0000000000a1', 'Evil command', 'process_creation', 'CommandLine')}---
title: Many evil commands
id: 00000000-0000-4000-8000-0000000000a2
status: test
correlation:
    type: event_count
    rules:
        - 00000000-0000-4000-8000-0000000000a1
    group-by:
        - Computer
    timespan: 5m
    condition:
        gte: 3
level: high
`,
  );
  writeFileSync(join(dir, 'e.ndjson'), [{ CommandLine: 'evil', '@timestamp': '2026-11-20T08:00:00Z' }, { CommandLine: 'evil' }].map((e) => JSON.stringify(e)).join('\n') + '\n');
  const r = spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), 'hunt', '--rules', join(dir, 'rules.yml'), join(dir, 'e.ndjson')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /rules {6}1 loaded/);
  assert.match(r.stderr, /correlations 1 loaded, 1 run on event time; 0 cannot run/);
  // Neither base match has a Computer (the group-by field): the timed one joins no group, the
  // other has no time to place it in a window; both are counted.
  assert.match(r.stderr, /Correlations: 0 alerts from 1 base matches \(2 not reported on their own\); 1 without a group-by field, 1 without a readable time/);
});

test('an event whose EventID is a list meets the rules filed under any of its ids, as the rules themselves read a list', () => {
  // A network connection rule: the windows pipeline guards it with Sysmon's channel and event 3, and
  // the channel index files it under that id. An event listing several ids must still reach it, as
  // the guard itself reads a list (it was a silent miss).
  const d = detectorFor(join(DATA, 'sigmahq/rules/windows/network_connection/net_connection_win_addinutil_initiated.yml'));
  const base = { Channel: 'Microsoft-Windows-Sysmon/Operational', Initiated: 'true', Image: 'C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\AddInUtil.exe' };
  const fires = (event: Record<string, unknown>) => d.next(event).matches.length > 0;
  assert.ok(fires({ ...base, EventID: 3 }), 'a single id');
  assert.ok(fires({ ...base, EventID: [1, 3] }), 'the id second in a list');
  assert.ok(fires({ ...base, EventID: ['3'] }), 'as text in a list');
  assert.ok(fires({ ...base, EventID: [[1], [3]] }), 'in a nested list');
  assert.ok(!fires({ ...base, EventID: [1, 5] }), 'no listed id is the rule’s');
  assert.ok(!fires({ ...base, EventID: [] }), 'an empty list');
  assert.ok(!fires({ ...base, Channel: 'Security', EventID: [3] }), 'another channel');
});
