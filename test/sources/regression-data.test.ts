// Every evtx_dump-style JSON file in SigmaHQ's regression data, and the Zeek NDJSON logs, read cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSource } from '../../src/sources/open-source.js';
import type { LogEvent } from '../../src/sources/types.js';
import { DATA, readAll } from './helpers.js';
import { firstItems, itemAt } from '../items.js';

const REGRESSION = join(DATA, 'sigma-regression');

function regressionJsonFiles(): string[] {
  const files: string[] = [];
  for (const dir of readdirSync(REGRESSION, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(REGRESSION, dir.name))) if (f.endsWith('.json')) files.push(join(REGRESSION, dir.name, f));
  }
  return files.sort();
}

/** The objects of a file as evtx_dump writes them (back to back, each starting with '{' in column 1). */
function independentlySplit(text: string): { line: number; value: { Event: Record<string, unknown> } }[] {
  const out = [];
  const lines = text.split('\n');
  let start = -1;
  for (let i = 0; i <= lines.length; i++) {
    if (i === lines.length || lines[i]!.startsWith('{')) {
      if (start >= 0) out.push({ line: start + 1, value: JSON.parse(lines.slice(start, i).join('\n')) });
      start = i;
    }
  }
  return out;
}

const SYSTEM_NAMES = new Set(['EventID', 'Channel', 'Computer', 'Level', 'Task', 'Opcode', 'Keywords', 'Version', 'EventRecordID', 'ProcessID', 'ThreadID', 'UserID']);

test('every sigma-regression JSON file reads with zero problems and the right count', async () => {
  const files = regressionJsonFiles();
  assert.ok(files.length >= 140, `found ${files.length} files`);
  let multi = 0;
  let total = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const expected = text.match(/^\{/gm)?.length ?? 0;
    if (expected > 1) multi++;
    const source = await openSource(file);
    assert.equal(source.format, 'json');
    const { records, problems } = await readAll(source);
    assert.deepEqual(problems, [], file);
    assert.equal(records.length, expected, file);
    total += records.length;

    const raw = independentlySplit(text);
    assert.equal(raw.length, expected);
    for (const [i, { event, location }] of records.entries()) {
      const want = raw[i]!; // as many as records: both equal `expected`, asserted above
      assert.deepEqual(location, { file, line: want.line, record: i + 1 });
      checkFlattened(event, want.value.Event, file);
    }
  }
  assert.equal(multi, 10, 'files holding several concatenated objects');
  assert.equal(total, 167);
});

/** Generic check against the raw nested event: every System and payload value lands where it should. */
function checkFlattened(flat: LogEvent, ev: Record<string, any>, file: string): void {
  const sys = ev.System;
  assert.equal(flat.EventID, sys.EventID, file);
  assert.equal(flat.Channel, sys.Channel);
  assert.equal(flat.Computer, sys.Computer);
  assert.equal(flat.Provider_Name, sys.Provider['#attributes'].Name);
  assert.equal(flat.Provider_Guid, sys.Provider['#attributes'].Guid);
  assert.equal(flat.EventRecordID, sys.EventRecordID);
  assert.equal(flat.TimeCreated, sys.TimeCreated['#attributes'].SystemTime);
  assert.equal(flat.ProcessID, sys.Execution['#attributes'].ProcessID);
  assert.equal(flat.ThreadID, sys.Execution['#attributes'].ThreadID);
  assert.equal(flat.UserID, sys.Security['#attributes'].UserID);
  for (const k of ['Level', 'Task', 'Opcode', 'Keywords', 'Version']) assert.equal(flat[k], sys[k]);
  const payloads = [ev.EventData, ...Object.values(ev.UserData ?? {})].filter((p) => p);
  for (const payload of payloads) {
    for (const [k, v] of Object.entries(payload as object)) {
      if (k === '#attributes' || SYSTEM_NAMES.has(k)) continue;
      assert.deepEqual(flat[k], v, `${file}: ${k}`);
    }
  }
  // the nested original is reachable but not enumerable
  assert.deepEqual((flat as any).Event, ev);
  assert.equal(Object.keys(flat).includes('Event'), false);
}

