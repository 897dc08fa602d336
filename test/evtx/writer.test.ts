// The test-only EVTX writer (test/fixtures/evtx-writer) checked against two independent readers:
// ours and Debian's evtxexport. Both must read every record written, with the values written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readEvtxAll } from '../../src/sources/evtx/index.js';
import { bits16403, bits16403Record, BITS_CHANNEL, BITS_PROVIDER, BITS_PROVIDER_GUID, EVENT_DATA_16403, writeEvtx, type Bits16403 } from '../fixtures/evtx-writer/index.js';
import { parseXml, parseXmlElement } from './mini-xml.js';
import { itemAt } from '../items.js';
import { diffEvents, flattenEvent, type Flat } from './evtxexport-compare.js';
import { needs } from '../services.js';

const noEvtxexport = needs('evtxexport');

// Varied on purpose: XML-special and non-ASCII text, an ActivityID, a second computer (a second
// System template in the same chunk), 64-bit values beyond 2^53, and enough records for 4 chunks.
const SPECIAL: Bits16403[] = [
  bits16403({ recordId: 1 }),
  bits16403({
    recordId: 2, activityId: '746FD3D9-D296-42DA-9F9C-B7FF6FA9151B', computer: 'DC01.corp.example',
    userId: 'S-1-5-21-1004336348-1177238915-682003330-1104',
    jobTitle: 'Jöb “ünïcode” 日本 <&> \'q\' "dq"', remoteName: 'http://evil.top/x.com/p.exe?a=1&b=<2>',
    localName: 'C:\\Users\\Public\\p.exe', time: '2026-11-20T23:59:59.9999999Z',
  }),
  bits16403({
    recordId: 3, clientProcessStartKey: 2n ** 64n - 1n, fileLength: 2n ** 63n + 5n, bytesTotal: 2n ** 53n + 1n,
    bytesTransferred: 4096n, bytesTransferredFromPeer: 17n, processId: 0xffffffff, fileTime: '1601-01-01T00:00:00Z',
  }),
];
const SPECS: Bits16403[] = [...SPECIAL];
for (let id = 4; id <= 260; id++) {
  SPECS.push(bits16403({ recordId: id, remoteName: `https://cdn${id}.example.net/pkg/${'p'.repeat(id % 97)}.cab`, computer: id % 2 ? 'ws042.corp.example' : 'DC01.corp.example' }));
}

const dir = mkdtempSync(path.join(tmpdir(), 'quarry-evtx-writer-'));
const FILE = path.join(dir, 'bits-16403.evtx');
writeFileSync(FILE, writeEvtx(SPECS.map(bits16403Record)));

const JSON_SAFE = (n: bigint) => (n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : undefined);
const iso6 = (iso: string) => iso.replace(/\.(\d+)Z$/, (_m, f: string) => '.' + f.padEnd(7, '0').slice(0, 6) + 'Z').replace(/:(\d\d)Z$/, ':$1.000000Z');
const iso7 = (iso: string) => iso.replace(/\.(\d+)Z$/, (_m, f: string) => '.' + f.padEnd(7, '0') + 'Z').replace(/:(\d\d)Z$/, ':$1.0000000Z');

/** The evtx_dump JSON shape of what was written (64-bit values beyond 2^53 are checked in XML). */
function expectedJson(s: Bits16403): Record<string, unknown> {
  const data: Record<string, unknown> = {
    jobTitle: s.jobTitle, jobId: s.jobId, jobOwner: s.jobOwner, processPath: s.processPath, processId: s.processId,
    ClientProcessStartKey: JSON_SAFE(s.clientProcessStartKey), RemoteName: s.remoteName, LocalName: s.localName,
    fileTime: iso6(s.fileTime), fileLength: JSON_SAFE(s.fileLength), bytesTotal: JSON_SAFE(s.bytesTotal),
    bytesTransferred: JSON_SAFE(s.bytesTransferred), bytesTransferredFromPeer: JSON_SAFE(s.bytesTransferredFromPeer),
  };
  return {
    Event: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        Provider: { '#attributes': { Name: BITS_PROVIDER, Guid: BITS_PROVIDER_GUID } },
        EventID: 16403, Version: 0, Level: 4, Task: 0, Opcode: 0, Keywords: '0x4000000000000000',
        TimeCreated: { '#attributes': { SystemTime: iso6(s.time) } },
        EventRecordID: s.recordId,
        Correlation: s.activityId ? { '#attributes': { ActivityID: s.activityId } } : null,
        Execution: { '#attributes': { ProcessID: s.execProcessId, ThreadID: s.execThreadId } },
        Channel: BITS_CHANNEL, Computer: s.computer,
        Security: { '#attributes': { UserID: s.userId } },
      },
      EventData: data,
    },
  };
}

