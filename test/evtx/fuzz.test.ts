// Mutation fuzzing on real files: the reader must never throw, never hang, and must keep every
// record that the mutation cannot have touched (records of other chunks, and records of the same
// chunk that end before the first mutated byte: binary XML only refers backwards, to names and
// templates defined earlier in the chunk).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseChunk, readEvtxAll } from '../../src/sources/evtx/index.js';
import type { ChunkResult } from '../../src/sources/evtx/index.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE } from '../../src/sources/evtx/file-header.js';
import { MUTATION_SOURCES } from './mutation-sources.js';
import { EVTX_DIR } from './helpers.js';
import { rng } from '../seeded-random.js';

const CHUNK = CHUNK_SIZE;
const HEADER = FILE_HEADER_SIZE;

interface Sample { file: string; chunks: Buffer[]; baseline: ChunkResult[] }

function job(i: number) {
  return { file: 'fuzz', chunk: i, offset: HEADER + i * CHUNK, expected: true, json: true, xml: true };
}

function load(rel: string): Sample {
  const buf = readFileSync(path.join(EVTX_DIR, rel));
  const chunks: Buffer[] = [];
  for (let off = HEADER; off + CHUNK <= buf.length && chunks.length < 6; off += CHUNK) {
    if (buf.toString('latin1', off, off + 7) === 'ElfChnk') chunks.push(Buffer.from(buf.subarray(off, off + CHUNK)));
  }
  assert.ok(chunks.length > 0, `${rel}: no chunk to mutate`);
  return { file: rel, chunks, baseline: chunks.map((c, i) => parseChunk(c, job(i))) };
}

/** Records of `got` must include every baseline record that ends before byte `cut` of the chunk. */
function assertKept(original: Buffer, base: ChunkResult, got: ChunkResult, cut: number, what: string): void {
  const byOffset = new Map(got.records.map((r) => [r.offset, r]));
  for (const r of base.records) {
    const rel = r.offset - base.offset;
    const end = rel + original.readUInt32LE(rel + 4);
    if (end > cut) break;
    const g = byOffset.get(r.offset);
    assert.ok(g, `${what}: record at chunk offset 0x${rel.toString(16)} lost`);
    assert.deepStrictEqual(g.event, r.event, `${what}: record at 0x${rel.toString(16)} changed`);
    assert.equal(g.xml, r.xml);
  }
}

test('fuzz: mutated chunks never throw and keep untouched records', { timeout: 120_000 }, () => {
  const samples = MUTATION_SOURCES.map(load);
  const rand = rng(0x5eed);
  const started = Date.now();
  let iterations = 0, recordsSeen = 0, errorsSeen = 0, lostSeen = 0;
  while (iterations < 3000 && Date.now() - started < 40_000) {
    // rand() < 1, so both indexes are in range (load() keeps no sample without chunks)
    const s = samples[Math.floor(rand() * samples.length)]!;
    const ci = Math.floor(rand() * s.chunks.length);
    const original = s.chunks[ci]!;
    const baseline = s.baseline[ci]!;
    const buf = Buffer.from(original);
    const kind = iterations % 4;
    let cut = CHUNK;
    const at = () => {
      // bias towards the record area, sometimes hit the chunk header and string/template tables
      const p = rand() < 0.1 ? Math.floor(rand() * 512) : 512 + Math.floor(rand() * (CHUNK - 512));
      cut = Math.min(cut, p);
      return p;
    };
    if (kind === 0) {
      const n = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < n; i++) { const p = at(); buf[p]! ^= 1 << Math.floor(rand() * 8); }
    } else if (kind === 1) {
      const p = at();
      buf.fill(0, p, Math.min(CHUNK, p + 1 + Math.floor(rand() * 4096)));
    } else if (kind === 2) {
      const p = at();
      const e = Math.min(CHUNK, p + 1 + Math.floor(rand() * 64));
      for (let i = p; i < e; i++) buf[i] = Math.floor(rand() * 256);
    } else {
      // copy a range of the chunk over another place (plausible-looking tokens in odd places)
      const p = at();
      const src = 512 + Math.floor(rand() * (CHUNK - 1024));
      buf.copy(buf, p, src, Math.min(CHUNK, src + 1 + Math.floor(rand() * 512)));
    }
    let got: ChunkResult;
    try {
      got = parseChunk(buf, job(ci));
    } catch (e) {
      assert.fail(`parseChunk threw on ${s.file} chunk ${ci} mutation ${kind}: ${(e as Error).stack}`);
    }
    recordsSeen += got.records.length;
    errorsSeen += got.errors.length;
    if (cut >= 512) {
      const what = `${s.file} chunk ${ci} mutation ${kind} at 0x${cut.toString(16)}`;
      assertKept(original, baseline, got, cut, what);
      // counts add up: with the chunk header intact, every record id it declares is read, failed
      // or counted lost (scope 'lost'); none vanishes unseen
      const declared = Number(original.readBigUInt64LE(32) - original.readBigUInt64LE(24)) + 1;
      const failed = got.errors.filter((e) => e.scope === 'record').length;
      const lost = got.errors.reduce((n, e) => n + (e.scope === 'lost' ? e.lost ?? 0 : 0), 0);
      assert.ok(got.records.length + failed + lost >= declared, `${what}: ${got.records.length} read + ${failed} failed + ${lost} lost < ${declared} declared`);
      lostSeen += lost;
    }
    iterations++;
  }
  assert.ok(iterations >= 500, `only ${iterations} iterations`);
  console.log(`fuzz: ${iterations} chunk mutations, ${recordsSeen} records kept, ${errorsSeen} errors reported, ${lostSeen} records counted lost`);
});