test('concrete fields of real events', async () => {
  const read = async (dir: string) => {
    const files = readdirSync(join(REGRESSION, dir)).filter((f) => f.endsWith('.json'));
    return (await readAll(await openSource(join(REGRESSION, dir, itemAt(files, 0))))).records.map((r) => r.event);
  };

  // Sysmon 13 (registry value set): the 4th of 4 objects
  const reg = await read('registry_set_disable_system_restore');
  assert.equal(reg.length, 4);
  const e13 = reg[3]!;
  assert.equal(e13.EventID, 13);
  assert.equal(e13.Channel, 'Microsoft-Windows-Sysmon/Operational');
  assert.equal(e13.Provider_Name, 'Microsoft-Windows-Sysmon');
  assert.equal(e13.TargetObject, 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SystemRestore\\DisableSR');
  assert.equal(e13.Details, 'DWORD (0x00000001)');
  assert.equal(e13.EventType, 'SetValue');
  assert.equal(e13.Image, 'C:\\WINDOWS\\system32\\reg.exe');
  // EventData ProcessId (the process that set the value) and System ProcessID (Sysmon itself) both survive
  assert.equal(e13.ProcessId, 9004);
  assert.equal(e13.ProcessID, 3208);
  assert.equal(e13.EventRecordID, 35585);
  assert.equal(e13.TimeCreated, '2026-03-11T05:55:54.364135Z');

  // Sysmon 1 (process creation)
  const [p1] = firstItems(await read('proc_creation_win_findstr_recon_everyone'), 1);
  assert.equal(p1.EventID, 1);
  assert.equal(p1.Image, 'C:\\Windows\\System32\\icacls.exe');
  assert.equal(p1.CommandLine, 'icacls  "C:\\Program Files\\*"');
  assert.equal(p1.ParentImage, 'C:\\Windows\\System32\\cmd.exe');
  assert.equal(p1.OriginalFileName, 'iCACLS.EXE');
  assert.equal(p1.IntegrityLevel, 'High');
  assert.equal(p1.Product, 'Microsoft® Windows® Operating System');
  assert.equal(p1.TerminalSessionId, 2);
  assert.equal(p1.Computer, 'ar-win-dc.attackrange.local');
  assert.equal(p1.UserID, 'S-1-5-18');
  assert.equal(p1.SecurityUserID, 'S-1-5-18');

  // WMI-Activity 5858: UserData.Operation_ClientFailure.* at top level, Correlation ActivityID
  const [wmi] = firstItems(await read('win_wmi_activity_nteventlogfile_cleareventlog'), 1);
  assert.equal(wmi.EventID, 5858);
  assert.equal(wmi.Channel, 'Microsoft-Windows-WMI-Activity/Operational');
  assert.equal(wmi.User, 'swachchhanda\\xodih');
  assert.equal(wmi.ClientProcessId, 25920);
  assert.equal(wmi.ResultCode, '0x80041003');
  assert.match(wmi.Operation as string, /Win32_NTEventlogFile.*::cleareventlog$/);
  assert.equal(wmi.Correlation_ActivityID, '8E521E2B-7C26-0001-417F-9C8E267CDB01');
  assert.equal(wmi.xmlns, undefined);
  assert.equal((wmi as any).Event.UserData.Operation_ClientFailure.User, 'swachchhanda\\xodih');

  // TaskScheduler 142: EventData carries #attributes (Name=TaskDisabled), not a field
  const [task] = firstItems(await read('win_taskscheduler_susp_schtasks_delete_or_disable'), 1);
  assert.equal(task.EventID, 142);
  assert.equal(task.TaskName, '\\Microsoft\\Windows\\SystemRestore\\SR');
  assert.equal(task.UserName, 'System');
  assert.equal(task.Name, undefined);

  // Defender: field names with spaces stay as they are
  const [def] = firstItems(await read('win_defender_exploit_redsun_tiering_engine_detected_as_eicar'), 1);
  assert.equal(def['Threat Name'], 'Tool:Win32/EICAR_Test_File');
  assert.equal(def.Channel, 'Microsoft-Windows-Windows Defender/Operational');
});

test('Zeek NDJSON logs read cleanly, one record a line, unchanged but for the derived uri_* fields', async () => {
  for (const name of ['zeek-json-apt29-day1-SCRANTON_http.log', 'zeek-json-apt29-day2-UTICA-A_http.log']) {
    const file = join(DATA, 'proxy', name);
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const source = await openSource(file);
    assert.equal(source.format, 'zeek-json');
    const { records, problems } = await readAll(source);
    assert.deepEqual(problems, []);
    assert.equal(records.length, lines.length);
    records.forEach((r, i) => {
      assert.equal(r.location.line, i + 1);
      const { uri_path, uri_query, uri_extension, ...logged } = r.event;
      assert.deepEqual(logged, JSON.parse(lines[i]!)); // as many lines as records (asserted above)
      assert.equal(typeof uri_path, 'string');
      void uri_query, void uri_extension;
    });
    assert.ok(records.every((r) => typeof r.event.id_orig_h === 'string' && typeof r.event.uri === 'string'));
  }
});
