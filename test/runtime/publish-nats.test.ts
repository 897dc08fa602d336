// `quarry publish` beside a broker that is not ready or goes away, on a real nats-server (started here,
// stopped, frozen and restarted by its pid): started before the server listens it waits (each retry
// one line) and then publishes every event once; a server that never comes ends it after
// --start-timeout (exit 2, the step named); a refusal ends it at once; confirmations lost mid-file
// (the broker frozen past the confirmation timeout, or restarted) are sent again with the same ids:
// the stream holds each event once, in file order, and the count printed is right.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { needs } from '../services.js';
import { QUARRY } from './serve-helpers.js';
import { readSubject, serverReservations, type NatsServer } from './nats-server.js';

const skip = needs('nats');
let dir: string;

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'quarry-publish-nats-'));
});

const reserved = serverReservations();

/** A file of `n` events, each told apart by its `n` field; returns its path and the events' text. */
function eventsFile(name: string, n: number): { file: string; events: string[] } {
  const events = Array.from({ length: n }, (_, i) => JSON.stringify({ n: i, EventID: 4625, Computer: `host${i % 37}`, TargetUserName: `user${i % 101}` }));
  const file = join(dir, name);
  writeFileSync(file, events.join('\n') + '\n');
  return { file, events };
}

/** `quarry publish` as a child process: its standard error as it comes, and its exit. */
function publishing(args: string[]) {
  const child = spawn(process.execPath, [QUARRY, 'publish', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const run = { stderr: '', exit: new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))) };
  child.stderr!.on('data', (b: Buffer) => (run.stderr += b.toString()));
  return run;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The stream holds exactly the events, once each and in file order, and one end-of-input marker. */
async function assertHoldsOnce(nats: NatsServer, stream: string, events: string[]): Promise<void> {
  const held = await readSubject(nats.server, `${stream}.events`);
  const ends = held.filter((m) => m === '').length;
  assert.equal(ends, 1, 'one end of input');
  const stored = held.filter((m) => m !== '');
  assert.equal(stored.length, events.length, 'no event lost, none stored twice');
  assert.deepEqual(stored.map((m) => JSON.parse(m)), events.map((e) => JSON.parse(e)));
}

test('publish started before nats-server listens retries the connection (one line each), then publishes every event once', { skip, timeout: 90_000 }, async () => {
  const nats = await reserved();
  const { file, events } = eventsFile('late.ndjson', 2000);
  const run = publishing(['--to', nats.url('LATE'), '--end', '--start-timeout', '60s', file]);
  await until('a retry of the connection', () => /quarry publish: connecting failed; retrying in \d+ ms \(attempt 2: connection refused\)\n/.test(run.stderr));
  await nats.launch();
  assert.equal(await run.exit, 0, run.stderr);
  assert.match(run.stderr, /^(quarry publish: connecting failed; retrying in \d+ ms \(attempt \d+: connection refused\)\n)+published 2000 events to LATE; end of input marked\n$/);
  await assertHoldsOnce(nats, 'LATE', events);
});

test('publish with no broker gives up after --start-timeout: exit 2, the step and its last failure, every retry one line', { skip, timeout: 60_000 }, async () => {
  const nats = await reserved(); // a free port, nothing listening
  const { file } = eventsFile('never.ndjson', 10);
  const r = spawnSync(process.execPath, [QUARRY, 'publish', '--to', nats.url('NEVER'), '--start-timeout', '2s', file], { encoding: 'utf8', timeout: 40_000 });
  assert.equal(r.status, 2, r.stderr);
  const m = /quarry publish: NATS at 127\.0\.0\.1:\d+: connecting still failing after 2 s \((\d+) attempts\): connection refused \(is nats-server running there, with JetStream\? --start-timeout 2s can be raised\)\n$/.exec(r.stderr);
  assert.ok(m, r.stderr);
  const retries = r.stderr.split('\n').filter((l) => l.startsWith('quarry publish: connecting failed; retrying'));
  assert.equal(retries.length, Number(m[1]) - 1, 'one line per retry');
  assert.deepEqual(
    retries.map((l) => Number(/\(attempt (\d+):/.exec(l)?.[1])),
    retries.map((_, i) => i + 1),
  );
});

test('a stream the broker refuses (its subjects taken by another stream) fails at once: exit 2, the step named, no retry', { skip, timeout: 60_000 }, async () => {
  const nats = await reserved();
  await nats.launch();
  await nats.addStream('SOMEONE_ELSES', ['TAKEN.>']);
  const { file } = eventsFile('taken.ndjson', 10);
  // A start timeout longer than the process may run: a retried refusal would be killed, not exit 2.
  const r = spawnSync(process.execPath, [QUARRY, 'publish', '--to', nats.url('TAKEN'), '--start-timeout', '5m', file], { encoding: 'utf8', timeout: 40_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, `quarry publish: NATS at ${nats.server}: making or finding the stream TAKEN: subjects overlap with an existing stream\n`);
});

/** Publishes a large file; once the stream holds some of it, `disturb` runs (the broker frozen or restarted). */
async function publishThrough(nats: NatsServer, stream: string, disturb: () => Promise<void>): Promise<void> {
  await nats.launch();
  const { file, events } = eventsFile(`${stream}.ndjson`, 40_000);
  const run = publishing(['--to', nats.url(stream), '--end', file]);
  const nc = await connect({ servers: nats.server });
  try {
    const jsm = await jetstreamManager(nc);
    await until('the stream holding part of the file', async () => ((await jsm.streams.info(stream).catch(() => null))?.state.messages ?? 0) >= 2000);
  } finally {
    await nc.close();
  }
  await disturb();
  assert.equal(await run.exit, 0, run.stderr + nats.whyGone());
  assert.match(run.stderr, /^quarry publish: publishing failed; retrying in \d+ ms \(attempt 1\b.*; \d+ events awaiting confirmation\)\n/);
  assert.match(run.stderr, /\npublished 40000 events to \w+; end of input marked\n$/, 'events whose confirmation was lost are counted as stored, not as repeats');
  await assertHoldsOnce(nats, stream, events);
}

test('confirmations lost mid-file (the broker frozen past the confirmation timeout): sent again with the same ids, each event held once', { skip, timeout: 120_000 }, async () => {
  const nats = await reserved();
  await publishThrough(nats, 'FROZEN', async () => {
    nats.pause();
    await new Promise((r) => setTimeout(r, 11_000)); // past the 10 s confirmation timeout
    nats.resume();
  });
});

test('a broker restarted mid-file: the publish reconnects, sends again what was not confirmed, each event held once', { skip, timeout: 120_000 }, async () => {
  const nats = await reserved();
  await publishThrough(nats, 'RESTARTED', async () => {
    await nats.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await nats.launch();
  });
});
