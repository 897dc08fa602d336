// Which NATS failures the service retries, and how: the errors are the NATS client's own classes,
// built as the client builds them (the chains were read from a real nats-server: no JetStream,
// overlapping subjects, a permission denied, a refused connection); the backoff runs on a fake
// clock, so no test waits. A lease renewal whose answer was lost is recognised, not taken for a
// lost lease. `quarry publish`'s sender sends again what was not confirmed, and the stream (a fake
// with JetStream's dedupe) holds each event once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthorizationError, ConnectionError, InvalidArgumentError, NoRespondersError, PermissionViolationError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { JetStreamApiError } from '@nats-io/jetstream';
import { jserrors } from '@nats-io/jetstream/internal';
import { retry, RetryExhaustedError, transientReason, type RetryClock } from '../../src/runtime/nats/retry.js';
import { acquireLease, type LeaseKv } from '../../src/runtime/nats/kv-lease.js';
import { EventPublisher, type PublishClient } from '../../src/runtime/nats/event-publisher.js';
import type { LogLevel } from '../../src/runtime/log.js';

const apiError = (err_code: number, code: number, description: string) => new JetStreamApiError({ err_code, code, description });
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:4222`), { code });
// What the JetStream client throws when nobody answers $JS.API (JetStream not up, or not enabled).
const noResponders = new jserrors.JetStreamNotEnabled('jetstream is not enabled', { cause: new RequestError("no responders: '$JS.API.INFO'", { cause: new NoRespondersError('$JS.API.INFO') }) });

const CASES: Array<{ name: string; error: unknown; transient: boolean }> = [
  { name: 'a request or JetStream call not answered in time', error: new TimeoutError(), transient: true },
  { name: 'no responders on $JS.API (JetStream starting)', error: noResponders, transient: true },
  { name: 'connection refused at the first connect', error: new ConnectionError('connection refused', { cause: socketError('ECONNREFUSED') }), transient: true },
  { name: 'a socket reset', error: socketError('ECONNRESET'), transient: true },
  { name: 'the connection dropped while a request waited', error: new RequestError('connection disconnected'), transient: true },
  { name: 'JetStream system temporarily unavailable (10008)', error: apiError(10008, 503, 'JetStream system temporarily unavailable'), transient: true },
  { name: 'no JetStream leader yet (10009)', error: apiError(10009, 500, 'JetStream cluster can not handle request'), transient: true },
  { name: 'an unknown host name', error: socketError('ENOTFOUND'), transient: false },
  { name: 'subjects overlap with an existing stream (10065)', error: apiError(10065, 400, 'subjects overlap with an existing stream'), transient: false },
  { name: 'a stream name in use with another configuration (10058)', error: apiError(10058, 400, 'stream name already in use with a different configuration'), transient: false },
  { name: 'JetStream not enabled for the account (10039)', error: new jserrors.JetStreamNotEnabled('JetStream not enabled for account', { cause: apiError(10039, 503, 'JetStream not enabled for account') }), transient: false },
  { name: 'authorization violation', error: new AuthorizationError('Authorization Violation'), transient: false },
  { name: 'permission denied on the JetStream API', error: new RequestError('Permissions Violation for Publish to "$JS.API.INFO"', { cause: new PermissionViolationError('Permissions Violation for Publish to "$JS.API.INFO"', 'publish', '$JS.API.INFO') }), transient: false },
  { name: "a server without TLS asked for TLS", error: new ConnectionError("server does not support 'tls'"), transient: false },
  { name: 'an invalid argument', error: InvalidArgumentError.format('timeout', 'must be greater than 0'), transient: false },
  { name: "Quarry's own refusal (partitions differ)", error: new Error('the topology has 4 partitions, not 2'), transient: false },
  { name: 'something thrown that is not an Error', error: 'boom', transient: false },
];

for (const c of CASES) {
  test(`${c.transient ? 'retried' : 'refused at once'}: ${c.name}`, () => {
    const reason = transientReason(c.error);
    assert.equal(reason !== null, c.transient, `transientReason gave ${reason}`);
  });
}

/** A clock that moves only when the code under test sleeps; `random` fixed so waits are exact. */
function fakeClock(random = 0.5): RetryClock & { t: number; sleeps: number[] } {
  const c = {
    t: 1_000_000,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
    random: () => random,
  };
  return c;
}

function recorder() {
  const lines: Array<{ level: LogLevel; msg: string; fields: Record<string, unknown> }> = [];
  return { lines, log: (level: LogLevel, msg: string, fields: Record<string, unknown> = {}) => void lines.push({ level, msg, fields }) };
}

/** A function failing with the given errors in turn, then answering 'ok'. */
function failing(...errors: unknown[]) {
  const f = async () => {
    f.calls++;
    if (f.calls <= errors.length) throw errors[f.calls - 1];
    return 'ok';
  };
  f.calls = 0;
  return f;
}

const classify = transientReason;

test('transient failures are retried with doubling, jittered waits, each retry logged', async () => {
  const clock = fakeClock(0.5);
  const { lines, log } = recorder();
  const f = failing(new TimeoutError(), noResponders, new TimeoutError());
  const r = await retry(f, { what: 'making the stream E', until: clock.t + 30_000, budgetMs: 30_000, classify, log, fields: { server: 'h:1' }, clock });
  assert.equal(r, 'ok');
  assert.equal(f.calls, 4);
  // Steps 100, 200, 400; the wait is half the step plus random × half: 75, 150, 300.
  assert.deepEqual(clock.sleeps, [75, 150, 300]);
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg, l.fields.attempt, l.fields.retryInMs, l.fields.transient, l.fields.reason, l.fields.server]),
    [
      ['warn', 'making the stream E failed; retrying', 1, 75, 'timeout', 'timeout', 'h:1'],
      ['warn', 'making the stream E failed; retrying', 2, 150, 'no responders (JetStream not ready)', 'jetstream is not enabled', 'h:1'],
      ['warn', 'making the stream E failed; retrying', 3, 300, 'timeout', 'timeout', 'h:1'],
    ],
  );
});

test('the jitter spreads each wait over the upper half of its step, and the step stops doubling at maxWaitMs', async () => {
  for (const random of [0, 0.999]) {
    const clock = fakeClock(random);
    const f = failing(...Array.from({ length: 8 }, () => new TimeoutError()));
    await retry(f, { what: 'x', until: clock.t + 60_000, budgetMs: 60_000, classify, log: () => undefined, firstWaitMs: 100, maxWaitMs: 1000, clock });
    const steps = [100, 200, 400, 800, 1000, 1000, 1000, 1000];
    clock.sleeps.forEach((w, i) => assert.ok(w >= steps[i]! / 2 && w <= steps[i]!, `wait ${i} = ${w}, step ${steps[i]}`));
  }
});

test('a refusal is thrown at once, named by the step, with the original as its cause', async () => {
  const clock = fakeClock();
  const { lines, log } = recorder();
  const overlap = apiError(10065, 400, 'subjects overlap with an existing stream');
  const f = failing(overlap);
  await assert.rejects(retry(f, { what: 'making or finding the events stream E', until: clock.t + 30_000, budgetMs: 30_000, classify, log, clock }), (e: Error) => {
    assert.equal(e.message, 'making or finding the events stream E: subjects overlap with an existing stream');
    assert.equal(e.cause, overlap);
    return true;
  });
  assert.equal(f.calls, 1);
  assert.deepEqual(clock.sleeps, []);
  assert.deepEqual(lines, []);
});

test('past the deadline the last failure is thrown: no wait reaches beyond it, and the attempts are counted', async () => {
  const clock = fakeClock(0.999);
  const start = clock.t;
  const { lines, log } = recorder();
  const f = failing(...Array.from({ length: 1000 }, () => new ConnectionError('connection refused', { cause: socketError('ECONNREFUSED') })));
  await assert.rejects(retry(f, { what: 'connecting', until: start + 5000, budgetMs: 5000, classify, log, clock }), (e: Error) => {
    assert.ok(e instanceof RetryExhaustedError);
    assert.match(e.message, /^connecting still failing after 5 s \(\d+ attempts\): connection refused$/);
    assert.equal(e.attempts, f.calls);
    return true;
  });
  // The last wait is cut to the deadline, where the last attempt runs.
  assert.equal(clock.t, start + 5000);
  assert.equal(lines.length, f.calls - 1);
  assert.ok(f.calls >= 5 && f.calls <= 10, `${f.calls} attempts in 5 s`);
});

test('steps sharing one deadline share the budget: a later step has only what is left', async () => {
  const clock = fakeClock(0.5);
  const start = clock.t;
  const until = start + 1000;
  const first = failing(new TimeoutError(), new TimeoutError(), new TimeoutError());
  await retry(first, { what: 'first', until, budgetMs: 1000, classify, log: () => undefined, clock });
  assert.equal(clock.t - start, 75 + 150 + 300);
  const second = failing(...Array.from({ length: 100 }, () => new TimeoutError()));
  await assert.rejects(retry(second, { what: 'second', until, budgetMs: 1000, classify, log: () => undefined, clock }), RetryExhaustedError);
  assert.equal(clock.t, until);
  assert.deepEqual(clock.sleeps.slice(3), [75, 150, 250], 'the second step starts its own backoff, cut at the shared deadline');
});

/** A key-value bucket with revisions and compare-and-set, whose next answer can be lost after the write lands. */
function fakeKv() {
  let seq = 0;
  const keys = new Map<string, { value: string; revision: number }>();
  const state = { loseNextAnswer: false };
  const entry = (k: string) => {
    const e = keys.get(k);
    return e ? { operation: 'PUT', revision: e.revision, string: () => e.value, json: () => JSON.parse(e.value) } : null;
  };
  const write = (k: string, v: string, expected: number) => {
    const cur = keys.get(k)?.revision ?? 0;
    if (cur !== expected) throw apiError(10071, 400, `wrong last sequence: ${cur}`);
    keys.set(k, { value: v, revision: ++seq });
    if (state.loseNextAnswer) {
      state.loseNextAnswer = false;
      throw new TimeoutError();
    }
    return seq;
  };
  const kv = {
    get: async (k: string) => entry(k),
    create: async (k: string, v: string) => write(k, v, 0),
    update: async (k: string, v: string, rev: number) => write(k, v, rev),
    delete: async (k: string) => void keys.delete(k),
  };
  return { kv: kv as unknown as LeaseKv, keys, state, put: (k: string, v: string) => keys.set(k, { value: v, revision: ++seq }) };
}

test('a lease renewal whose write landed but whose answer was lost is recognised at the next renewal, not taken for a lost lease', async () => {
  let now = 1_000_000;
  const bucket = fakeKv();
  const lease = await acquireLease(bucket.kv, 3, 'w1', 2000, () => now);
  assert.ok(lease);
  now += 700;
  assert.equal(await lease.renew(), true);
  bucket.state.loseNextAnswer = true;
  now += 700;
  assert.equal(await lease.renew(), true, 'a timeout is tried again next round');
  now += 700;
  assert.equal(await lease.renew(), true, 'the key holds our own last write: still ours');
  now += 700;
  assert.equal(await lease.renew(), true, 'and the revision was taken up');
  assert.equal(JSON.parse(bucket.keys.get('lease.p3')!.value).until, now + 2000);
});

test('a lease written by another owner is lost at the next renewal', async () => {
  let now = 1_000_000;
  const bucket = fakeKv();
  const lease = await acquireLease(bucket.kv, 0, 'w1', 2000, () => now);
  assert.ok(lease);
  assert.equal(await acquireLease(bucket.kv, 0, 'w2', 2000, () => now), null, 'held and not expired');
  now += 5000;
  assert.ok(await acquireLease(bucket.kv, 0, 'w2', 2000, () => now), 'expired: taken');
  assert.equal(await lease.renew(), false);
});

/**
 * A stream with JetStream's dedupe (a repeated message id is answered as a duplicate, with the sequence
 * of the copy held), whose answers follow a plan: 'lost' stores the message and then times out (the
 * confirmation lost), 'timeout' times out without storing, 'refuse' rejects it.
 */
function fakeStream(plan: (msgID: string, attempt: number) => 'ok' | 'lost' | 'timeout' | 'refuse' = () => 'ok') {
  const held: string[] = [];
  const seqOf = new Map<string, number>();
  const attempts = new Map<string, number>();
  const sent: string[] = [];
  const client: PublishClient = {
    async publish(_subject, _data, { msgID }) {
      sent.push(msgID);
      const attempt = (attempts.get(msgID) ?? 0) + 1;
      attempts.set(msgID, attempt);
      const what = plan(msgID, attempt);
      if (what === 'timeout') throw new TimeoutError();
      if (what === 'refuse') throw apiError(10054, 400, 'message size exceeds maximum allowed');
      const seq = seqOf.get(msgID);
      const ack = seq !== undefined ? { stream: 'E', seq, duplicate: true } : { stream: 'E', seq: held.push(msgID), duplicate: false };
      seqOf.set(msgID, ack.seq);
      if (what === 'lost') throw new TimeoutError();
      return ack as never;
    },
  };
  return { client, held, sent };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `e${i}`);

async function publishAll(p: EventPublisher, msgIDs: string[]): Promise<void> {
  for (const msgID of msgIDs) await p.send({ subject: 'E.events', data: msgID, msgID });
  await p.flush();
}

test('publish: confirmations lost mid-file (stored or not) are sent again with the same ids: each event held once, counted once as stored', async () => {
  const clock = fakeClock(0.5);
  const { lines, log } = recorder();
  const stream = fakeStream((id, attempt) => (attempt > 1 ? 'ok' : id === 'e3' || id === 'e5' ? 'lost' : id === 'e6' ? 'timeout' : 'ok'));
  const p = new EventPublisher(stream.client, { window: 4, storedAfter: 0, log, clock });
  await publishAll(p, ids(10));
  assert.deepEqual([...stream.held].sort(), ids(10).sort(), 'each event held once');
  assert.equal(p.stored, 10, 'the repeats of lost confirmations are this run\'s own');
  assert.equal(p.repeats, 0);
  // Sent again once each, in their order, after the wait that the retry logged.
  assert.deepEqual(stream.sent.filter((id, i) => stream.sent.indexOf(id) < i), ['e3', 'e5', 'e6']);
  assert.ok(lines.length >= 1 && lines.every((l) => l.msg === 'publishing failed; retrying' && l.fields.transient === 'timeout' && Number(l.fields.unconfirmed) >= 1), JSON.stringify(lines));
  assert.equal(lines.length, clock.sleeps.length, 'one log line per retry');
});

test('publish: events the stream held before the run are counted as repeats, not as stored', async () => {
  const stream = fakeStream();
  const before = new EventPublisher(stream.client, { window: 8, storedAfter: 0, log: () => undefined, clock: fakeClock() });
  await publishAll(before, ids(3));
  const p = new EventPublisher(stream.client, { window: 8, storedAfter: stream.held.length, log: () => undefined, clock: fakeClock() });
  await publishAll(p, ids(5));
  assert.deepEqual([p.stored, p.repeats], [2, 3]);
  assert.equal(stream.held.length, 5);
});

test('publish: the end-of-input marker is sent and retried like an event, and not counted', async () => {
  const stream = fakeStream((id, attempt) => (id === 'end' && attempt === 1 ? 'lost' : 'ok'));
  const p = new EventPublisher(stream.client, { window: 8, storedAfter: 0, log: () => undefined, clock: fakeClock() });
  await publishAll(p, ids(2));
  await p.send({ subject: 'E.events', data: '', msgID: 'end', control: true });
  await p.flush();
  assert.deepEqual(stream.held, ['e0', 'e1', 'end']);
  assert.equal(p.stored, 2);
});

test('publish: a refusal mid-file ends the run at once, named, with no retry', async () => {
  const clock = fakeClock();
  const { lines, log } = recorder();
  const stream = fakeStream((id) => (id === 'e4' ? 'refuse' : 'ok'));
  const p = new EventPublisher(stream.client, { window: 2, storedAfter: 0, log, clock });
  await assert.rejects(publishAll(p, ids(10)), /^Error: publishing: message size exceeds maximum allowed$/);
  assert.deepEqual(lines, []);
  assert.deepEqual(clock.sleeps, []);
  assert.ok(!stream.held.includes('e4'));
  assert.equal(p.stored, stream.held.length, 'what it says it stored is what the stream holds');
});

test('publish: an outage longer than its bound gives up (the events confirmed so far counted), each retry logged', async () => {
  const clock = fakeClock(0.5);
  const { lines, log } = recorder();
  const stream = fakeStream((id) => (Number(id.slice(1)) >= 6 ? 'timeout' : 'ok'));
  const p = new EventPublisher(stream.client, { window: 4, storedAfter: 0, log, clock, outageMs: 10_000 });
  await assert.rejects(publishAll(p, ids(20)), (e: Error) => {
    assert.ok(e instanceof RetryExhaustedError);
    assert.match(e.message, /^publishing still failing after 10 s \(\d+ attempts\): timeout$/);
    assert.equal(lines.length, e.attempts - 1);
    return true;
  });
  assert.equal(p.stored, 6);
  assert.deepEqual(stream.held, ids(6));
  assert.ok(!stream.sent.includes('e12'), 'nothing new is sent while an outage lasts');
});