test('fuzz: truncated, zeroed and chunk-duplicated files', { timeout: 120_000 }, async () => {
  const src = readFileSync(path.join(EVTX_DIR, 'evtx-crate/security.evtx'));
  const base = await readEvtxAll(path.join(EVTX_DIR, 'evtx-crate/security.evtx'), { workers: 0 });
  const perChunk = new Map<number, number>();
  for (const r of base.records) perChunk.set(r.chunk, (perChunk.get(r.chunk) ?? 0) + 1);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'quarry-evtx-fuzz-'));
  const tmp = path.join(dir, 'mutated.evtx');
  const rand = rng(42);
  try {
    for (let i = 0; i < 60; i++) {
      const kind = i % 3;
      let buf: Buffer;
      let expectAtLeast = 0;
      let expectExactly: number | null = null;
      if (kind === 0) {
        // truncation: every chunk wholly before the cut survives
        const cut = Math.floor(rand() * src.length);
        buf = src.subarray(0, cut);
        const whole = cut < HEADER ? 0 : Math.floor((cut - HEADER) / CHUNK);
        for (let c = 0; c < whole; c++) expectAtLeast += perChunk.get(c) ?? 0;
      } else if (kind === 1) {
        // a zeroed range: chunks outside it survive
        buf = Buffer.from(src);
        const p = Math.floor(rand() * src.length);
        const e = Math.min(src.length, p + Math.floor(rand() * 3 * CHUNK));
        buf.fill(0, p, e);
        for (const [c, n] of perChunk) {
          const cs = HEADER + c * CHUNK;
          if (cs + CHUNK <= p || cs >= e) expectAtLeast += n;
        }
      } else {
        // duplicated chunks: copies are read like any other chunk
        const n = Math.max(1, Math.floor((src.length - HEADER) / CHUNK));
        const a = Math.floor(rand() * n), b = Math.floor(rand() * n);
        buf = Buffer.concat([src, src.subarray(HEADER + a * CHUNK, HEADER + (a + 1) * CHUNK)]);
        src.copy(buf, HEADER + b * CHUNK, HEADER + a * CHUNK, HEADER + (a + 1) * CHUNK);
        expectExactly = base.records.length - (perChunk.get(b) ?? 0) + 2 * (perChunk.get(a) ?? 0);
      }
      await fs.writeFile(tmp, buf);
      const got = await readEvtxAll(tmp, { workers: i % 2 ? 2 : 0 });
      if (expectExactly !== null) assert.equal(got.records.length, expectExactly, `duplicate chunk case ${i}`);
      assert.ok(got.records.length >= expectAtLeast, `case ${i} kind ${kind}: ${got.records.length} < ${expectAtLeast}`);
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('fuzz: non-EVTX and tiny inputs are reported, not thrown', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'quarry-evtx-odd-'));
  try {
    const cases: Array<[string, Buffer]> = [
      ['empty', Buffer.alloc(0)],
      ['text', Buffer.from('hello world\n')],
      ['header only', readFileSync(path.join(EVTX_DIR, 'evtx-crate/security.evtx')).subarray(0, 4096)],
      ['random', Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 2654435761) >>> 24))],
    ];
    for (const [name, data] of cases) {
      const f = path.join(dir, `${name}.evtx`);
      await fs.writeFile(f, data);
      const got = await readEvtxAll(f, { workers: 0 });
      assert.equal(got.records.length, 0, name);
    }
    const missing = await readEvtxAll(path.join(dir, 'does-not-exist.evtx'));
    assert.equal(missing.errors[0]?.scope, 'file');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
