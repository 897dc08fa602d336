// One suite every line-based log reader must pass, through the real entry (`openSource`: format
// sniffed from content). Each format states the cases it skips and why, as a written exception.
// Inputs are realistic proxy traffic from the generator (with its ground truth), CSV and plain
// NDJSON. EVTX is binary, not line-based: its own cases (corruption, chunks, record counts) are in
// test/evtx/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSource } from '../../src/sources/open-source.js';
import { generateProxyLogs, type GenerateFormat } from '../../src/generate/index.js';
import type { SourceFormat } from '../../src/sources/types.js';
import { readAll } from './helpers.js';

interface Case {
  name: string;
  /** The sniffed format expected. */
  format: SourceFormat;
  text: string;
  records: number;
  /** Lines before the first record (headers), which a garbage line must not be put among. */
  headerLines: number;
  /** A line the reader must count as a problem. */
  garbage: string;
  /** Cases this format does not meet, each with its reason. */
  skip?: Partial<Record<'crlf' | 'bom' | 'garbage', string>>;
}

const dir = mkdtempSync(join(tmpdir(), 'quarry-contract-'));
let n = 0;
function file(content: string | Uint8Array): string {
  const f = join(dir, `input-${++n}`);
  writeFileSync(f, content);
  return f;
}

function generated(format: GenerateFormat, sniffed: SourceFormat, garbage: string, skip?: Case['skip']): Case {
  const g = generateProxyLogs({ format, lines: 60, seed: 7 });
  const lines = g.text.split('\n');
  const headerLines = lines.findIndex((l) => l && !l.startsWith('#'));
  return { name: format, format: sniffed, text: g.text, records: g.truth.records, headerLines, garbage, skip };
}

function ndjson(): Case {
  const events = Array.from({ length: 40 }, (_, i) => ({ ts: `2026-11-20T08:${String(i).padStart(2, '0')}:00Z`, 'c-ip': `10.0.0.${i}`, 'cs-host': `h${i}.example.com`, n: i }));
  return { name: 'ndjson', format: 'json', text: events.map((e) => JSON.stringify(e)).join('\n') + '\n', records: events.length, headerLines: 0, garbage: '{"broken": ' };
}

function csv(): Case {
  const rows = Array.from({ length: 30 }, (_, i) => [`2026-11-20T08:${String(i).padStart(2, '0')}:00Z`, `10.0.0.${i}`, `h${i}.example.com`, i % 2 ? 'Microsoft BITS/7.8' : 'Mozilla/5.0 (X11; "quoted")']);
  const cell = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const text = ['time,c-ip,cs-host,c-useragent', ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
  return { name: 'csv', format: 'csv', text, records: rows.length, headerLines: 1, garbage: 'only,two' };
}

const CASES: Case[] = [
  ndjson(),
  csv(),
  generated('w3c', 'w3c', 'not a w3c line'),
  generated('w3c-iis', 'w3c', 'not a w3c line'),
  generated('w3c-elff', 'w3c', 'not a w3c line'),
  generated('squid', 'squid', 'not a squid line'),
  generated('squid-native', 'squid', 'not a squid line'),
  generated('zeek-tsv', 'zeek-tsv', 'not\ta zeek line'),
  generated('zeek-json', 'zeek-json', '{"ts": '),
  generated('bits-json', 'json', '{"Event": '),
];

async function read(path: string) {
  const source = await openSource(path);
  const { records, problems } = await readAll(source);
  return { source, events: records.map((r) => r.event), lines: records.map((r) => r.location.line), problems, problemCount: source.problemCount };
}

for (const c of CASES) {
  test(`reader contract, ${c.name}: every record read, in order, with its line`, async () => {
    const r = await read(file(c.text));
    assert.equal(r.source.format, c.format);
    assert.equal(r.events.length, c.records);
    assert.equal(r.problemCount, 0, JSON.stringify(r.problems.slice(0, 3)));
    const lines = r.lines.filter((l): l is number => l !== undefined);
    assert.equal(lines.length, c.records, 'every record has a line number');
    assert.ok(lines.every((l, i) => i === 0 || l > lines[i - 1]!), 'line numbers increase');
    assert.ok(lines[0]! > c.headerLines, 'the first record is after the header');
  });

  test(`reader contract, ${c.name}: gzip gives the same records`, async () => {
    const plain = await read(file(c.text));
    const gz = await read(file(gzipSync(Buffer.from(c.text))));
    assert.equal(gz.source.format, c.format);
    assert.deepEqual(gz.events, plain.events);
    assert.deepEqual(gz.lines, plain.lines);
  });

  test(`reader contract, ${c.name}: CRLF line ends give the same records`, { skip: c.skip?.crlf }, async () => {
    const plain = await read(file(c.text));
    const crlf = await read(file(c.text.replace(/\n/g, '\r\n')));
    assert.equal(crlf.problemCount, 0, JSON.stringify(crlf.problems.slice(0, 3)));
    assert.deepEqual(crlf.events, plain.events);
  });

  test(`reader contract, ${c.name}: a UTF-8 byte order mark is not part of the first field`, { skip: c.skip?.bom }, async () => {
    const plain = await read(file(c.text));
    const bom = await read(file('\uFEFF' + c.text));
    assert.equal(bom.source.format, c.format);
    assert.deepEqual(bom.events, plain.events);
  });

  test(`reader contract, ${c.name}: a garbage line is counted with its line number and reading goes on`, { skip: c.skip?.garbage }, async () => {
    const lines = c.text.split('\n');
    // In the middle of the records, after the header.
    const at = c.headerLines + Math.floor((lines.length - c.headerLines) / 2);
    lines.splice(at, 0, c.garbage);
    const r = await read(file(lines.join('\n')));
    assert.equal(r.events.length, c.records, 'no record lost');
    assert.equal(r.problemCount, 1);
    assert.equal(r.problems[0]!.location.line, at + 1);
    assert.ok(r.lines.some((l) => l !== undefined && l > at + 1), 'records after the garbage line are read');
  });

  test(`reader contract, ${c.name}: a last line without a newline is read`, async () => {
    const r = await read(file(c.text.replace(/\n$/, '')));
    assert.equal(r.events.length, c.records);
    assert.equal(r.problemCount, 0);
  });
}
