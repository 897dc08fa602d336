// A worker starting beside a broker that is not there yet, or whose JetStream is not up yet, waits
// for it (retries logged) and then serves: exactly the hunt's detections. A worker given a setting
// the broker refuses fails at once (exit 2, no retry); one whose broker never comes gives up after
// --start-timeout (exit 2, the retries in its log). Real nats-server, started here and stopped by pid.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../services.js';
import { QUARRY } from './serve-helpers.js';
import { serverReservations, type NatsServer } from './nats-server.js';
import { logonEvents, logonRules } from './logon-stream.js';
import { assertSameDetections, detectionKey, publish, serviceDetections, startTopology, stopTopology, waitForEnd, type TopologyRun } from './serve-nats-helpers.js';

const skip = needs('nats');
const EVENTS = 400;
let rules: string;
let eventsFile: string;
let want: string[];

before(() => {
  if (skip) return;
  rules = logonRules();
  eventsFile = join(mkdtempSync(join(tmpdir(), 'quarry-nats-start-')), 'logons.ndjson');
  writeFileSync(eventsFile, logonEvents(EVENTS, 11).join('\n') + '\n');
  const hunt = spawnSync(process.execPath, [QUARRY, 'hunt', '--rules', rules, '--format', 'jsonl', eventsFile], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(hunt.status, 0, hunt.stderr);
  want = hunt.stdout.trim().split('\n').map(detectionKey);
  assert.ok(want.length > 20, `${want.length} detections`);
});

const reserved = serverReservations();

/** Waits until the worker's log matches (or fails with the log). */
async function logShows(run: TopologyRun, name: string, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.logs.get(name) ?? '')) {
    if (Date.now() > deadline) throw new Error(`${name}'s log never showed ${pattern}:\n${run.logs.get(name) ?? ''}`);
    if (run.workers.get(name)!.exitCode !== null) throw new Error(`${name} exited (${run.workers.get(name)!.exitCode}) before its log showed ${pattern}:\n${run.logs.get(name) ?? ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One worker of both stages on the stream, started before the broker is ready; `ready` makes it ready. */
async function serveThroughLateStart(nats: NatsServer, stream: string, waitingFor: RegExp, ready: () => Promise<void>): Promise<string> {
  const run = startTopology(nats, stream, rules, [{ stage: 'both', name: 'w' }], ['--partitions', '2', '--start-timeout', '60s', '--lateness', '1h']);
  try {
    await logShows(run, 'w', waitingFor);
    await ready();
    publish(nats, stream, eventsFile, true);
    await waitForEnd(nats, stream, EVENTS + 1, run, 60_000);
  } finally {
    const codes = await stopTopology(run);
    assert.equal(codes.get('w'), 0, `exits 0 on SIGTERM:\n${run.logs.get('w')?.slice(-3000)}${nats.whyGone()}`);
  }
  assertSameDetections(await serviceDetections(nats, stream), want, stream);
  return run.logs.get('w')!;
}

test('a worker started before nats-server listens retries the connection (logged), then serves: exactly the hunt\'s detections', { skip, timeout: 90_000 }, async () => {
  const nats = await reserved();
  const log = await serveThroughLateStart(nats, 'LATE', /"msg":"connecting failed; retrying".*"transient":"connection refused"/, () => nats.launch());
  assert.match(log, /"msg":"connecting failed; retrying","server":"127\.0\.0\.1:\d+","attempt":1,"retryInMs":\d+/);
  assert.match(log, /connecting failed; retrying[\s\S]*"msg":"serving"/);
});

test('a worker started while JetStream is not up (no responders) retries, then serves once it is: exactly the hunt\'s detections', { skip, timeout: 90_000 }, async () => {
  const nats = await reserved();
  await nats.launch({ jetstream: false });
  // Restarted during the third wait (300 ms or so): an attempt sent while the server stops would
  // only be answered by its 5 s timeout (then retried), which is slower, not wrong.
  const log = await serveThroughLateStart(nats, 'NOJS', /"msg":"reaching JetStream failed; retrying","server":"[^"]+","attempt":3,.*"transient":"no responders \(JetStream not ready\)"/, () => nats.restart({ jetstream: true }));
  assert.match(log, /reaching JetStream failed; retrying[\s\S]*"msg":"serving"/);
});

test('a setting the broker refuses (the events subjects taken by another stream) fails at once: exit 2, the step named, no retry', { skip, timeout: 60_000 }, async () => {
  const nats = await reserved();
  await nats.launch();
  await nats.addStream('SOMEONE_ELSES', ['TAKEN.>']);
  // A start timeout longer than the process may run: a retried refusal would be killed, not exit 2.
  const r = spawnSync(process.execPath, [QUARRY, 'serve', '--rules', rules, '--input', nats.url('TAKEN'), '--output', `nats://${nats.server}/detections.TAKEN`, '--start-timeout', '5m'], { encoding: 'utf8', timeout: 40_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /quarry serve: NATS at 127\.0\.0\.1:\d+: making or finding the events stream TAKEN: subjects overlap with an existing stream\n/);
  assert.doesNotMatch(r.stderr, /retrying/);
});

test('a broker that never comes: the worker gives up after --start-timeout, exit 2, every retry logged', { skip, timeout: 60_000 }, async () => {
  const nats = await reserved(); // a free port, nothing listening
  const r = spawnSync(process.execPath, [QUARRY, 'serve', '--rules', rules, '--input', nats.url('NEVER'), '--output', `nats://${nats.server}/detections.NEVER`, '--start-timeout', '2s'], { encoding: 'utf8', timeout: 40_000 });
  assert.equal(r.status, 2, r.stderr);
  const m = /quarry serve: NATS at 127\.0\.0\.1:\d+: connecting still failing after 2 s \((\d+) attempts\): connection refused \(is nats-server running there, with JetStream\? --start-timeout 2s can be raised\)\n/.exec(r.stderr);
  assert.ok(m, r.stderr);
  const retries = r.stderr.split('\n').filter((l) => l.includes('"msg":"connecting failed; retrying"'));
  assert.equal(retries.length, Number(m[1]) - 1, 'one log line per retry');
  assert.deepEqual(retries.map((l) => (JSON.parse(l) as { attempt: number }).attempt), retries.map((_, i) => i + 1));
});
