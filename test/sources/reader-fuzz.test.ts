// Seeded, time-bounded fuzzing of every line-based reader (the formats of reader-contract.test.ts):
// realistic generated inputs, mutated line by line and byte by byte. Each read must end without a
// throw and within its time, and the counts must add up: on line-level mutations, every line that
// is neither blank nor a directive is one event or one counted problem (events + problems = lines,
// give or take the lines a mutation made to start with '#': directives, or malformed ones);
// on byte-level mutations, nothing is counted twice (events + problems <= lines + 1, the one being
// a read error or an unterminated record at the end; JSON: no more events than '{').
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSource } from '../../src/sources/open-source.js';
import { generateProxyLogs, type GenerateFormat } from '../../src/generate/index.js';
import type { SourceFormat } from '../../src/sources/types.js';
import { rng } from '../seeded-random.js';

const MAX_LINE = 4096;
const BUDGET_MS = Number(process.env.QUARRY_FUZZ_MS ?? 4000);
const READ_LIMIT_MS = 2000;

interface Format {
  name: string;
  format: SourceFormat;
  text: string;
  /** Lines before the first record (directives and headers): left alone by line mutations. */
  headerLines: number;
  /**
   * How lines and records relate. `line`: each line that is neither blank nor a directive is one
   * event or one problem, exactly. `json`: each line starting with '{' is one event or at least
   * one problem (never lost unseen); other lines after a broken record, up to the next '{' line,
   * are skipped under its one problem (the splitter's documented recovery), while a line opening
   * an array counts one problem per element that is not an object. `csv`: a quote opened on a
   * mutated line may run on over the next lines, as CSV allows, so only the upper bound holds.
   */
  lines: 'line' | 'json' | 'csv';
}

function generated(format: GenerateFormat, sniffed: SourceFormat): Format {
  const text = generateProxyLogs({ format, lines: 80, seed: 9 }).text;
  const headerLines = text.split('\n').findIndex((l) => l && !l.startsWith('#'));
  return { name: format, format: sniffed, text, headerLines, lines: sniffed === 'json' || sniffed === 'zeek-json' ? 'json' : 'line' };
}

const FORMATS: Format[] = [
  { name: 'ndjson', format: 'json', text: Array.from({ length: 60 }, (_, i) => JSON.stringify({ ts: `2026-11-20T08:00:${String(i % 60).padStart(2, '0')}Z`, 'c-ip': `10.0.0.${i}`, n: i, ua: 'Mozilla/5.0 "x"' })).join('\n') + '\n', headerLines: 0, lines: 'json' },
  { name: 'csv', format: 'csv', text: ['time,c-ip,cs-host,c-useragent', ...Array.from({ length: 60 }, (_, i) => `2026-11-20T08:00:00Z,10.0.0.${i},h${i}.example.com,"Mozilla/5.0 (X11; ""q"")"`)].join('\n') + '\n', headerLines: 1, lines: 'csv' },
  generated('w3c', 'w3c'),
  generated('w3c-iis', 'w3c'),
  generated('w3c-elff', 'w3c'),
  generated('squid', 'squid'),
  generated('squid-native', 'squid'),
  generated('zeek-tsv', 'zeek-tsv'),
  generated('zeek-json', 'zeek-json'),
  generated('bits-json', 'json'),
];

const dir = mkdtempSync(join(tmpdir(), 'quarry-reader-fuzz-'));
after(() => { if (!process.env.QUARRY_FUZZ_KEEP) rmSync(dir, { recursive: true, force: true }); });
if (process.env.QUARRY_FUZZ_KEEP) console.log(`fuzz inputs in ${dir}`);

/** A line of random bytes with no line break (invalid UTF-8 and NULs included). */
function junk(rand: () => number, max: number): Buffer {
  const n = Math.floor(rand() * max);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    let c = Math.floor(rand() * 256);
    if (c === 10 || c === 13) c = 32;
    b[i] = c;
  }
  return b;
}

/** Mutates whole lines after the header; returns the bytes and the lines a reader must account for. */
function mutateLines(f: Format, rand: () => number): { bytes: Buffer; expected: number; braces: number; hashes: number } {
  const lines: Buffer[] = f.text.replace(/\n$/, '').split('\n').map((l) => Buffer.from(l, 'utf8'));
  const n = 1 + Math.floor(rand() * 6);
  for (let k = 0; k < n; k++) {
    const at = f.headerLines + Math.floor(rand() * (lines.length - f.headerLines));
    const line = lines[at]!;
    switch (Math.floor(rand() * 6)) {
      case 0: lines[at] = junk(rand, 200); break; // replaced by random bytes
      case 1: lines[at] = line.subarray(0, Math.floor(rand() * line.length)); break; // truncated
      case 2: lines.splice(at, 0, line); break; // duplicated
      case 3: lines.splice(at, 1); break; // deleted
      case 4: lines.splice(at, 0, Buffer.alloc(MAX_LINE + 1 + Math.floor(rand() * 5000), 'x')); break; // too long
      default: { // a few bytes flipped inside the line
        const b = Buffer.from(line);
        for (let i = 0; i < 3 && b.length; i++) {
          const p = Math.floor(rand() * b.length);
          let c = b[p]! ^ (1 << Math.floor(rand() * 8));
          if (c === 10 || c === 13) c = 32;
          b[p] = c;
        }
        lines[at] = b;
      }
    }
  }
  // a junk line starting with '#' would be a directive, a blank one nothing: neither is a record
  const body = lines.slice(f.headerLines).filter((l) => l.toString('latin1').trim() !== '');
  const expected = body.filter((l) => l[0] !== 0x23).length;
  const braces = body.filter((l) => l[0] === 0x7b).length;
  return { bytes: Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])), expected, braces, hashes: body.length - expected };
}