/** The same, as the flattened XML paths of evtxexport-compare (exact 64-bit values). */
function expectedFlat(s: Bits16403): Flat {
  const f: Flat = new Map();
  const S = 'Event/System';
  f.set('Event@xmlns', 'http://schemas.microsoft.com/win/2004/08/events/event');
  f.set(`${S}/Provider`, '').set(`${S}/Provider@Name`, BITS_PROVIDER).set(`${S}/Provider@Guid`, BITS_PROVIDER_GUID);
  f.set(`${S}/EventID`, '16403').set(`${S}/Version`, '0').set(`${S}/Level`, '4').set(`${S}/Task`, '0').set(`${S}/Opcode`, '0');
  f.set(`${S}/Keywords`, '0x4000000000000000');
  f.set(`${S}/TimeCreated`, '').set(`${S}/TimeCreated@SystemTime`, iso7(s.time));
  f.set(`${S}/EventRecordID`, String(s.recordId));
  f.set(`${S}/Correlation`, '');
  if (s.activityId) f.set(`${S}/Correlation@ActivityID`, s.activityId);
  f.set(`${S}/Execution`, '').set(`${S}/Execution@ProcessID`, String(s.execProcessId)).set(`${S}/Execution@ThreadID`, String(s.execThreadId));
  f.set(`${S}/Channel`, BITS_CHANNEL).set(`${S}/Computer`, s.computer);
  f.set(`${S}/Security`, '').set(`${S}/Security@UserID`, s.userId);
  const values: Record<string, string> = {
    jobTitle: s.jobTitle, jobId: s.jobId, jobOwner: s.jobOwner, processPath: s.processPath, processId: String(s.processId),
    ClientProcessStartKey: String(s.clientProcessStartKey), RemoteName: s.remoteName, LocalName: s.localName,
    fileTime: iso7(s.fileTime), fileLength: String(s.fileLength), bytesTotal: String(s.bytesTotal),
    bytesTransferred: String(s.bytesTransferred), bytesTransferredFromPeer: String(s.bytesTransferredFromPeer),
  };
  for (const [name] of EVENT_DATA_16403) {
    const value = values[name];
    if (value === undefined) throw new Error(`no expected value for EventData ${name}`);
    f.set(`Event/EventData/Data[${name}]`, value).set(`Event/EventData/Data[${name}]@Name`, name);
  }
  return f;
}

test('the writer packs 260 records into 4 chunks with valid file and chunk CRCs (our reader)', async () => {
  const { records, errors, stats } = await readEvtxAll(FILE, { workers: 0, xml: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(stats.warnings, [], 'no CRC or structure warnings');
  assert.equal(stats.header?.checksumOk, true);
  assert.equal(stats.header?.chunkCount, 4);
  assert.equal(stats.header?.nextRecordId, 261);
  assert.equal(stats.chunks, 4);
  assert.equal(stats.recordsOk, 260);
  assert.deepEqual(records.map((r) => r.recordId), SPECS.map((s) => s.recordId));
  assert.deepEqual([...new Set(records.map((r) => r.chunk))], [0, 1, 2, 3]);
});

test('our reader returns every value written: JSON shape and XML', async () => {
  const { records } = await readEvtxAll(FILE, { workers: 0, xml: true });
  const problems: string[] = [];
  records.forEach((r, i) => {
    const s = itemAt(SPECS, i);
    const want = expectedJson(s);
    const wantData = (want.Event as { EventData: Record<string, unknown> }).EventData;
    const gotData = (r.event.Event as { EventData: Record<string, unknown> }).EventData;
    // values beyond 2^53 come back as bigint (exact); their digits are checked below and in the XML
    for (const [k, v] of Object.entries(wantData)) if (v === undefined) { wantData[k] = gotData[k]; assert.equal(typeof gotData[k], 'bigint'); }
    try { assert.deepStrictEqual(r.event, want); } catch (e) { problems.push(`record ${s.recordId}: ${(e as Error).message.slice(0, 400)}`); }
    if (r.timestamp !== iso6(s.time)) problems.push(`record ${s.recordId}: written time ${r.timestamp}`);
    for (const d of diffEvents(flattenEvent(parseXmlElement(r.xml!)), expectedFlat(s))) problems.push(`record ${s.recordId} xml: ${d}`);
  });
  assert.deepEqual(problems, []);
  // the exact 64-bit values, in the JSON shape and in the XML
  const d3 = (records[2]!.event.Event as { EventData: Record<string, unknown> }).EventData;
  assert.equal(d3.ClientProcessStartKey, 18446744073709551615n);
  assert.equal(d3.fileLength, 9223372036854775813n);
  const x3 = flattenEvent(parseXmlElement(records[2]!.xml!));
  assert.equal(x3.get('Event/EventData/Data[ClientProcessStartKey]'), '18446744073709551615');
  assert.equal(x3.get('Event/EventData/Data[fileLength]'), '9223372036854775813');
});

test('evtxexport reads every record written, with the values written', { skip: noEvtxexport }, () => {
  const run = spawnSync('evtxexport', ['-f', 'xml', FILE], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  const theirs = parseXml(run.stdout.slice(run.stdout.indexOf('<'))).filter((e) => e.name === 'Event').map(flattenEvent);
  assert.equal(theirs.length, SPECS.length);
  const problems: string[] = [];
  theirs.forEach((t, i) => {
    const s = SPECS[i]!; // as many as theirs (asserted above)
    for (const d of diffEvents(expectedFlat(s), t)) problems.push(`record ${s.recordId}: ${d}`);
  });
  assert.deepEqual(problems, []);
  const info = spawnSync('evtxinfo', [FILE], { encoding: 'utf8' });
  if (!info.error) {
    assert.match(info.stdout, /Number of records\s*:\s*260\b/);
    assert.match(info.stdout, /Number of recovered records\s*:\s*0\b/);
  }
});

test('names and templates are stored once per chunk and referenced after that, as Windows does', async () => {
  const { records } = await readEvtxAll(FILE, { workers: 0 });
  const size = (i: number) => {
    const r = itemAt(records, i), next = records[i + 1];
    return next?.chunk === r.chunk ? next.offset - r.offset : 0;
  };
  // record 1 carries both templates inline; record 4 (same computer as record 1) only its values
  assert.ok(size(0) > 2 * size(3), `first record ${size(0)} bytes, fourth ${size(3)}`);
  const firstOfChunk1 = records.findIndex((r) => r.chunk === 1);
  assert.ok(size(firstOfChunk1) > 2 * size(firstOfChunk1 + 2), 'a new chunk stores its templates again');
});
