// The scaled-out service on a real NATS JetStream (Debian's nats-server, started here on 127.0.0.1
// with a temporary store and stopped by pid): for 1, 4 and 16 partitions and 1–3 workers of each
// stage, and under faults (a worker SIGKILLed at each step, a stale owner fenced, the broker
// restarted mid-stream), the detections are exactly those of `quarry hunt` on the same events:
// none missing, none extra, none twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../services.js';
import { QUARRY } from './serve-helpers.js';
import { NatsServer } from './nats-server.js';
import { logonEvents, logonRules, seeded } from './logon-stream.js';
import { assertSameDetections, detectionKey, publish, serviceDetections, startTopology, stopTopology, waitForEnd, type WorkerSpec } from './serve-nats-helpers.js';

const skip = needs('nats');
const EVENTS = 3000;
let nats: NatsServer;
let rules: string;
let eventsFile: string;
let want: string[];

before(async () => {
  if (skip) return;
  nats = await NatsServer.start();
  rules = logonRules();
  const dir = mkdtempSync(join(tmpdir(), 'quarry-nats-events-'));
  eventsFile = join(dir, 'logons.ndjson');
  writeFileSync(eventsFile, logonEvents(EVENTS, 7).join('\n') + '\n');
  const hunt = spawnSync(process.execPath, [QUARRY, 'hunt', '--rules', rules, '--format', 'jsonl', eventsFile], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(hunt.status, 0, hunt.stderr);
  want = hunt.stdout.trim().split('\n').map(detectionKey);
  // Single-event and correlation detections, every correlation type of the rules, the chain too.
  assert.ok(want.length > 500, `${want.length} detections`);
});

after(async () => {
  if (!skip) await nats.remove();
});

async function runOnce(stream: string, partitions: number, workers: WorkerSpec[], extra: string[] = []) {
  publish(nats, stream, eventsFile, true);
  const run = startTopology(nats, stream, rules, workers, ['--partitions', String(partitions), ...extra]);
  try {
    await waitForEnd(nats, stream, EVENTS + 1, run);
  } finally {
    const codes = await stopTopology(run);
    for (const [name, code] of codes) assert.equal(code, 0, `${name} exits 0 on SIGTERM:\n${run.logs.get(name)?.slice(-2000)}`);
  }
  return { got: await serviceDetections(nats, stream), run };
}

// Detect workers deliver matches to a partition in the order they finish, not the stream's: the
// lateness must cover that disorder in event time. This stream packs 50 minutes of event time into
// seconds of processing, so 20 minutes (about 1,200 events) covers a few workers taking 32 events at
// a time on a busy machine, and still lets windows close along the stream, not only at its end.
const SPREAD = ['--lateness', '20m', '--batch', '32'];
// A killed detect worker's events come back after the 30 s acknowledgement wait, by which time the
// others have read the whole stream: only a lateness beyond the stream keeps them in order.
const REDELIVERY = ['--lateness', '1h', '--batch', '32'];

test('1 partition, one process running both stages: exactly the hunt\'s detections (default lateness)', { skip, timeout: 180_000 }, async () => {
  const { got } = await runOnce('EQ1', 1, [{ stage: 'both', name: 'b1' }]);
  assertSameDetections(got, want, '1 partition');
});

test('4 partitions, 2 detect and 2 correlate workers: exactly the hunt\'s detections', { skip, timeout: 180_000 }, async () => {
  const { got } = await runOnce('EQ4', 4, [{ stage: 'detect', name: 'd1' }, { stage: 'detect', name: 'd2' }, { stage: 'correlate', name: 'c1' }, { stage: 'correlate', name: 'c2' }], SPREAD);
  assertSameDetections(got, want, '4 partitions');
});

test('16 partitions, 3 detect and 3 correlate workers racing for the leases at start: exactly the hunt\'s detections', { skip, timeout: 180_000 }, async () => {
  const { got } = await runOnce('EQ16', 16, [1, 2, 3].flatMap((i) => [{ stage: 'detect' as const, name: `d${i}` }, { stage: 'correlate' as const, name: `c${i}` }]), SPREAD);
  assertSameDetections(got, want, '16 partitions');
});

// Seeded: the kill lands on the same hit every run, and a failure names it.
// Ranges stay below what the victim reaches: a detect worker takes about half of the 3,000 events
// (batches with a publish: dozens); a correlate worker owns about half of the partitions (~250
// detections, most of them published along the stream; a snapshot after every record).
const FAULTS: Array<{ point: string; stage: 'detect' | 'correlate'; range: number }> = [
  { point: 'detect.before-publish', stage: 'detect', range: 400 },
  { point: 'detect.after-publish', stage: 'detect', range: 8 },
  { point: 'correlate.before-publish', stage: 'correlate', range: 60 },
  { point: 'correlate.after-publish', stage: 'correlate', range: 60 },
  { point: 'correlate.after-snapshot', stage: 'correlate', range: 400 },
];
const rnd = seeded(20261206);
FAULTS.forEach(({ point, stage, range }, i) => {
  const hit = 1 + Math.floor(rnd() * range);
  test(`a ${stage} worker SIGKILLed at ${point} (hit ${hit}) and restarted: 0 missing, 0 extra, 0 duplicates`, { skip, timeout: 180_000 }, async () => {
    const victim = stage === 'detect' ? 'd1' : 'c1';
    const workers: WorkerSpec[] = ['d1', 'd2', 'c1', 'c2'].map((name) => ({ stage: name.startsWith('d') ? 'detect' : 'correlate', name, ...(name === victim ? { failpoint: `${point}:${hit}` } : {}) }));
    // Snapshots after every record: the kill after a snapshot lands between snapshot and trim.
    const { got, run } = await runOnce(`F${i}`, 4, workers, [...(stage === 'detect' ? REDELIVERY : SPREAD), '--snapshot-ms', '0']);
    assert.equal(run.starts.get(victim), 2, `${victim} was killed at ${point} and restarted:\n${run.logs.get(victim)?.slice(0, 3000)}`);
    assert.match(run.logs.get(victim)!, new RegExp(`failpoint reached.*${point.replace('.', '\\.')}`));
    assertSameDetections(got, want, point);
  });
});

test('a stale owner (paused past its lease) is fenced by the new owner: it publishes nothing new and saves nothing', { skip, timeout: 180_000 }, async () => {
  const stream = 'STALE';
  const half = join(mkdtempSync(join(tmpdir(), 'quarry-nats-half-')), 'half.ndjson');
  const lines = logonEvents(EVENTS, 7);
  writeFileSync(half, lines.slice(0, EVENTS / 2).join('\n') + '\n');
  const rest = join(mkdtempSync(join(tmpdir(), 'quarry-nats-rest-')), 'rest.ndjson');
  writeFileSync(rest, lines.slice(EVENTS / 2).join('\n') + '\n');
  publish(nats, stream, half, false);
  const run = startTopology(nats, stream, rules, [{ stage: 'detect', name: 'd1' }, { stage: 'correlate', name: 'old' }], ['--partitions', '4', '--snapshot-ms', '0', ...SPREAD]);
  try {
    // The old owner holds every partition and has worked on the first half.
    for (let i = 0; i < 200 && !/partition taken[\s\S]*partition taken[\s\S]*partition taken[\s\S]*partition taken/.test(run.logs.get('old') ?? ''); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    run.workers.get('old')!.kill('SIGSTOP');
    publish(nats, stream, rest, true);
    const fresh = startTopology(nats, stream, rules, [{ stage: 'correlate', name: 'new' }], ['--partitions', '4', '--snapshot-ms', '0', ...SPREAD]);
    try {
      await waitForEnd(nats, stream, EVENTS + 1, fresh);
      run.workers.get('old')!.kill('SIGCONT');
      // The old owner wakes with records in hand: its renewals and snapshot writes now fail.
      for (let i = 0; i < 100 && !/lease lost|fenced/.test(run.logs.get('old') ?? ''); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(run.logs.get('old')!, /lease lost|fenced/);
    } finally {
      await stopTopology(fresh);
    }
  } finally {
    run.workers.get('old')!.kill('SIGCONT');
    await stopTopology(run);
  }
  assertSameDetections(await serviceDetections(nats, stream), want, 'stale owner');
});

test('nats-server restarted mid-stream (stopped by pid, same store): the workers reconnect and nothing is lost or doubled', { skip, timeout: 240_000 }, async () => {
  const stream = 'RESTART';
  const lines = logonEvents(EVENTS, 7);
  const dir = mkdtempSync(join(tmpdir(), 'quarry-nats-restart-'));
  writeFileSync(join(dir, 'a.ndjson'), lines.slice(0, EVENTS / 2).join('\n') + '\n');
  writeFileSync(join(dir, 'b.ndjson'), lines.slice(EVENTS / 2).join('\n') + '\n');
  publish(nats, stream, join(dir, 'a.ndjson'), false);
  const run = startTopology(nats, stream, rules, [{ stage: 'detect', name: 'd1' }, { stage: 'detect', name: 'd2' }, { stage: 'correlate', name: 'c1' }, { stage: 'correlate', name: 'c2' }], ['--partitions', '4', '--snapshot-ms', '0', ...REDELIVERY]);
  try {
    await new Promise((r) => setTimeout(r, 2500));
    await nats.restart();
    publish(nats, stream, join(dir, 'b.ndjson'), true);
    await waitForEnd(nats, stream, EVENTS + 1, run, 150_000);
  } finally {
    const codes = await stopTopology(run);
    for (const [name, code] of codes) assert.equal(code, 0, `${name}:\n${run.logs.get(name)?.slice(-2000)}`);
  }
  assert.ok([...run.logs.values()].some((l) => /NATS (disconnect|reconnect)/.test(l)), 'the workers saw the broker go away');
  assertSameDetections(await serviceDetections(nats, stream), want, 'broker restart');
});
