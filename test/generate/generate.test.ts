// The generator: deterministic, every format read back by our readers with zero problems and the
// generator's own values, and a ground truth that agrees with what it wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { generateProxyLogs, GENERATE_FORMATS, normalizeHost, suffixOf, type GenerateFormat, type ProxyRequest } from '../../src/generate/index.js';
import { generateCommand } from '../../src/cli/generate-command.js';
import { openSource } from '../../src/sources/open-source.js';
import type { LogEvent } from '../../src/sources/types.js';
import { readAll } from '../sources/helpers.js';

const LINES = 3000;

test('same seed, same bytes; another seed, other bytes', () => {
  for (const format of GENERATE_FORMATS) {
    const a = generateProxyLogs({ seed: 42, lines: 200, format });
    const b = generateProxyLogs({ seed: 42, lines: 200, format });
    const c = generateProxyLogs({ seed: 43, lines: 200, format });
    assert.equal(a.text, b.text, format);
    assert.deepEqual(a.truth, b.truth);
    assert.notEqual(a.text, c.text);
  }
});

test('the traffic has what the hunt is about: BITS to common, vendor and uncommon hosts, ports, case, trailing dots, path tricks, IPs, private suffixes', () => {
  const { requests, truth } = generateProxyLogs({ seed: 1, lines: LINES, format: 'squid' });
  const bits = requests.filter((r) => r.bits);
  assert.ok(bits.length > 300);
  const hosts = bits.map((r) => r.hostHeader);
  assert.ok(hosts.some((h) => /:\d+$/.test(h)), 'ports');
  assert.ok(hosts.some((h) => h !== h.toLowerCase()), 'upper case');
  assert.ok(hosts.some((h) => /\.(:\d+)?$/.test(h)), 'trailing dots');
  assert.ok(hosts.some((h) => /^\d+\.\d+\.\d+\.\d+/.test(h)), 'IP addresses');
  assert.ok(hosts.some((h) => /duckdns\.org/i.test(h)), 'private suffixes');
  assert.ok(bits.some((r) => /\/(x\.com|update\.net|cdn\.microsoft\.com)\//.test(r.path) && suffixOf(normalizeHost(r.hostHeader)).uncommon), 'path tricks');
  assert.ok(requests.some((r) => !r.bits && suffixOf(normalizeHost(r.hostHeader)).uncommon), 'non-BITS traffic to uncommon places');
  assert.ok(truth.uncommonBitsLines.length > 50 && truth.uncommonBitsLines.length < truth.bits.length);
});

test('ground truth: suffixes by the Public Suffix List with private entries, on the normalised host', () => {
  assert.equal(normalizeHost('EVIL.TOP.:8080'), 'evil.top');
  assert.equal(normalizeHost('[2001:db8::1]:443'), '2001:db8::1');
  assert.deepEqual(suffixOf('x.duckdns.org'), { suffix: 'duckdns.org', uncommon: true });
  assert.deepEqual(suffixOf('legit.com'), { suffix: 'com', uncommon: false });
  assert.deepEqual(suffixOf('mirror.example.co.uk'), { suffix: 'co.uk', uncommon: true });
  assert.deepEqual(suffixOf('203.0.113.9'), { suffix: null, uncommon: true });
  const { truth, text } = generateProxyLogs({ seed: 5, lines: 500, format: 'zeek-tsv' });
  const lines = text.split('\n');
  for (const t of truth.bits) {
    assert.ok(lines[t.line - 1]!.includes(t.host), `line ${t.line} holds its host`);
    assert.equal(t.uncommon, truth.uncommonBitsLines.includes(t.line));
  }
});

/** What each format's reader must give back for a request (the generator's values). */
function expected(format: GenerateFormat, r: ProxyRequest, index: number, total: number): LogEvent {
  const q = r.query;
  switch (format) {
    case 'w3c':
    case 'w3c-elff':
      return { 'c-ip': r.clientIp, 'cs-method': r.method, 'cs-host': r.host, 'cs-uri-port': r.port, 'cs-uri-path': r.path, 'cs-uri-query': q, 'cs(User-Agent)': r.userAgent, 'cs(Referer)': r.referer, 'sc-status': r.status, 'sc-bytes': r.scBytes, 'cs-bytes': r.csBytes, 'cs-uri': r.url, 'cs-uri-stem': r.path, 'cs-username': r.user };
    case 'w3c-iis': {
      const e: LogEvent = { 'c-ip': r.clientIp, 'cs-method': r.method, 'cs-host': r.hostHeader, 'cs-uri-stem': r.path, 'cs-uri-query': q, 'cs(User-Agent)': r.userAgent, 'cs(Referer)': r.referer, 'sc-status': r.status, 's-port': r.port, 'cs-username': r.user, 'time-taken': r.elapsed };
      if (index >= Math.floor(total / 2)) Object.assign(e, { 'sc-bytes': r.scBytes, 'cs-bytes': r.csBytes });
      else e['sc-bytes'] = undefined as unknown as null; // not logged before the second #Fields:
      return e;
    }
    case 'squid':
      return { client: r.clientIp, method: r.method, url: r.url, host: r.hostHeader, uri_path: r.path, status: r.status, size: r.scBytes, referer: r.referer, user_agent: r.userAgent, user: r.user === null ? null : r.user.replace(/\\/g, '%5C') };
    case 'squid-native':
      return { time: Number((r.time / 1000).toFixed(3)), elapsed: r.elapsed, client: r.clientIp, method: r.method, url: r.url, host: r.hostHeader, status: r.status, size: r.scBytes, server: r.serverIp, content_type: r.contentType };
    case 'zeek-tsv':
    case 'zeek-json':
      return { ts: r.time / 1000, 'id.orig_h': r.clientIp, 'id.resp_h': r.serverIp, 'id.resp_p': r.port, method: r.method, host: r.hostHeader, uri: r.path + (q !== null ? `?${q}` : ''), uri_path: r.path, user_agent: r.userAgent, status_code: r.status, ...(format === 'zeek-tsv' || r.referer !== null ? { referrer: r.referer } : {}) };
    case 'bits-json':
      return { EventID: 16403, Channel: 'Microsoft-Windows-Bits-Client/Operational', RemoteName: r.url, processPath: r.bits!.processPath, LocalName: r.bits!.localName, TimeCreated: new Date(r.time).toISOString() };
  }
}

const READ_AS: Record<GenerateFormat, string> = { w3c: 'w3c', 'w3c-elff': 'w3c', 'w3c-iis': 'w3c', squid: 'squid', 'squid-native': 'squid', 'zeek-tsv': 'zeek-tsv', 'zeek-json': 'zeek-json', 'bits-json': 'json' };

test('every generated format is recognised by content, reads with zero problems, and round-trips the generator values', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-gen-'));
  try {
    for (const format of GENERATE_FORMATS) {
      const { text, requests, truth } = generateProxyLogs({ seed: 11, lines: LINES, format });
      const file = join(dir, `${format}.log`);
      writeFileSync(file, text);
      const source = await openSource(file);
      assert.equal(source.format, READ_AS[format], format);
      const { records, problems } = await readAll(source);
      assert.deepEqual(problems, [], format);
      assert.equal(source.problemCount, 0);
      assert.equal(records.length, LINES, format);
      records.forEach((rec, i) => {
        const want = expected(format, requests[i]!, i, LINES);
        for (const [k, v] of Object.entries(want)) assert.deepEqual(rec.event[k], v, `${format} record ${i + 1} field ${k}`);
      });
      // The truth's line numbers are the readers' line numbers.
      const byLine = new Map(records.map((r) => [r.location.line, r]));
      for (const t of truth.bits) assert.ok(byLine.has(t.line), `${format}: truth line ${t.line} is a record`);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('quarry generate writes the log and its ground truth; bad arguments are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-gencli-'));
  const sink = () => {
    const parts: string[] = [];
    return { parts, stream: new Writable({ write(c, _e, cb) { parts.push(String(c)); cb(); } }) };
  };
  try {
    const out = join(dir, 'w.log');
    const truthFile = join(dir, 't.json');
    const err = sink();
    assert.equal(await generateCommand(['--format', 'w3c-iis', '--lines', '300', '--seed', 'abc', '--out', out, '--truth', truthFile], sink().stream, err.stream), 0);
    const direct = generateProxyLogs({ seed: 'abc', lines: 300, format: 'w3c-iis' });
    assert.equal(readFileSync(out, 'utf8'), direct.text);
    assert.deepEqual(JSON.parse(readFileSync(truthFile, 'utf8')), JSON.parse(JSON.stringify(direct.truth)));
    assert.match(err.parts.join(''), /wrote 300 w3c-iis records/);

    const stdout = sink();
    assert.equal(await generateCommand(['--format', 'zeek-json', '--lines', '5', '--seed', '3'], stdout.stream, sink().stream), 0);
    assert.equal(stdout.parts.join(''), generateProxyLogs({ seed: 3, lines: 5, format: 'zeek-json' }).text);

    const bad = sink();
    assert.equal(await generateCommand(['--format', 'nope'], sink().stream, bad.stream), 2);
    assert.match(bad.parts.join(''), /--format must be one of/);
    assert.equal(await generateCommand(['--format', 'squid', '--lines', '-3'], sink().stream, sink().stream), 2);
    assert.equal(await generateCommand(['--bogus'], sink().stream, sink().stream), 2);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
