// The seven SigmaHQ BITS client rules (../shared/data/sigma-rules-bits/) hunted through the real
// hunt path (windows pipeline, channel routing) over the public BITS samples and over realistic
// EventID 16403 records of our own, written as .evtx by the test-only writer. Every hit and every
// non-hit is pinned, with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DATA, REPO } from '../helpers.js';
import { huntFiles } from './run-helpers.js';
import { readEvtxAll } from '../../src/sources/evtx/index.js';
import type { HuntDetection } from '../../src/hunt/detection.js';
import { bits16403, bits16403Record, writeEvtx } from '../fixtures/evtx-writer/index.js';

const RULES_DIR = join(DATA, 'sigma-rules-bits');
const SAMPLES_DIR = join(DATA, 'evtx/bits');
const SAMPLES = readdirSync(SAMPLES_DIR).filter((f) => f.endsWith('.evtx')).sort().map((f) => join(SAMPLES_DIR, f));

/** Short names for the seven rules, by file. */
const RULE = {
  bitsadmin: 'win_bits_client_new_job_via_bitsadmin.yml',
  powershell: 'win_bits_client_new_job_via_powershell.yml',
  extension: 'win_bits_client_new_transfer_saving_susp_extensions.yml',
  sharing: 'win_bits_client_new_transfer_via_file_sharing_domains.yml',
  ip: 'win_bits_client_new_transfer_via_ip_address.yml',
  tld: 'win_bits_client_new_transfer_via_uncommon_tld.yml',
  folder: 'win_bits_client_new_trasnfer_susp_local_folder.yml',
} as const;
type RuleName = keyof typeof RULE;
const shortName = (d: HuntDetection) => (Object.keys(RULE) as RuleName[]).find((k) => basename(d.rule.path) === RULE[k])!;

const ALL_RULES = Object.values(RULE).map((f) => join(RULES_DIR, f));

