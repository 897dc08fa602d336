// The two seed rules on events of our own: exactly which fire, with the path tricks, ports, case
// and trailing dots that substring tests on raw text get wrong. The comments say where the
// original rules over- or under-alert; the hardened rules of the proxy issue address them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA } from '../helpers.js';
import { huntFiles } from './run-helpers.js';

const BITS_RULE = join(DATA, 'sigma-rules-bits/win_bits_client_new_transfer_via_uncommon_tld.yml');
const PROXY_RULE = join(DATA, 'sigmahq/rules/web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml');

function bitsEvent(recordId: number, remoteName: string, eventId = 16403, channel = 'Microsoft-Windows-Bits-Client/Operational') {
  return {
    Event: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        Provider: { '#attributes': { Name: 'Microsoft-Windows-Bits-Client', Guid: 'EF1CC15B-46C1-414E-BB95-E76B077BD51E' } },
        EventID: eventId,
        Version: 1,
        Level: 4,
        Task: 0,
        Opcode: 0,
        Keywords: '0x4000000000000000',
        TimeCreated: { '#attributes': { SystemTime: '2026-11-20T10:00:00.000000Z' } },
        EventRecordID: recordId,
        Correlation: null,
        Execution: { '#attributes': { ProcessID: 1204, ThreadID: 5520 } },
        Channel: channel,
        Computer: 'ws01.corp.example',
        Security: { '#attributes': { UserID: 'S-1-5-18' } },
      },
      EventData: { jobTitle: 'job', jobId: '{4F8C2D1A-9B3E-4A6F-8C7D-1E2F3A4B5C6D}', jobOwner: 'CORP\\jdoe', processPath: 'C:\\Windows\\System32\\bitsadmin.exe', processId: 4101, ClientProcessStartKey: 1688849860263951, RemoteName: remoteName, LocalName: 'C:\\Temp\\f.bin', fileTime: '2026-11-20T10:00:00Z', fileLength: 100, bytesTotal: 100, bytesTransferred: 0 },
    },
  };
}

function writeNdjson(lines: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-seed-'));
  const file = join(dir, 'events.ndjson');
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

test('seed 1 (BITS 16403 to an uncommon TLD): which transfers fire', async () => {
  // [record id, RemoteName, fires?, why]
  const cases: Array<[number, string, boolean, string]> = [
    [1, 'http://evil.top/payload.exe', true, 'uncommon TLD'],
    [2, 'http://evil.top/x.com/p.exe', false, 'MISSED: the path contains ".com/", so the filter hides an uncommon TLD'],
    [3, 'https://download.microsoft.com/x.exe', false, '.com/ filtered'],
    [4, 'HTTPS://CDN.EXAMPLE.COM/X.EXE', false, 'filtered case-insensitively'],
    [5, 'https://example.com:8080/file.bin', true, 'OVER-ALERT: the port breaks ".com/"'],
    [6, 'http://evil.top./p.exe', true, 'trailing dot on an uncommon TLD'],
    [7, 'http://legit.com./x', true, 'OVER-ALERT: a trailing dot breaks ".com/"'],
    [8, 'https://files.azureedge.net/x', false, '.azureedge.net/ filtered'],
    [9, 'https://good.com', true, 'OVER-ALERT: no path, so no "/" after .com'],
    [10, 'https://tscdn.m365.static.microsoft/x', false, 'allow-listed Microsoft CDN'],
  ];
  const file = writeNdjson([
    ...cases.map(([id, url]) => bitsEvent(id, url)),
    bitsEvent(11, 'http://evil.top/a', 59), // another BITS event id: not a new transfer
    bitsEvent(12, 'http://evil.top/b', 16403, 'Security'), // right id, wrong channel: not this log source
  ]);
  const { detections, prepared } = await huntFiles([BITS_RULE], [file]);
  assert.equal(prepared.set.rules.length, 1);
  assert.deepEqual(
    detections.map((d) => d.event.EventRecordID),
    cases.filter((c) => c[2]).map((c) => c[0]),
  );
  assert.deepEqual(detections[0]!.matched, [{ selection: 'selection', field: 'EventID', modifiers: [], value: '16403', eventValue: 16403 }]);
});

test('seed 2 (proxy: BITS user agent to an uncommon TLD): which requests fire', async () => {
  const cases: Array<[string, string, boolean, string]> = [
    ['Microsoft BITS/7.8', 'evil.top', true, 'uncommon TLD'],
    ['Microsoft BITS/7.8', 'legit.com', false, '.com'],
    ['Microsoft BITS/7.8', 'legit.com:8080', true, 'OVER-ALERT: the port breaks endswith .com'],
    ['Microsoft BITS/7.8', 'EVIL.TOP.', true, 'upper case and a trailing dot'],
    ['Microsoft BITS/7.8', 'LEGIT.COM', false, 'case-insensitive'],
    ['Microsoft BITS/7.8', 'LEGIT.COM.', true, 'OVER-ALERT: a trailing dot breaks endswith .com'],
    ['Microsoft BITS/7.8', 'evil.duckdns.org', false, 'MISSED: a private suffix under .org'],
    ['microsoft bits/7.5', 'evil.top', true, 'user agent compared case-insensitively'],
    ['Mozilla/5.0', 'evil.top', false, 'not BITS'],
    ['Microsoft BITS/7.8', 'oneclient.sfx.ms', false, 'allow-listed Microsoft domain'],
    ['Microsoft BITS/7.8', 'open.scdn.co', false, 'allow-listed Spotify CDN'],
  ];
  const file = writeNdjson(cases.map(([ua, host]) => ({ 'c-useragent': ua, 'cs-host': host, 'cs-method': 'GET' })));
  const { detections } = await huntFiles([PROXY_RULE], [file]);
  assert.deepEqual(
    detections.map((d) => d.source.line),
    cases.flatMap((c, i) => (c[2] ? [i + 1] : [])),
  );
});

test('a declared log source limits an input to the rules of that log source', async () => {
  const file = writeNdjson([{ 'c-useragent': 'Microsoft BITS/7.8', 'cs-host': 'evil.top', RemoteName: 'http://evil.top/x', EventID: 16403 }]);
  const asProxy = await huntFiles([BITS_RULE, PROXY_RULE], [file], { logsource: { category: 'proxy' } });
  assert.deepEqual(asProxy.detections.map((d) => d.rule.title), ['Bitsadmin to Uncommon TLD']);
  const asBits = await huntFiles([BITS_RULE, PROXY_RULE], [file], { logsource: { product: 'windows', service: 'bits-client' } });
  assert.deepEqual(asBits.detections.map((d) => d.rule.title), ['BITS Transfer Job With Uncommon Or Suspicious Remote TLD']);
  const unknown = await huntFiles([BITS_RULE, PROXY_RULE], [file]);
  assert.equal(unknown.detections.length, 2, 'with no log source, every rule applies');
});