/** Flips, zeroes, cuts or splices bytes anywhere, header included. */
function mutateBytes(f: Format, rand: () => number): Buffer {
  const b = Buffer.from(f.text, 'utf8');
  const p = Math.floor(rand() * b.length);
  switch (Math.floor(rand() * 4)) {
    case 0: for (let i = 0; i < 16; i++) b[Math.floor(rand() * b.length)]! ^= 1 << Math.floor(rand() * 8); return b;
    case 1: return b.subarray(0, p); // truncated anywhere
    case 2: return Buffer.concat([b.subarray(0, p), junk(rand, 300), b.subarray(p)]);
    default: return Buffer.concat([b.subarray(0, p), b.subarray(Math.min(b.length, p + Math.floor(rand() * 400)))]); // a stretch cut out
  }
}

async function read(bytes: Buffer, f: Format, i: number): Promise<{ events: number; problems: number; ms: number }> {
  const file = join(dir, `${f.name}-${i}`);
  writeFileSync(file, bytes);
  if (process.env.QUARRY_FUZZ_KEEP) process.stderr.write(`${file}\n`);
  const t0 = performance.now();
  const source = await openSource(file, { format: f.format, maxLineLength: MAX_LINE, maxRecordLength: MAX_LINE });
  let events = 0;
  for await (const _ of source.records()) events++;
  return { events, problems: source.problemCount, ms: performance.now() - t0 };
}

test('fuzz: every line-based reader, line and byte mutations: no throw, no hang, counts add up', { timeout: 120_000 }, async () => {
  const rand = rng(0x1ee7);
  const started = Date.now();
  const figures = new Map(FORMATS.map((f) => [f.name, { inputs: 0, events: 0, problems: 0, slowest: 0 }]));
  let i = 0;
  // every format at least 20 times, then as many rounds as the budget allows
  while (i < FORMATS.length * 20 || Date.now() - started < BUDGET_MS) {
    const f = FORMATS[i % FORMATS.length]!;
    const fig = figures.get(f.name)!;
    const lineLevel = Math.floor(i / FORMATS.length) % 2 === 0;
    const what = `${f.name} #${i} (${lineLevel ? 'line' : 'byte'} mutation, seed 0x1ee7)`;
    let r;
    let lines: number;
    if (lineLevel) {
      const m = mutateLines(f, rand);
      r = await read(m.bytes, f, i);
      lines = m.bytes.toString('latin1').split('\n').length;
      const n = r.events + r.problems;
      const counts = `${r.events} events + ${r.problems} problems`;
      // a line made to start with '#' is a directive (nothing) or a malformed one (one problem)
      if (f.lines === 'line') assert.ok(n >= m.expected && n <= m.expected + m.hashes, `${what}: ${counts} for ${m.expected} record lines and ${m.hashes} '#' lines`);
      else if (f.lines === 'json') assert.ok(n >= m.braces && r.events <= m.braces, `${what}: ${counts} for ${m.braces} '{' lines`);
      else assert.ok(n <= m.expected + 1, `${what}: ${counts} for ${m.expected} lines + 1`);
    } else {
      const bytes = mutateBytes(f, rand);
      r = await read(bytes, f, i);
      lines = bytes.toString('latin1').split('\n').length;
      if (f.lines === 'json') {
        // one JSON line may hold several records (or array elements, each a problem when not an object)
        const braces = bytes.toString('latin1').split('{').length - 1;
        assert.ok(r.events <= braces, `${what}: ${r.events} events for ${braces} '{'`);
      } else {
        assert.ok(r.events + r.problems <= lines + 1, `${what}: ${r.events} events + ${r.problems} problems for ${lines} lines`);
      }
    }
    assert.ok(r.ms < READ_LIMIT_MS, `${what}: ${Math.round(r.ms)} ms for ${lines} lines`);
    fig.inputs++;
    fig.events += r.events;
    fig.problems += r.problems;
    fig.slowest = Math.max(fig.slowest, r.ms);
    i++;
  }
  for (const [name, f] of figures) console.log(`reader fuzz ${name}: ${f.inputs} inputs, ${f.events} events, ${f.problems} problems counted, slowest read ${f.slowest.toFixed(1)} ms`);
});