function ev(d: HuntDetection): Record<string, unknown> {
  return d.event as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Part 1: the public samples.

/** What the public samples hold, read with our reader, so the reasons below are checked too. */
async function sampleFacts() {
  const bitsEventIds = new Set<number>();
  const eid3: Array<{ file: string; recordId: number; version: number; processPath?: string }> = [];
  const channels = new Map<string, Set<string>>();
  for (const f of SAMPLES) {
    const { records, errors } = await readEvtxAll(f, { workers: 0 });
    assert.deepEqual(errors, [], basename(f));
    for (const r of records) {
      const e = r.event.Event as { System: Record<string, unknown>; EventData?: Record<string, unknown> };
      const channel = String(e.System.Channel);
      if (!channels.has(basename(f))) channels.set(basename(f), new Set());
      channels.get(basename(f))!.add(channel);
      if (channel !== 'Microsoft-Windows-Bits-Client/Operational') continue;
      const id = e.System.EventID as number;
      bitsEventIds.add(id);
      if (id === 3) eid3.push({ file: basename(f), recordId: e.System.EventRecordID as number, version: e.System.Version as number, processPath: e.EventData?.processPath as string | undefined });
    }
  }
  return { bitsEventIds, eid3, channels };
}

test('public BITS samples: exactly one of the seven rules fires, once', async () => {
  assert.equal(SAMPLES.length, 7);
  const { detections, prepared, summary } = await huntFiles(ALL_RULES, SAMPLES);
  assert.equal(prepared.set.rules.length, 7, 'all seven rules load and run');
  assert.equal(summary.events, 1572);
  assert.deepEqual(
    detections.map((d) => [shortName(d), basename(d.source.file), ev(d).EventRecordID]),
    [['bitsadmin', 'mdec-bits-job-created-eid3-4-59-60-310.evtx', 10260]],
  );
  // the explanation is the rule's own selection, with the event's values
  assert.deepEqual(
    detections[0]!.matched.map((m) => [m.field, m.modifiers.join('|'), String(m.eventValue)]),
    [['EventID', '', '3'], ['processPath', 'endswith', 'C:\\Windows\\System32\\bitsadmin.exe']],
  );
});

test('public BITS samples: why each rule fires or stays silent', async () => {
  const { bitsEventIds, eid3, channels } = await sampleFacts();
  const endsWith = (p: string | undefined, s: string) => (p ?? '').toLowerCase().endsWith(s);

  // The five 16403 rules (extension, sharing, ip, tld, folder) never fire on these files: no public
  // sample holds a 16403 ("BITS started the transfer job"); the BITS events present are these.
  assert.deepEqual([...bitsEventIds].sort((a, b) => a - b), [3, 4, 5, 59, 60, 61, 209, 306, 310]);

  // bitsadmin fires on EID 3 record 10260 only: its processPath ends with \bitsadmin.exe. It is the
  // only EID 3 of the 260 whose processPath does.
  assert.equal(eid3.length, 260);
  assert.deepEqual(eid3.filter((e) => endsWith(e.processPath, '\\bitsadmin.exe')).map((e) => e.recordId), [10260]);

  // MISSED by bitsadmin (and powershell): four EID 3 records have Version 0, the older layout whose
  // EventData is string/string2/string3 with no processPath at all. sbous-persist-bitsadmin's 3815
  // ("backdoor") and 3825 ("hola") were created by bitsadmin, and mdec-bits-high-volume's 1129 and
  // 1131 ("BITS Transfer", the title Start-BitsTransfer gives) by PowerShell, but neither rule can
  // tell without processPath.
  assert.deepEqual(
    eid3.filter((e) => e.processPath === undefined).map((e) => [e.file, e.recordId, e.version]),
    [
      ['mdec-bits-high-volume-download-eid3-5-59-60.evtx', 1129, 0],
      ['mdec-bits-high-volume-download-eid3-5-59-60.evtx', 1131, 0],
      ['sbous-persist-bitsadmin-eid3-59-60.evtx', 3815, 0],
      ['sbous-persist-bitsadmin-eid3-59-60.evtx', 3825, 0],
    ],
  );

  // powershell never fires: no EID 3 processPath ends with \powershell.exe or \pwsh.exe. The other 255
  // jobs that name their creator come from updaters, services and apps.
  assert.deepEqual(eid3.filter((e) => endsWith(e.processPath, '\\powershell.exe') || endsWith(e.processPath, '\\pwsh.exe')), []);
  const creators = new Map<string, number>();
  for (const e of eid3) if (e.processPath) creators.set(e.processPath.split('\\').pop()!, (creators.get(e.processPath.split('\\').pop()!) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries([...creators].sort()), {
    'GoogleUpdate.exe': 51, 'OneDriveSetup.exe': 2, 'OneDriveStandaloneUpdater.exe': 72, 'SpeechModelDownload.exe': 8,
    'bitsadmin.exe': 1, 'chrome.exe': 11, 'desktopimgdownldr.exe': 1, 'notepad.exe': 9, 'svchost.exe': 101,
  });

  // The PowerShell and Security files hold no BITS client events (Start-BitsTransfer script blocks,
  // a 4688 of bitsadmin.exe): their channels are not bits-client, so the windows pipeline routes
  // none of the seven rules to them.
  assert.deepEqual([...channels.get('mdec-powershell-bits-job-800-4103-4104.evtx')!].sort(), ['Microsoft-Windows-PowerShell/Operational', 'Windows PowerShell']);
  assert.deepEqual([...channels.get('mdec-security-4688-bitsadmin-transfer.evtx')!], ['Security']);
});

// ---------------------------------------------------------------------------------------------
// Part 2: realistic 16403 records of our own.
//
// The five transfer rules read RemoteName and LocalName of EventID 16403 (contains/endswith,
// case-insensitive). The two job rules want EventID 3, so no 16403 can fire them, whatever its
// processPath.

interface Case { remote: string; local: string; processPath?: string; fires: RuleName[]; why: string }

const DL = 'C:\\Users\\jdoe\\Downloads\\';
const CASES: Case[] = [
  { remote: 'https://download.example.com/f.bin', local: DL + 'f.bin', fires: [],
    why: "tld: '.com/' is allow-listed; .bin is not a listed extension; Downloads is not a listed folder" },
  { remote: 'http://evil.top/p.exe', local: DL + 'p.exe', fires: ['extension', 'tld'],
    why: 'tld: no allow-listed domain; extension: .exe outside AppData' },
  { remote: 'http://evil.top/x.com/p.exe', local: 'C:\\Users\\Public\\p.exe', fires: ['extension', 'folder'],
    why: "MISSED by tld: the path '/x.com/' contains '.com/', which the rule's filter allow-lists; extension: .exe; folder: C:\\Users\\Public\\" },
  { remote: 'http://203.0.113.7/a.ps1', local: 'C:\\PerfLogs\\a.ps1', fires: ['extension', 'ip', 'tld', 'folder'],
    why: "ip: 'http://2' and not a private range; tld: no allow-listed domain; extension: .ps1; folder: PerfLogs" },
  { remote: 'https://192.168.1.20/pkg.msi', local: 'C:\\Windows\\Temp\\pkg.msi', fires: ['tld'],
    why: "ip: 'https://1' matches but '://192.168.' is filtered as local; tld: an address has no allow-listed domain; .msi not listed" },
  { remote: 'https://raw.githubusercontent.com/u/r/main/run.hta', local: 'C:\\Users\\jdoe\\AppData\\Local\\Temp\\run.hta', fires: ['sharing'],
    why: "sharing: '.githubusercontent.com'; tld: '.com/' allow-listed; extension: .hta but the AppData + '.com' filter drops it" },
  { remote: 'https://transfer.sh/abc/tool.dll', local: 'C:\\Users\\jdoe\\Desktop\\tool.dll', fires: ['extension', 'sharing', 'tld', 'folder'],
    why: "sharing: 'transfer.sh'; tld: .sh; extension: .dll; folder: \\Desktop\\" },
  { remote: 'https://7-zip.org/a/7z2301-x64.exe', local: DL + '7z2301-x64.exe', fires: ['extension', 'tld'],
    why: "ip: 'https://7' matches but the 7-Zip filter ('https://7-') drops it; tld: .org is not allow-listed (the rule's stated false positive); extension: .exe" },
  { remote: 'https://g.live.sfx.ms/OneDriveSetup.exe', local: 'C:\\Users\\jdoe\\AppData\\Local\\Microsoft\\OneDrive\\StandaloneUpdater\\OneDriveSetup.exe', fires: ['extension'],
    why: "tld: '.sfx.ms/' allow-listed; extension: .exe in AppData, but the URL has no '.com', so the updater filter does not apply (false positive)" },
  { remote: 'https://evil.com:8443/payload.vbs', local: 'C:\\Users\\jdoe\\AppData\\Roaming\\payload.vbs', fires: ['tld'],
    why: "OVER-ALERT by tld: the port breaks '.com/'; extension: .vbs, but AppData + '.com' filters it" },
  { remote: 'https://evil.top/cdn.office.net/x.bat', local: 'C:\\ProgramData\\x.bat', fires: ['extension'],
    why: "MISSED by tld: 'cdn.office.net/' in the path is allow-listed; extension: .bat" },
  { remote: 'https://mega.nz/file/AbCdEf#key', local: 'C:\\Users\\Public\\Documents\\x.zip', fires: ['sharing', 'tld', 'folder'],
    why: "sharing: 'mega.nz'; tld: .nz; folder: C:\\Users\\Public\\; .zip not listed" },
  { remote: 'HTTP://EVIL.TOP/A.PS1', local: 'C:\\USERS\\PUBLIC\\A.PS1', fires: ['extension', 'tld', 'folder'],
    why: 'Sigma string matching is case-insensitive: tld, extension .PS1, folder C:\\USERS\\PUBLIC\\' },
  { remote: 'https://1drv.ms/u/s!AbC', local: DL + 'report.docx', fires: ['ip', 'tld'],
    why: "OVER-ALERT by ip: a host name starting with a digit ('https://1') looks like an address; tld: .ms not allow-listed" },
  { remote: 'http://[2001:db8::1]/a.exe', local: 'C:\\Temp\\a.exe', fires: ['extension', 'tld'],
    why: "MISSED by ip: an IPv6 literal starts with '[', not a digit; tld; extension: .exe" },
  { remote: 'http://172.32.0.5/x.exe', local: 'C:\\Temp\\x.exe', fires: ['extension', 'ip', 'tld'],
    why: 'ip: 172.32.0.0 is outside 172.16.0.0/12, so no local filter applies; tld; extension: .exe' },
  { remote: 'http://10.1.2.3/x.exe', local: 'C:\\Temp\\x.exe', fires: ['extension', 'tld'],
    why: "ip: '://10.' is filtered as local; tld; extension: .exe" },
  { remote: 'http://evil.top/run.ps1', local: 'C:\\Temp\\run.ps1', processPath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', fires: ['extension', 'tld'],
    why: 'powershell (and bitsadmin) want EventID 3: a 16403 from powershell.exe fires only the transfer rules' },
  { remote: 'https://cdn.discordapp.com/attachments/1/2/inv.vbe', local: 'C:\\Users\\jdoe\\Desktop\\inv.vbe', fires: ['extension', 'sharing', 'folder'],
    why: "sharing: 'cdn.discordapp.com'; tld: '.com/' allow-listed; extension: .vbe; folder: \\Desktop\\" },
  { remote: 'https://onedrive-update.azureedge.net/od/setup.exe', local: 'C:\\Windows\\Temp\\setup.exe', fires: ['extension'],
    why: "tld: '.azureedge.net/' allow-listed; extension: .exe" },
];

const FIRST_ID = 5001;
const RULE_ORDER = Object.keys(RULE) as RuleName[];
// the hunt reports a record's detections in rule order (the order the rules were loaded)
const expected = CASES.flatMap((c, i) => [...c.fires].sort((a, b) => RULE_ORDER.indexOf(a) - RULE_ORDER.indexOf(b)).map((r) => [FIRST_ID + i, r]));

function writeCases(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-bits-16403-'));
  const file = join(dir, 'bits-16403.evtx');
  const specs = CASES.map((c, i) => bits16403({
    recordId: FIRST_ID + i, remoteName: c.remote, localName: c.local,
    ...(c.processPath ? { processPath: c.processPath } : {}),
  }));
  writeFileSync(file, writeEvtx(specs.map(bits16403Record)));
  return file;
}

const key = (d: HuntDetection) => [ev(d).EventRecordID as number, shortName(d)];

test('our 16403 records (.evtx): exactly the expected rules fire on each, for the stated reason', async () => {
  const file = writeCases();
  const { detections, summary } = await huntFiles(ALL_RULES, [file]);
  assert.equal(summary.events, CASES.length);
  const got = detections.map(key);
  const problems: string[] = [];
  CASES.forEach((c, i) => {
    const id = FIRST_ID + i;
    const fired = got.filter(([r]) => r === id).map(([, n]) => n as RuleName).sort();
    const want = [...c.fires].sort();
    if (JSON.stringify(fired) !== JSON.stringify(want)) problems.push(`${id} ${c.remote} -> ${c.local}: fired [${fired}], expected [${want}] (${c.why})`);
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(got, expected, 'in record order, then rule order');
  // each of the five transfer rules fires at least once, the two job rules never
  const fired = new Set(got.map(([, n]) => n));
  assert.deepEqual(RULE_ORDER.filter((r) => fired.has(r)), ['extension', 'sharing', 'ip', 'tld', 'folder']);
});

test('the same records as EVTX-shaped JSON (quarry evtx dump) give identical detections', async () => {
  const file = writeCases();
  const dump = spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), 'evtx', 'dump', file, '--format', 'jsonl'], { encoding: 'utf8' });
  assert.equal(dump.status, 0, dump.stderr);
  const jsonFile = file.replace(/\.evtx$/, '.ndjson');
  writeFileSync(jsonFile, dump.stdout);
  assert.equal(dump.stdout.trim().split('\n').length, CASES.length);

  const fromEvtx = await huntFiles(ALL_RULES, [file]);
  const fromJson = await huntFiles(ALL_RULES, [jsonFile]);
  assert.deepEqual(fromJson.detections.map(key), expected);
  assert.deepEqual(fromJson.detections.map(key), fromEvtx.detections.map(key));
  // same explanations and the same flattened events
  assert.deepEqual(fromJson.detections.map((d) => d.matched), fromEvtx.detections.map((d) => d.matched));
  assert.deepEqual(fromJson.detections.map((d) => d.event), fromEvtx.detections.map((d) => d.event));
});
