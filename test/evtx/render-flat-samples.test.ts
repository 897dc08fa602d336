// Every record of every EVTX sample (the parser-hard ones too), read straight to the flat event
// (readEvtx `flat: true`, render-flat.ts) against the definition it replaces, normalizeEvent of the
// nested JSON event: the same values, the same keys in the same order, and the same nested `Event`,
// built on first access (nested-event.ts). Then the same on thousands of mutated chunks, whose
// records take shapes no sample has, and through the chunk worker pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expandEvtxInputs, parseChunk, readEvtxAll, type ChunkResult, type EvtxRecord } from '../../src/sources/evtx/index.js';
import { NestedEvents } from '../../src/sources/evtx/nested-event.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE } from '../../src/sources/evtx/file-header.js';
import { MUTATION_SOURCES } from './mutation-sources.js';
import { renderFlatStats } from '../../src/sources/evtx/render-flat.js';
import { normalizeEvent } from '../../src/sources/flatten.js';
import type { LogEvent } from '../../src/sources/types.js';
import { rng } from '../seeded-random.js';
import { EVTX_DIR } from './helpers.js';

const exact = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));

/** `got` (read flat) against `want` (read as JSON), record by record; the nested `Event` through `nested` when given. */
function assertSameRecords(got: EvtxRecord[], want: EvtxRecord[], what: string, nested?: { events: NestedEvents; file: string }): void {
  assert.equal(got.length, want.length, `${what}: records`);
  for (const [i, w] of want.entries()) {
    const g = got[i]!;
    const where = `${what} record ${w.recordId} at ${w.offset}`;
    assert.deepStrictEqual([g.recordId, g.offset, g.chunk, g.timestamp], [w.recordId, w.offset, w.chunk, w.timestamp], where);
    const expected = normalizeEvent(w.event as LogEvent);
    const flat = g.flat!;
    assert.deepStrictEqual(flat, expected, where);
    assert.deepStrictEqual(Object.keys(flat), Object.keys(expected), `${where}: key order`);
    assert.equal(exact(flat), exact(expected), `${where}: key order within values`);
    const hidden = Object.getOwnPropertyDescriptor(expected, 'Event');
    assert.equal(g.nested, hidden !== undefined && !hidden.enumerable, `${where}: nested`);
    if (!g.nested || !nested) continue;
    if (!Object.hasOwn(flat, 'Event')) nested.events.attach(flat, nested.file, g.chunk, g.offset);
    const own = Object.getOwnPropertyDescriptor(flat, 'Event')!;
    assert.equal(own.enumerable, false, `${where}: Event is hidden`);
    const event = (flat as { Event?: unknown }).Event;
    assert.deepStrictEqual(event, hidden!.value, `${where}: nested Event`);
    assert.equal(exact(event), exact(hidden!.value), `${where}: nested Event key order`);
  }
}

test('every record of every EVTX sample: the same flat event and nested Event as normalizeEvent of the JSON event', async () => {
  const files = await expandEvtxInputs([EVTX_DIR]);
  assert.ok(files.length >= 30, `only ${files.length} samples`);
  const before = { ...renderFlatStats };
  let records = 0;
  for (const file of files) {
    const json = await readEvtxAll(file, { workers: 0 });
    const flat = await readEvtxAll(file, { workers: 0, flat: true });
    assert.deepStrictEqual(flat.errors, json.errors, file);
    assert.deepStrictEqual(flat.stats, json.stats, file);
    assertSameRecords(flat.records, json.records, path.relative(EVTX_DIR, file), { events: new NestedEvents(), file });
    for (const r of flat.records) assert.deepStrictEqual(r.event, {}, 'no JSON event is made');
    records += json.records.length;
  }
  assert.equal(records, 11929);
  // every sample record is of a shape the direct walk follows
  assert.equal(renderFlatStats.direct - before.direct, records);
  assert.equal(renderFlatStats.old - before.old, 0);
});

