// Detection sinks: every format behind one interface; a slow destination makes the writer wait
// (bounded memory) and loses nothing; an unwritable destination is an error, not a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDetectionSink } from '../../src/report/sink.js';
import type { HuntDetection } from '../../src/hunt/detection.js';

const detection = (n: number): HuntDetection => ({
  rule: { id: 'r', title: `Rule ${n}`, level: 'high', path: 'r.yml', tags: [] },
  source: { file: 'events.ndjson', line: n },
  timestamp: '2026-11-20T08:00:00.000Z',
  event: { CommandLine: 'x'.repeat(200), n },
  matched: [],
});

test('a slow destination makes write() wait, and every detection arrives in order', async () => {
  const chunks: string[] = [];
  let waits = 0;
  const slow = new Writable({
    highWaterMark: 256,
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      setTimeout(cb, 1);
    },
  });
  const sink = await openDetectionSink('jsonl', { stdout: slow });
  for (let i = 1; i <= 50; i++) {
    const w = sink.write(detection(i));
    if (w) {
      waits++;
      await w;
    }
  }
  await sink.close();
  await new Promise((r) => setImmediate(r));
  assert.ok(waits > 10, `write waited ${waits} times`);
  const lines = chunks.join('').trim().split('\n').map((l) => JSON.parse(l).event.n);
  assert.deepEqual(lines, Array.from({ length: 50 }, (_, i) => i + 1));
});

test('csv to a file, closed, holds a header and one row per detection', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'quarry-sink-')), 'out.csv');
  const sink = await openDetectionSink('csv', { output: file });
  for (let i = 1; i <= 3; i++) await sink.write(detection(i));
  await sink.close();
  const rows = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(rows.length, 4);
  assert.match(rows[1]!, /^2026-11-20T08:00:00.000Z,high,Rule 1,r,r.yml,events.ndjson:1,/);
});

test('a file in a missing folder is an error on close, not a crash', async () => {
  const sink = await openDetectionSink('jsonl', { output: '/nonexistent-quarry-dir/out.jsonl' });
  await assert.rejects(async () => {
    await sink.write(detection(1));
    await sink.close();
  }, /ENOENT/);
});
