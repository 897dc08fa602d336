// What the reader-equivalence test reads, and how it digests what comes out. The expected digests in
// test/fixtures/readers/equivalence.json were taken with the readers as they were before the
// speed-ups of issue #14 (commit a83b723), so the test proves the faster readers read exactly the same.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stringifyExact } from '../../src/json/stringify-exact.js';
import type { EventSource, SourceRecord } from '../../src/sources/types.js';
import type { EvtxError, EvtxRecord } from '../../src/sources/evtx/index.js';

/** One NDJSON case: its bytes, the reader options, and the chunk sizes it is fed in. */
export interface NdjsonCase {
  name: string;
  bytes: Buffer;
  options: { maxRecordLength?: number; maxDepth?: number; normalize?: boolean };
}

/** The chunk sizes a case is fed in: edges everywhere, but never more than 50,000 chunks (the test must take seconds). */
export function chunkSizes(c: NdjsonCase): number[] {
  return [1, 7, 4093, 65536, 1 << 20].filter((size) => c.bytes.length / size <= 50_000);
}

/** SigmaHQ's regression events (evtx_dump layout; non-ASCII text such as "Microsoft®"), as NDJSON lines. */
function regressionLines(dataDir: string): string[] {
  const dir = join(dataDir, 'sigma-regression');
  const lines: string[] = [];
  for (const d of readdirSync(dir).sort()) {
    if (!statSync(join(dir, d)).isDirectory()) continue;
    for (const f of readdirSync(join(dir, d)).filter((f) => f.endsWith('.json')).sort()) {
      const text = readFileSync(join(dir, d, f), 'utf8');
      for (const part of text.split(/^(?=\{)/m)) if (part.trim()) lines.push(JSON.stringify(JSON.parse(part)));
    }
  }
  return lines;
}

export function ndjsonCases(dataDir: string): NdjsonCase[] {
  const reg = regressionLines(dataDir);
  const big = '{"RecordId":18446744073709551615,"Handle":-9223372036854775808,"Safe":9007199254740991,"Edge":9007199254740992,' +
    '"Float":1e300,"Frac":12345678901234567.5,"Nested":{"a":[1,123456789012345678901234567890,{"b":-12345678901234567}]},"Hex":"0x8000000000000000"}';
  const text = (s: string) => Buffer.from(s, 'utf8');
  const deep = '{"a":' + '['.repeat(200) + ']'.repeat(200) + '}';
  return [
    { name: 'regression events, NDJSON', bytes: text(reg.join('\n') + '\n'), options: {} },
    { name: 'regression events, NDJSON, flattened off', bytes: text(reg.join('\n')), options: { normalize: false } },
    { name: 'regression events, CRLF and blank lines', bytes: text(reg.map((l, i) => (i % 7 === 0 ? '\r\n' : '') + l).join('\r\n') + '\r\n\r\n'), options: {} },
    { name: 'UTF-8 BOM', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text(reg.slice(0, 50).join('\n'))]), options: {} },
    { name: 'big integers', bytes: text([big, big.replace(/"Hex"/, '"Hex2"'), '{"n":-0,"m":[9007199254740993]}', '[12345678901234567890]', '{"x":1}'].join('\n')), options: {} },
    {
      name: 'bad lines with their line numbers',
      bytes: text(
        [reg[0], '{"n":2,}', reg[1], 'not json', '', '{"n":"unterminated', '{"n":4', reg[2], '{"n":6}}', '  ' + reg[3], '{"a":1} {"b":2}', ']', '{"é":"ü€😀"}', '\u00ff{"x":1}', reg[4] + '  \t', '{"bad":\u0001}', deep, reg[5]].join('\n'),
      ),
      options: {},
    },
    { name: 'invalid UTF-8 bytes', bytes: Buffer.concat([text('{"a":"'), Buffer.from([0xc3, 0x28, 0xe2, 0x82, 0x22, 0x2c]), text('"b":"\xff"}\n{"c":"'), Buffer.from([0xf0, 0x9f, 0x98]), text('"}\n'), text(reg[6]!)]), options: {} },
    {
      name: 'lines over the limits',
      bytes: text([reg[0], '{"long":"' + 'x'.repeat(5000) + '"}', reg[1], '{"a":' + '['.repeat(40) + ']'.repeat(40) + '}', reg[2], '{"long":"' + 'y'.repeat(70000) + '"}', reg[3]].join('\n')),
      options: { maxRecordLength: 4096, maxDepth: 32 },
    },
    { name: 'a line over the default 16 MiB limit', bytes: text([reg[0], '{"huge":"' + 'z'.repeat(16 * 1024 * 1024 + 1) + '"}', reg[1]].join('\n')), options: {} },
    { name: 'pretty-printed and arrays', bytes: text(reg.slice(0, 40).map((l) => JSON.stringify(JSON.parse(l), null, 2)).join('\n') + '\n[' + reg.slice(40, 60).join(',\n') + ']\n' + reg.slice(60, 80).join('\n')), options: {} },
  ];
}

/** A running digest of what a reader gives, with counts, and the problems kept in full. */
export class Digest {
  private hash = createHash('sha256');
  records = 0;
  items = 0;
  add(line: string): void {
    this.hash.update(line);
    this.hash.update('\n');
    this.items++;
  }
  record(r: SourceRecord): void {
    this.records++;
    this.add(stringifyExact([r.location, r.event]));
  }
  sha256(): string {
    return this.hash.digest('hex');
  }
}

