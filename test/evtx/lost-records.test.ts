// Records skipped inside a damaged chunk are counted and reported with their chunk and offset: the
// chunk header declares its first and last record id, so every id never reached is accounted for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readEvtxAll } from '../../src/sources/evtx/index.js';
import { openEvtxSource } from '../../src/sources/evtx-source.js';
import { EVTX_DIR } from './helpers.js';

const SAMPLE = path.join(EVTX_DIR, 'windows/mdec-security-wmiexec-1023-events.evtx');

test('512 zeroed bytes in the middle of a 1,023-record file: every record is read or counted lost', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'quarry-evtx-lost-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const buf = readFileSync(SAMPLE);
  const mid = Math.floor(buf.length / 2);
  buf.fill(0, mid, mid + 512);
  const file = path.join(dir, 'zeroed.evtx');
  writeFileSync(file, buf);

  const { records, errors, stats } = await readEvtxAll(file, { workers: 0 });
  const lost = errors.filter((e) => e.scope === 'lost');
  assert.equal(lost.length, 1);
  const [e] = lost;
  // chunk 8 holds ids 738-827; the wipe hits its record area at chunk offset 0x7800
  assert.equal(e!.chunk, 8);
  assert.equal(e!.lost, 49);
  assert.match(e!.message, /ids 779-827/);
  assert.ok(e!.offset > 4096 + 8 * 65536 && e!.offset < 4096 + 9 * 65536, `offset ${e!.offset} inside chunk 8`);
  assert.equal(records.length + stats.recordsFailed + stats.recordsLost, 1023);
  assert.equal(stats.recordsLost, 49);

  // as a hunt input: events + problems = records
  const source = openEvtxSource(file);
  let events = 0;
  for await (const _ of source.records()) events++;
  assert.equal(events, 974);
  assert.equal(source.problemCount, 49);
  assert.equal(source.problems.length, 1);
  assert.equal(source.problems[0]!.records, 49);
  assert.match(source.problems[0]!.message, /^lost in chunk 8: 49 event records/);
});

test('the damaged samples of the evtx crate: lost records counted per chunk', async () => {
  const expected: Array<[string, number, number]> = [
    // file, records read, records declared by chunk headers but not reached
    ['evtx-crate/HelloForBusiness-incomplete-sid.evtx', 6, 14],
    ['evtx-crate/LanguagePackSetup-incomplete-template.evtx', 17, 3],
    ['evtx-crate/sample-with-zero-data-size-event.evtx', 335, 114],
    ['evtx-crate/sample_with_a_bad_chunk_magic.evtx', 270, 197],
  ];
  for (const [rel, ok, lost] of expected) {
    const { stats } = await readEvtxAll(path.join(EVTX_DIR, rel), { workers: 0 });
    assert.equal(stats.recordsOk, ok, rel);
    assert.equal(stats.recordsLost, lost, rel);
  }
});

test('an intact file reports nothing lost', async () => {
  const { stats } = await readEvtxAll(SAMPLE, { workers: 0 });
  assert.equal(stats.recordsOk, 1023);
  assert.equal(stats.recordsLost, 0);
  assert.equal(stats.errors.length, 0);
});
