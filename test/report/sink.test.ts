// Detection sinks: every format behind one interface; a slow destination makes the writer wait
// (bounded memory) and loses nothing; an unwritable destination is an error, not a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
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
  assert.match(rows[0]!, /^timestamp,computer,channel,event_id,record_id,level,user,techniques,rule_title,source,details$/);
  assert.match(rows[1]!, /^2026-11-20T08:00:00.000Z,,,,,high,,,Rule 1,events.ndjson:1,/);
});

test('a file in a missing folder is an error on close, not a crash', async () => {
  const sink = await openDetectionSink('jsonl', { output: '/nonexistent-quarry-dir/out.jsonl' });
  await assert.rejects(async () => {
    await sink.write(detection(1));
    await sink.close();
  }, /ENOENT/);
});

test('a results file is staged beside its destination: discard leaves the earlier file, close moves the new one in', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-sink-stage-'));
  const file = join(dir, 'out.jsonl');
  writeFileSync(file, 'earlier\n');
  const failed = await openDetectionSink('jsonl', { output: file });
  await failed.write(detection(1));
  await failed.discard();
  assert.equal(readFileSync(file, 'utf8'), 'earlier\n');
  assert.deepEqual(readdirSync(dir), ['out.jsonl']);

  const sink = await openDetectionSink('jsonl', { output: file });
  await sink.write(detection(2));
  assert.equal(readFileSync(file, 'utf8'), 'earlier\n', 'nothing replaced before close');
  const info = { completed: true, started: '2026-12-06T18:00:00.000Z', finished: '2026-12-06T18:00:01.000Z', events: 5, detections: 1, problems: 0 };
  assert.equal(await sink.close(info), file);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).event.n, 2);
  assert.deepEqual(JSON.parse(readFileSync(`${file}.hunt.json`, 'utf8')), info);
  assert.deepEqual(readdirSync(dir).sort(), ['out.jsonl', 'out.jsonl.hunt.json']);

  // closed with no record: a stale side-car must not describe the new file
  const bare = await openDetectionSink('jsonl', { output: file });
  await bare.close();
  assert.deepEqual(readdirSync(dir), ['out.jsonl']);
});

test('a FIFO destination is written directly (it cannot be renamed over)', { skip: process.platform === 'win32' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-sink-fifo-'));
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const reader = new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    createReadStream(fifo).on('data', (c) => chunks.push(c as Buffer)).on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
  const sink = await openDetectionSink('jsonl', { output: fifo });
  await sink.write(detection(7));
  assert.equal(await sink.close(), fifo);
  assert.equal(JSON.parse(await reader).event.n, 7);
  assert.deepEqual(readdirSync(dir), ['pipe']);
});
