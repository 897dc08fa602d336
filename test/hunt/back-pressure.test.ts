// Back-pressure: behind a destination that stops reading (a FIFO read late, a slow stdout), the hunt
// pauses. Measured as the bytes buffered in front of the destination and the events read while it
// is stalled, not as a timed RSS figure: both must stop growing, and nothing is lost once it reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProxyLogs } from '../../src/generate/index.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { setupHunt } from '../../src/hunt/setup.js';
import { hunt } from '../../src/hunt/hunt.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { openDetectionSink } from '../../src/report/sink.js';
import type { EventSource } from '../../src/sources/types.js';
import { DATA } from '../helpers.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a stalled destination pauses the hunt: bounded buffered bytes, no events read meanwhile, nothing lost', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-backpressure-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'proxy.log');
  writeFileSync(log, generateProxyLogs({ format: 'squid', lines: 20_000, seed: 11 }).text);

  const col = loadSigmaPaths([join(DATA, 'sigmahq/rules/web')]);
  const { prepared, inputs } = await setupHunt(col, [log], { pipelines: [], formatPipelines: true, regex: re2Regex });
  // count the events the hunt pulls from its input
  let eventsRead = 0;
  const source = inputs[0]!.source;
  const counted: EventSource = Object.assign(Object.create(source) as EventSource, {
    async *records() {
      for await (const r of source.records()) {
        eventsRead++;
        yield r;
      }
    },
  });
  inputs[0] = { ...inputs[0]!, source: counted };

  // a destination that takes nothing until released, like a FIFO nobody reads yet
  const HWM = 16 * 1024;
  let release: (() => void) | null = null;
  const released = new Promise<void>((r) => (release = r));
  let received = 0;
  const dest = new Writable({
    highWaterMark: HWM,
    write(chunk: Buffer, _enc, cb) {
      void released.then(() => {
        received += chunk.length;
        cb();
      });
    },
  });
  const sink = await openDetectionSink('jsonl', { stdout: dest });
  let written = 0;
  let maxBuffered = 0;
  const done = hunt(prepared.set, inputs, {
    regex: re2Regex,
    onDetection: (d) => {
      written++;
      const w = sink.write(d);
      maxBuffered = Math.max(maxBuffered, dest.writableLength);
      return w;
    },
  });

  await tick(300);
  const pausedAt = { events: eventsRead, written };
  await tick(500);
  // stalled: not one more event read, not one more detection written
  assert.equal(eventsRead, pausedAt.events, 'the hunt kept reading behind a stalled destination');
  assert.equal(written, pausedAt.written);
  assert.ok(eventsRead < 20_000, `read ${eventsRead} of 20,000 events while nothing was taken`);
  // what waits in front of the destination: its high-water mark and at most one more detection
  assert.ok(maxBuffered < HWM + 8 * 1024, `${maxBuffered} bytes buffered`);

  release!();
  const summary = await done;
  await sink.close();
  assert.equal(summary.events, 20_000);
  assert.equal(written, summary.detections);
  assert.ok(summary.detections > 1000, `${summary.detections} detections`);
  assert.ok(received > 100 * HWM, `${received} bytes received`);
  console.log(`back-pressure: paused after ${pausedAt.events} of 20,000 events and ${pausedAt.written} of ${summary.detections} detections; at most ${maxBuffered} bytes buffered (high-water mark ${HWM})`);
});
