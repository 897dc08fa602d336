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
import { assertSameDetections, detectionKey, publish, serviceDetections, startTopology, stopTopology, waitForEnd, type TopologyRun, type WorkerSpec } from './serve-nats-helpers.js';

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

async function runOnce(stream: string, partitions: number, workers: WorkerSpec[], extra: string[] = [], whileRunning?: (run: TopologyRun) => Promise<void>) {
  publish(nats, stream, eventsFile, true);
  const run = startTopology(nats, stream, rules, workers, ['--partitions', String(partitions), ...extra]);
  try {
    await waitForEnd(nats, stream, EVENTS + 1, run);
    await whileRunning?.(run);
  } finally {
    const codes = await stopTopology(run);
    for (const [name, code] of codes) assert.equal(code, 0, `${name} exits 0 on SIGTERM:\n${run.logs.get(name)?.slice(-2000)}${nats.whyGone()}`);
  }
  return { got: await serviceDetections(nats, stream), run };
}

test('a detections subject inside the events stream is refused (detections would come back as events)', { skip, timeout: 60_000 }, () => {
  const r = spawnSync(process.execPath, [QUARRY, 'serve', '--rules', rules, '--input', nats.url('LOOP'), '--output', `nats://${nats.server}/LOOP.detections`], { encoding: 'utf8', timeout: 30_000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /the detections subject LOOP\.detections is captured by the stream LOOP .*choose a subject outside it/);
});

/** The stream's events in two files (the first and the second half), to publish at two moments. */
function halves(): [string, string] {
  const lines = logonEvents(EVENTS, 7);
  const dir = mkdtempSync(join(tmpdir(), 'quarry-nats-halves-'));
  const files = [join(dir, 'first.ndjson'), join(dir, 'second.ndjson')] as [string, string];
  writeFileSync(files[0], lines.slice(0, EVENTS / 2).join('\n') + '\n');
  writeFileSync(files[1], lines.slice(EVENTS / 2).join('\n') + '\n');
  return files;
}

// Detect workers deliver matches to a partition in the order they finish, not the stream's: the
// lateness must cover that disorder in event time. This stream packs 50 minutes of event time into
// seconds of processing, so 20 minutes (about 1,200 events) covers a few workers taking 32 events at
// a time on a busy machine, and still lets windows close along the stream, not only at its end.
const SPREAD = ['--lateness', '20m', '--batch', '32'];
// A killed detect worker's events come back after the 30 s acknowledgement wait, by which time the
// others have read the whole stream: only a lateness beyond the stream keeps them in order.
const REDELIVERY = ['--lateness', '1h', '--batch', '32'];

test('1 partition, one process running both stages: exactly the hunt\'s detections (default lateness); /healthz and /metrics', { skip, timeout: 180_000 }, async () => {
  const { got } = await runOnce('EQ1', 1, [{ stage: 'both', name: 'b1' }], ['--listen', '127.0.0.1:0'], async (run) => {
    const serving = run.logs.get('b1')!.split('\n').find((l) => l.includes('"msg":"serving"'))!;
    const port = (JSON.parse(serving) as { port: number }).port;
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { status: string; partitions: number[]; stage: string };
    assert.equal(health.status, 'ok');
    assert.deepEqual(health.partitions, [0]);
    // The backlog gauge is refreshed in the background: wait for its first value.
    let metrics = '';
    for (let i = 0; i < 50 && !/quarry_serve_stream_backlog_events 0\n/.test(metrics); i++, await new Promise((r) => setTimeout(r, 200))) metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, new RegExp(`quarry_serve_events_in_total ${EVENTS}\\n`));
    const single = want.filter((k) => JSON.parse(k)[2] === null).length;
    assert.match(metrics, new RegExp(`quarry_serve_detections_out_total\\{kind="rule"\\} ${single}\\n`));
    assert.match(metrics, new RegExp(`quarry_serve_detections_out_total\\{kind="correlation"\\} ${want.length - single}\\n`));
    assert.match(metrics, /quarry_serve_partitions_owned 1\n/);
    assert.match(metrics, /quarry_serve_stream_backlog_events 0\n/);
    assert.match(metrics, /quarry_serve_dropped_total\{reason="unreadable"\} 0\n/);
  });
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
// Ranges stay below what the victim reaches however fast the machine: a detect worker takes about
// half of the 3,000 events (batches of 32 with a publish: dozens); a correlate worker owns at least
// 2 of the 4 partitions (tens of records with detections each), and saves each of them at least
// once (at the end of input; more often every 200 ms while records flow).
const FAULTS: Array<{ point: string; stage: 'detect' | 'correlate'; range: number }> = [
  { point: 'detect.before-publish', stage: 'detect', range: 400 },
  { point: 'detect.after-publish', stage: 'detect', range: 8 },
  { point: 'correlate.before-publish', stage: 'correlate', range: 30 },
  { point: 'correlate.after-publish', stage: 'correlate', range: 30 },
  { point: 'correlate.after-snapshot', stage: 'correlate', range: 2 },
];
const rnd = seeded(20261206);
FAULTS.forEach(({ point, stage, range }, i) => {
  const hit = 1 + Math.floor(rnd() * range);
  test(`a ${stage} worker SIGKILLed at ${point} (hit ${hit}) and restarted: 0 missing, 0 extra, 0 duplicates`, { skip, timeout: 180_000 }, async () => {
    const victim = stage === 'detect' ? 'd1' : 'c1';
    const workers: WorkerSpec[] = ['d1', 'd2', 'c1', 'c2'].map((name) => ({ stage: name.startsWith('d') ? 'detect' : 'correlate', name, ...(name === victim ? { failpoint: `${point}:${hit}` } : {}) }));
    // A snapshot every 200 ms (and whenever a partition goes quiet): dozens per partition in a run.
    const { got, run } = await runOnce(`F${i}`, 4, workers, [...(stage === 'detect' ? REDELIVERY : SPREAD), '--snapshot-ms', '200']);
    assert.equal(run.starts.get(victim), 2, `${victim} was killed at ${point} and restarted:\n${run.logs.get(victim)?.slice(0, 3000)}`);
    assert.match(run.logs.get(victim)!, new RegExp(`failpoint reached.*${point.replace('.', '\\.')}`));
    assertSameDetections(got, want, point);
  });
});

test('a stale owner (paused past its lease) is fenced by the new owner: it publishes nothing new and saves nothing', { skip, timeout: 180_000 }, async () => {
  const stream = 'STALE';
  const [half, rest] = halves();
  publish(nats, stream, half, false);
  const run = startTopology(nats, stream, rules, [{ stage: 'detect', name: 'd1' }, { stage: 'correlate', name: 'old' }], ['--partitions', '4', '--snapshot-ms', '200', ...SPREAD]);
  try {
    // The old owner holds every partition and has worked on the first half.
    for (let i = 0; i < 200 && !/partition taken[\s\S]*partition taken[\s\S]*partition taken[\s\S]*partition taken/.test(run.logs.get('old') ?? ''); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    run.workers.get('old')!.kill('SIGSTOP');
    publish(nats, stream, rest, true);
    const fresh = startTopology(nats, stream, rules, [{ stage: 'correlate', name: 'new' }], ['--partitions', '4', '--snapshot-ms', '200', ...SPREAD]);
    try {
      await waitForEnd(nats, stream, EVENTS + 1, [fresh, run], 100_000);
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

test('a second SIGTERM while the graceful stop waits on a broker that does not answer exits at once, with status 130', { skip, timeout: 60_000 }, async () => {
  const run = startTopology(nats, 'SECOND', rules, [{ stage: 'correlate', name: 'w' }], ['--partitions', '2']);
  const worker = run.workers.get('w')!;
  const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
  try {
    for (let i = 0; i < 150 && !/"serving"/.test(run.logs.get('w') ?? ''); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(run.logs.get('w') ?? '', /"serving"/);
    nats.pause();
    worker.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(worker.exitCode, null, `the graceful stop should still be waiting on the paused broker:\n${run.logs.get('w')}`);
    worker.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running 5 s after the second signal'), 5000))]);
    assert.equal(code, 130);
    assert.match(run.logs.get('w')!, /second signal while stopping: exiting without finishing/);
  } finally {
    nats.resume();
    run.stopSupervising();
    worker.kill('SIGKILL');
  }
});

test('a rule file changed mid-stream: partitions are re-taken under the new rules and the unchanged correlations keep their windows', { skip, timeout: 240_000 }, async () => {
  const stream = 'RELOAD';
  const [first, second] = halves();
  // Its own copy of the rules: the change (a new rule no event matches) leaves every correlation as it was.
  const own = logonRules();
  publish(nats, stream, first, false);
  const run = startTopology(nats, stream, own, [{ stage: 'both', name: 'b1' }], ['--partitions', '4', '--snapshot-ms', '200', ...SPREAD]);
  try {
    for (let i = 0; i < 300 && !/partition taken[\s\S]*partition taken[\s\S]*partition taken[\s\S]*partition taken/.test(run.logs.get('b1') ?? ''); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2000));
    writeFileSync(join(own, 'extra.yml'), 'title: Never Seen\nid: b2000000-0000-4000-8000-000000000009\nstatus: test\nlogsource:\n    product: windows\ndetection:\n    selection:\n        EventID: 999999\n    condition: selection\nlevel: low\n');
    for (let i = 0; i < 300 && !/rules reloaded/.test(run.logs.get('b1') ?? ''); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(run.logs.get('b1')!, /rule files changed: reloading[\s\S]*rules reloaded/);
    publish(nats, stream, second, true);
    await waitForEnd(nats, stream, EVENTS + 1, run);
  } finally {
    const codes = await stopTopology(run);
    for (const [name, code] of codes) assert.equal(code, 0, `${name}:\n${run.logs.get(name)?.slice(-2000)}`);
  }
  // Partitions were handed back and taken again after the reload, resuming from their snapshots.
  assert.ok((run.logs.get('b1')!.match(/partition taken/g) ?? []).length >= 8);
  assertSameDetections(await serviceDetections(nats, stream), want, 'reload');
});

test('nats-server restarted mid-stream (stopped by pid, same store): the workers reconnect and nothing is lost or doubled', { skip, timeout: 240_000 }, async () => {
  const stream = 'RESTART';
  const [first, second] = halves();
  publish(nats, stream, first, false);
  const run = startTopology(nats, stream, rules, [{ stage: 'detect', name: 'd1' }, { stage: 'detect', name: 'd2' }, { stage: 'correlate', name: 'c1' }, { stage: 'correlate', name: 'c2' }], ['--partitions', '4', '--snapshot-ms', '200', ...REDELIVERY]);
  try {
    await new Promise((r) => setTimeout(r, 2500));
    await nats.restart();
    publish(nats, stream, second, true);
    await waitForEnd(nats, stream, EVENTS + 1, run, 150_000);
  } finally {
    const codes = await stopTopology(run);
    for (const [name, code] of codes) assert.equal(code, 0, `${name}:\n${run.logs.get(name)?.slice(-2000)}`);
  }
  assert.ok([...run.logs.values()].some((l) => /NATS (disconnect|reconnect)/.test(l)), 'the workers saw the broker go away');
  assertSameDetections(await serviceDetections(nats, stream), want, 'broker restart');
});