test('flat events from the chunk worker pool: the same, the nested Event built here (it does not cross threads)', async () => {
  const file = path.join(EVTX_DIR, 'windows/mdec-system-104-security-1102-log-cleared.evtx');
  const json = await readEvtxAll(file, { workers: 0 });
  const pooled = await readEvtxAll(file, { workers: 2, flat: true });
  assert.ok(pooled.records.length > 0);
  for (const r of pooled.records) assert.equal(Object.hasOwn(r.flat!, 'Event'), false);
  assertSameRecords(pooled.records, json.records, 'pool', { events: new NestedEvents(), file });
});

test('a nested Event that is assigned before it is read stays what was assigned; the file is not read for it', () => {
  const events = new NestedEvents();
  const flat: LogEvent = { EventID: 1 };
  events.attach(flat, '/nonexistent/file.evtx', 0, 4096);
  assert.deepEqual(Object.keys(flat), ['EventID']);
  assert.equal(JSON.stringify(flat), '{"EventID":1}');
  (flat as { Event?: unknown }).Event = { mine: true };
  assert.deepEqual((flat as { Event?: unknown }).Event, { mine: true });
  assert.equal(Object.getOwnPropertyDescriptor(flat, 'Event')!.enumerable, false);
  // read without assigning: the record is looked for in the file, and its absence is said
  const other: LogEvent = {};
  events.attach(other, '/nonexistent/file.evtx', 0, 4096);
  assert.throws(() => (other as { Event?: unknown }).Event, /ENOENT/);
});

const CHUNK = CHUNK_SIZE;
const HEADER = FILE_HEADER_SIZE;

test('mutated chunks: the same records, flat or JSON, and the same problems', { timeout: 180_000 }, () => {
  const chunks: Buffer[] = [];
  for (const rel of MUTATION_SOURCES) {
    const buf = readFileSync(path.join(EVTX_DIR, rel));
    for (let off = HEADER, n = 0; off + CHUNK <= buf.length && n < 3; off += CHUNK) {
      if (buf.toString('latin1', off, off + 7) === 'ElfChnk') {
        chunks.push(Buffer.from(buf.subarray(off, off + CHUNK)));
        n++;
      }
    }
  }
  const job = { file: 'mutated', chunk: 0, offset: HEADER, expected: true, xml: false };
  const rand = rng(0xc4a1);
  const before = { ...renderFlatStats };
  const started = Date.now();
  let iterations = 0, records = 0;
  while (iterations < 2000 && Date.now() - started < 60_000) {
    const buf = Buffer.from(chunks[Math.floor(rand() * chunks.length)]!);
    const n = 1 + Math.floor(rand() * 6);
    for (let i = 0; i < n; i++) {
      const p = 512 + Math.floor(rand() * (CHUNK - 512));
      if (rand() < 0.5) buf[p]! ^= 1 << Math.floor(rand() * 8);
      else {
        // a piece of the chunk copied elsewhere: plausible tokens in odd places
        const from = 512 + Math.floor(rand() * (CHUNK - 1024));
        buf.copy(buf, p, from, from + 1 + Math.floor(rand() * 256));
      }
    }
    const json: ChunkResult = parseChunk(buf, { ...job, json: true });
    const flat: ChunkResult = parseChunk(buf, { ...job, json: false, flat: true });
    const what = `mutation ${iterations}`;
    assert.deepStrictEqual(flat.errors, json.errors, what);
    assert.deepStrictEqual(flat.warnings, json.warnings, what);
    assertSameRecords(flat.records, json.records, what);
    records += json.records.length;
    iterations++;
  }
  assert.ok(iterations >= 300, `only ${iterations} iterations`);
  console.log(`mutated chunks: ${iterations}, ${records} records, ${renderFlatStats.direct - before.direct} written directly, ${renderFlatStats.old - before.old} the old way`);
});
