// --sort time in bounded memory: runs spilled to disk and merged give the same order as one
// stable in-memory sort (equal times keep hunt order, untimed last), with 64-bit values intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { HuntDetection } from '../../src/hunt/detection.js';
import { TimeSorter } from '../../src/report/time-sort.js';

let seed = 5;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);

function detections(n: number): HuntDetection[] {
  return Array.from({ length: n }, (_, i) => {
    // few distinct times so that ties are common; every 50th without a time; one EVTX-like offset format
    const r = rnd();
    const timestamp = i % 50 === 7 ? undefined : i % 3 === 0 ? `2021-03-26T16:${String(Math.floor(r * 60)).padStart(2, '0')}:00.000000Z` : new Date(Date.UTC(2021, 2, 26, 16, Math.floor(r * 60))).toISOString();
    return { rule: { title: `R${i % 7}`, path: 'r.yml', tags: [] }, source: { file: 'a.evtx', record: i + 1 }, ...(timestamp ? { timestamp } : {}), event: { n: i, big: 2n ** 63n - BigInt(i) }, matched: [] };
  });
}

const key = (d: HuntDetection) => (d.timestamp ? Date.parse(d.timestamp) : Number.POSITIVE_INFINITY);
const sortDirs = () => readdirSync(tmpdir()).filter((f) => f.startsWith('quarry-sort-')).length;

test('spilled runs merge into the stable time order, untimed last, bigints kept, temporary files removed', async () => {
  const input = detections(5_000);
  const expected = input.map((d, i) => ({ d, i })).sort((a, b) => key(a.d) - key(b.d) || a.i - b.i).map(({ d }) => d.event.n);
  const dirsBefore = sortDirs();
  const sorter = new TimeSorter(700);
  for (const d of input) await sorter.add(d);
  assert.equal(sorter.spilled, 7, '5,000 detections in runs of 700: 7 on disk, the rest in memory');
  assert.equal(sortDirs(), dirsBefore + 1);
  const out: HuntDetection[] = [];
  for await (const d of sorter.drain()) out.push(d);
  assert.deepEqual(out.map((d) => d.event.n), expected);
  assert.equal(out.filter((d) => !d.timestamp).length, 100);
  assert.ok(out.slice(-100).every((d) => !d.timestamp), 'untimed at the end');
  const first = out.find((d) => d.event.n === 0)!;
  assert.equal(first.event.big, 2n ** 63n, 'a 64-bit value survives the round trip to disk');
  assert.equal(sortDirs(), dirsBefore, 'the runs are removed after the merge');
});

test('under the run size nothing is written to disk', async () => {
  const sorter = new TimeSorter();
  for (const d of detections(300)) await sorter.add(d);
  const out: HuntDetection[] = [];
  for await (const d of sorter.drain()) out.push(d);
  assert.equal(sorter.spilled, 0);
  assert.equal(out.length, 300);
  assert.ok(out.every((d, i) => i === 0 || key(out[i - 1]!) <= key(d)));
});