export interface NdjsonDigest {
  records: number;
  problemCount: number;
  problems: string[];
  sha256: string;
}

export async function digestSource(source: EventSource): Promise<NdjsonDigest> {
  const d = new Digest();
  for await (const r of source.records()) d.record(r);
  const problems = source.problems.map((p) => JSON.stringify(p));
  return { records: d.records, problemCount: source.problemCount, problems, sha256: d.sha256() };
}

export interface EvtxDigest {
  records: number;
  errors: number;
  sha256: string;
  /** the reader's stats at the end, as JSON (counts, header, every error and warning) */
  stats: string;
}

type ReadEvtx = (file: string, options: { workers: number; json: boolean; xml: boolean }) => AsyncIterable<EvtxRecord | EvtxError> & { stats: unknown };

/**
 * Every record of an EVTX file, its JSON event and its XML, and every error, in the order read.
 * The file's path is written `<file>`, so the digest does not depend on where the data lies.
 */
export async function digestEvtx(readEvtx: ReadEvtx, file: string): Promise<EvtxDigest> {
  const d = new Digest();
  const here = (s: string) => s.split(file).join('<file>');
  let errors = 0;
  const reader = readEvtx(file, { workers: 0, json: true, xml: true });
  for await (const it of reader) {
    if (it.kind === 'record') {
      d.records++;
      d.add(stringifyExact([it.recordId, it.timestamp, it.offset, it.chunk, it.event, it.xml]));
    } else {
      errors++;
      d.add(here(stringifyExact(it)));
    }
  }
  return { records: d.records, errors, sha256: d.sha256(), stats: here(stringifyExact(reader.stats)) };
}

export interface EvtxMutationDigest {
  chunks: number;
  records: number;
  errors: number;
  warnings: number;
  sha256: string;
}

/** The sample files whose chunks are mutated: plain events, nested binary XML, fragments, arrays, PIs. */
const MUTATED_SOURCES = [
  'evtx/evtx-crate/security.evtx',
  'evtx/evtx-crate/CAPI2-binxml-substitution-pi-target.evtx',
  'evtx/evtx-crate/Shell-Core-multiple-xml-fragments.evtx',
  'evtx/evtx-crate/sample-with-irregular-bool-values.evtx',
  'evtx/parser-hard/mdec-security-4622-ssp-420-records.evtx',
  'evtx/windows/mdec-powershell-classic-400-403-600-800.evtx',
];

/**
 * Seeded mutations of real chunks (bit flips, random bytes, ranges copied over other places), each
 * parsed with JSON and XML on and digested whole: records, errors and warnings. Damaged chunks take
 * the renderers' rare paths (odd nesting, NULL and array values in odd places, deep documents, the
 * render budget) that the sample files do not, so a fast path that differs there is caught. The
 * expected digest was taken with the EVTX reader of commit e598f92 (itself equal to a83b723's on
 * every sample record).
 */
export function digestEvtxMutations(
  dataDir: string,
  parseChunk: (buf: Buffer, job: { file: string; chunk: number; offset: number; expected: boolean; json: boolean; xml: boolean }) => {
    records: EvtxRecord[]; errors: EvtxError[]; warnings: unknown[];
  },
  rand: () => number,
  count: number,
): EvtxMutationDigest {
  const CHUNK = 65536;
  const chunks: Buffer[] = [];
  for (const rel of MUTATED_SOURCES) {
    const buf = readFileSync(join(dataDir, rel));
    for (let off = 4096, n = 0; off + CHUNK <= buf.length && n < 3; off += CHUNK) {
      if (buf.toString('latin1', off, off + 7) === 'ElfChnk') { chunks.push(buf.subarray(off, off + CHUNK)); n++; }
    }
  }
  const d = new Digest();
  const out: EvtxMutationDigest = { chunks: 0, records: 0, errors: 0, warnings: 0, sha256: '' };
  for (let i = 0; i < count; i++) {
    const buf = Buffer.from(chunks[Math.floor(rand() * chunks.length)]!);
    const at = () => 512 + Math.floor(rand() * (CHUNK - 512));
    const kind = i % 3;
    if (kind === 0) for (let j = 1 + Math.floor(rand() * 6); j > 0; j--) { const p = at(); buf[p]! ^= 1 << Math.floor(rand() * 8); }
    else if (kind === 1) { const p = at(); for (let e = Math.min(CHUNK, p + 1 + Math.floor(rand() * 32)), q = p; q < e; q++) buf[q] = Math.floor(rand() * 256); }
    else { const p = at(); const src = 512 + Math.floor(rand() * (CHUNK - 1024)); buf.copy(buf, p, src, Math.min(CHUNK, src + 1 + Math.floor(rand() * 256))); }
    const r = parseChunk(buf, { file: 'mutated', chunk: i, offset: 4096, expected: true, json: true, xml: true });
    out.chunks++;
    out.records += r.records.length;
    out.errors += r.errors.length;
    out.warnings += r.warnings.length;
    for (const rec of r.records) d.add(stringifyExact([rec.recordId, rec.timestamp, rec.offset, rec.event, rec.xml]));
    for (const e of r.errors) d.add(stringifyExact(e));
    for (const w of r.warnings) d.add(stringifyExact(w));
  }
  out.sha256 = d.sha256();
  return out;
}
