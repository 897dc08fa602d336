// The seed detections, original and host-aware, side by side on the cases that matter: each
// evasion the originals miss and each false positive they raise, with the hardened rules' answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA, REPO } from '../helpers.js';
import { huntFiles } from './run-helpers.js';
import { deriveHostFields } from '../../src/enrich/derive.js';

const HARDENED = join(REPO, 'rules/hardened');
const ORIGINAL_BITS = join(DATA, 'sigma-rules-bits/win_bits_client_new_transfer_via_uncommon_tld.yml');
const ORIGINAL_PROXY = join(DATA, 'sigmahq/rules/web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml');

function ndjson(lines: unknown[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'quarry-hardened-')), 'events.ndjson');
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

test('host derivation: URLs, Host headers, ports, case, trailing dots, IDNA, UNC, IPs, private suffixes', () => {
  const cases: Array<[string, Record<string, unknown> | null]> = [
    ['http://evil.top/x.com/p.exe', { host: 'evil.top', tld: 'top', suffix: 'top', suffix_type: 'icann', domain: 'evil.top', is_ip: false }],
    ['EVIL.TOP.', { host: 'evil.top', tld: 'top', suffix: 'top', suffix_type: 'icann', domain: 'evil.top', is_ip: false }],
    ['legit.com:8080', { host: 'legit.com', port: 8080, tld: 'com', suffix: 'com', suffix_type: 'icann', domain: 'legit.com', is_ip: false }],
    ['https://user@evil.duckdns.org:443/a', { host: 'evil.duckdns.org', tld: 'org', suffix: 'duckdns.org', suffix_type: 'private', domain: 'evil.duckdns.org', is_ip: false }],
    ['http://bücher.example.de/', { host: 'xn--bcher-kva.example.de', tld: 'de', suffix: 'de', suffix_type: 'icann', domain: 'example.de', is_ip: false }],
    ['\\\\fileserver.corp.local\\share\\x.exe', { host: 'fileserver.corp.local', tld: 'local', suffix: 'local', suffix_type: 'unlisted', domain: 'corp.local', is_ip: false }],
    ['http://10.1.2.3:8080/p', { host: '10.1.2.3', port: 8080, is_ip: true }],
    ['[2001:db8::1]:443', { host: '2001:db8::1', port: 443, is_ip: true }],
    ['C:\\Windows\\system32\\cmd.exe', null],
  ];
  for (const [input, want] of cases) assert.deepEqual(deriveHostFields(input), want, input);
});

test('BITS 16403: original vs host-aware rule', async () => {
  // [RemoteName, original fires, hardened fires, what it shows]
  const cases: Array<[string, boolean, boolean, string]> = [
    ['http://evil.top/payload.exe', true, true, 'uncommon TLD: both'],
    ['http://evil.top/x.com/p.exe', false, true, 'EVASION of the original: ".com/" in the path'],
    ['HTTP://EVIL.TOP./p.exe', true, true, 'case and trailing dot: both'],
    ['http://legit.com:8080/update.bin', true, false, 'FALSE POSITIVE of the original: the port'],
    ['https://good.com', true, false, 'FALSE POSITIVE of the original: no path after the host'],
    ['https://evil.duckdns.org/x', true, true, 'private dynamic-DNS suffix under .org: both (the original does not allow .org at all)'],
    ['https://evil.top/download.mozilla.org/f.exe', false, true, 'EVASION of the original: an allow-listed host name in the path'],
    ['https://download.microsoft.com/x.exe', false, false, 'common TLD: neither'],
    ['https://x.azureedge.net/f', false, false, 'vendor CDN on a private suffix: allow-listed in both'],
    ['http://files.corp.local/tool.exe', true, false, 'internal zone: the original alerts, the hardened allow-list knows .local'],
    ['C:\\Windows\\system32\\cmd.exe', true, false, 'a local path has no host: the host-aware rule leaves it to the local-folder rule'],
  ];
  const file = ndjson(
    cases.map(([url], i) => ({ Channel: 'Microsoft-Windows-Bits-Client/Operational', Provider_Name: 'Microsoft-Windows-Bits-Client', EventID: 16403, EventRecordID: i + 1, RemoteName: url })),
  );
  const original = await huntFiles([ORIGINAL_BITS], [file]);
  const hardened = await huntFiles([HARDENED], [file]);
  assert.equal(hardened.prepared.filtered, 2, 'both hardened rules get their allow-list filter');
  assert.deepEqual(original.detections.map((d) => d.event.EventRecordID), cases.flatMap((c, i) => (c[1] ? [i + 1] : [])));
  assert.deepEqual(hardened.detections.map((d) => d.event.EventRecordID), cases.flatMap((c, i) => (c[2] ? [i + 1] : [])));
});

test('proxy: original vs host-aware rule', async () => {
  const cases: Array<[string, boolean, boolean, string]> = [
    ['evil.top', true, true, 'uncommon TLD: both'],
    ['EVIL.TOP.', true, true, 'case and trailing dot: both'],
    ['legit.com:8080', true, false, 'FALSE POSITIVE of the original: the port'],
    ['LEGIT.COM.', true, false, 'FALSE POSITIVE of the original: the trailing dot'],
    ['evil.duckdns.org', false, true, 'EVASION of the original: private suffix under .org'],
    ['cdn.example.org', false, false, 'common TLD: neither'],
    ['oneclient.sfx.ms', false, false, 'vendor host: allow-listed in both'],
    ['203.0.113.7:80', true, true, 'an IP address has no TLD to trust: both'],
  ];
  const file = ndjson(cases.map(([host]) => ({ 'c-useragent': 'Microsoft BITS/7.8', 'cs-host': host })));
  const original = await huntFiles([ORIGINAL_PROXY], [file]);
  const hardened = await huntFiles([HARDENED], [file]);
  assert.deepEqual(original.detections.map((d) => d.source.line), cases.flatMap((c, i) => (c[1] ? [i + 1] : [])));
  assert.deepEqual(hardened.detections.map((d) => d.source.line), cases.flatMap((c, i) => (c[2] ? [i + 1] : [])));
});
