// The faster NDJSON and EVTX readers (issue #14) read exactly what the readers before them read:
// the same events (byte for byte, big integers exact), locations, problems and counts for NDJSON
// edge cases fed in many chunk sizes, and for every record of every EVTX sample the same JSON event,
// XML, errors and stats. The expected digests were taken with the readers of commit a83b723.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJsonEvents } from '../../src/sources/json-reader.js';
import { expandEvtxInputs, parseChunk, readEvtx } from '../../src/sources/evtx/index.js';
import { rng } from '../seeded-random.js';
import { DATA, chunked } from './helpers.js';
import {
  chunkSizes, digestEvtx, digestEvtxMutations, digestSource, ndjsonCases, type EvtxDigest, type EvtxMutationDigest, type NdjsonDigest,
} from './reader-equivalence-cases.js';

const expected = JSON.parse(readFileSync(fileURLToPath(new URL('../../../test/fixtures/readers/equivalence.json', import.meta.url)), 'utf8')) as {
  ndjson: Record<string, NdjsonDigest>;
  evtx: Record<string, EvtxDigest>;
  evtxMutated: EvtxMutationDigest;
};

test('NDJSON edge cases read as before, in every chunk size', async () => {
  const cases = ndjsonCases(DATA);
  assert.deepEqual(cases.map((c) => c.name).sort(), Object.keys(expected.ndjson).sort());
  for (const c of cases) {
    for (const size of chunkSizes(c)) {
      const got = await digestSource(readJsonEvents('case.json', chunked(c.bytes, size), c.options));
      assert.deepEqual(got, expected.ndjson[c.name], `${c.name}, chunks of ${size} bytes`);
    }
  }
});

test('every record of every EVTX sample reads as before (JSON, XML, errors, stats)', async () => {
  const files = await expandEvtxInputs([DATA + 'evtx']);
  assert.deepEqual(files.map((f) => relative(DATA, f)).sort(), Object.keys(expected.evtx).sort());
  let records = 0;
  for (const f of files) {
    const got = await digestEvtx(readEvtx, f);
    assert.deepEqual(got, expected.evtx[relative(DATA, f)], relative(DATA, f));
    records += got.records;
  }
  assert.equal(records, 11929);
});

test('damaged EVTX chunks read as before: records, XML, errors and warnings of 300 seeded mutations', () => {
  assert.deepEqual(digestEvtxMutations(DATA, parseChunk, rng(0x14e4), 300), expected.evtxMutated);
});
