// What a worker makes or finds on the broker before it serves: the connection, the events stream,
// the partitions stream, the key-value bucket with the topology, the detections stream, and for
// a stage that reads events the shared durable consumer. Every step is safe to repeat (a second
// worker, or a retry after a timeout whose request did land, finds what the first made), so each
// is retried on a failure that can clear (retry.ts) until one start deadline (--start-timeout);
// a refusal (a setting that does not fit) ends the start at once.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager, RetentionPolicy, StorageType, type Consumer, type JetStreamClient, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { TopologyConfig } from '../topology/broker.js';
import type { Logger } from '../log.js';
import type { NatsBrokerOptions } from './nats-broker.js';
import { stepsWithin, transientReason, type Step } from './retry.js';

export const DETECT_CONSUMER = 'quarry-detect';
const ns = (ms: number) => ms * 1_000_000;

/** The broker's options, the start's deadline given. */
export type SetupOptions = NatsBrokerOptions & { startTimeoutMs: number };

/** What the broker works with once the start is done. */
export interface Prepared {
  nc: NatsConnection;
  jsm: JetStreamManager;
  js: JetStreamClient;
  kv: KV;
  config: TopologyConfig;
  stream: string;
  matches: string;
  outSubject: string | null;
  /** The detect stage's consumer (readsEvents). */
  events: Consumer | null;
}

/** Connects and prepares the topology; on failure the connection (which reconnects for ever) is closed. */
export async function prepare(o: SetupOptions): Promise<Prepared> {
  const stream = o.input.name;
  if (!/^[A-Za-z0-9_-]+$/.test(stream)) throw new Error(`the events stream name '${stream}' may hold only letters, digits, _ and -`);
  const step = stepsWithin(o.startTimeoutMs, o.log, { server: o.input.server });
  const nc = await connectRetrying(o.input.server, o.name, step);
  watchConnection(nc, o);
  try {
    return { nc, ...(await steps(nc, o, stream, step)) };
  } catch (e) {
    await nc.close().catch(() => undefined);
    throw e;
  }
}

/**
 * The connection, its first connect retried by `step`: not waitOnFirstConnect, whose wait has no bound
 * (a server that is not there yet is a failure here, retried within the start deadline). Once
 * connected it reconnects for ever: a broker restart is waited for by the retries of what is sent.
 */
export function connectRetrying(server: string, name: string, step: Step): Promise<NatsConnection> {
  return step('connecting', () => connect({ servers: server, name, maxReconnectAttempts: -1, reconnectTimeWait: 250, waitOnFirstConnect: false }));
}

/** Logs the connection's losses and returns (it reconnects on its own, during the start too). */
function watchConnection(nc: NatsConnection, o: SetupOptions): void {
  nc.closed().then((e) => e && o.log('error', 'NATS connection closed', { reason: e.message }));
  (async () => {
    for await (const s of nc.status()) if (s.type === 'disconnect' || s.type === 'reconnect') o.log(s.type === 'disconnect' ? 'warn' : 'info', `NATS ${s.type}`, { server: o.input.server });
  })().catch(() => undefined);
}

async function steps(nc: NatsConnection, o: SetupOptions, stream: string, step: Step): Promise<Omit<Prepared, 'nc'>> {
  const jsm = await step('reaching JetStream', () => jetstreamManager(nc));
  const js = jetstream(nc);
  const matches = `QUARRY_${stream}_MATCHES`;
  const matchesSubjects = `quarry.${stream}.matches.*`;
  const bucket = `QUARRY_${stream}`;
  let kv: KV;
  let config: TopologyConfig;
  if (o.inspect) {
    kv = await step(`opening the bucket ${bucket}`, () => new Kvm(js).open(bucket));
    const e = await step('reading the topology', () => kv.get('topology'));
    if (!e || e.operation !== 'PUT') throw new Error(`no Quarry topology on stream ${stream} yet`);
    config = e.json<TopologyConfig>();
  } else {
    await step(`making or finding the events stream ${stream}`, () => ensureStream(jsm, { name: stream, subjects: [`${stream}.>`], duplicate_window: ns(o.dedupeWindowMs) }));
    const info = await step(`making or finding the partitions stream ${matches}`, () => ensureStream(jsm, { name: matches, subjects: [matchesSubjects], duplicate_window: ns(o.dedupeWindowMs) }));
    // Records published to a stream that does not capture them would find no responder, for ever.
    if (!info.config.subjects?.includes(matchesSubjects)) throw new Error(`the stream ${matches} exists but does not capture ${matchesSubjects} (its subjects: ${info.config.subjects?.join(', ') || 'none'}): it was not made by Quarry; delete it, or serve another events stream`);
    kv = await step(`making or finding the bucket ${bucket}`, () => new Kvm(js).create(bucket, { history: 1, storage: StorageType.File }));
    config = await step('reading or making the topology', () => topologyConfig(kv, o.partitions));
  }
  let outSubject: string | null = null;
  if (o.output) {
    const subject = o.output.name;
    outSubject = subject;
    const owner = await step(`finding the stream of ${subject}`, () => findStream(jsm, subject));
    // Detections stored in the events stream would come back as events.
    if (owner === stream || owner === matches) throw new Error(`the detections subject ${subject} is captured by the stream ${owner} (subjects ${owner === stream ? `${stream}.>` : matchesSubjects}): choose a subject outside it, e.g. detections.${stream}`);
    await step(`making or finding the detections stream of ${subject}`, () => ensureOutputStream(jsm, subject, owner, o.dedupeWindowMs, o.log));
  }
  const events = o.readsEvents ? await step(`making or finding the consumer ${DETECT_CONSUMER}`, () => detectConsumer(jsm, js, stream, o)) : null;
  return { jsm, js, kv, config, stream, matches, outSubject, events };
}

const isApiError = (e: unknown, ...codes: number[]) => e instanceof JetStreamApiError && codes.includes(e.code);

/** Finds the stream, or makes it (file storage); another process making it at the same moment is fine. */
export async function ensureStream(jsm: JetStreamManager, cfg: { name: string; subjects: string[]; duplicate_window: number }): Promise<StreamInfo> {
  try {
    return await jsm.streams.info(cfg.name);
  } catch (e) {
    if (!isApiError(e, JetStreamApiCodes.StreamNotFound)) throw e;
  }
  try {
    return await jsm.streams.add({ ...cfg, storage: StorageType.File, retention: RetentionPolicy.Limits });
  } catch (e) {
    // Made by another worker at the same moment, with other settings (10058, name in use): used as it is.
    if (isApiError(e, 10058)) return await jsm.streams.info(cfg.name);
    throw e;
  }
}

/** The stream capturing the subject, or null when none does. */
export async function findStream(jsm: JetStreamManager, subject: string): Promise<string | null> {
  try {
    return await jsm.streams.find(subject);
  } catch (e) {
    // The client says "no stream matches subject" as a stream-not-found error.
    if (isApiError(e, JetStreamApiCodes.StreamNotFound)) return null;
    throw e;
  }
}

async function ensureOutputStream(jsm: JetStreamManager, subject: string, owner: string | null, windowMs: number, log: Logger): Promise<void> {
  let name = owner;
  if (!name) {
    name = `QUARRY_OUT_${subject.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    await ensureStream(jsm, { name, subjects: [subject], duplicate_window: ns(windowMs) });
    log('info', 'detections stream created', { stream: name, subject, dedupeWindowMs: windowMs });
  }
  const info = await jsm.streams.info(name);
  const window = info.config.duplicate_window / 1_000_000;
  if (window < windowMs) log('warn', "the detections stream's duplicate window is shorter than --dedupe-window: a repeat after it is not dropped", { stream: name, duplicateWindowMs: window, dedupeWindowMs: windowMs });
}

async function topologyConfig(kv: KV, partitions: number | undefined): Promise<TopologyConfig> {
  for (;;) {
    const e = await kv.get('topology');
    if (e && e.operation === 'PUT') {
      const cfg = e.json<TopologyConfig>();
      if (partitions !== undefined && partitions !== cfg.partitions) throw new Error(`the topology has ${cfg.partitions} partitions, not ${partitions}: partitions are fixed when it is created (state lives in them); leave out --partitions or start a new stream`);
      return cfg;
    }
    try {
      const cfg: TopologyConfig = { partitions: partitions ?? 16 };
      await kv.create('topology', JSON.stringify(cfg));
      return cfg;
    } catch (err) {
      // Another worker created it first (wrong last sequence): read theirs. Anything else is the step's to judge.
      if (!isWrongLastSequence(err)) throw err;
    }
  }
}

/** The compare-and-set of a key-value write lost: the key's revision is not the one given. */
export const isWrongLastSequence = (e: unknown) => isApiError(e, JetStreamApiCodes.StreamWrongLastSequence, JetStreamApiCodes.StreamWrongLastSequenceUnknown) || /wrong last sequence/i.test((e as Error)?.message ?? '');

/** The durable pull consumer every detect worker shares. */
async function detectConsumer(jsm: JetStreamManager, js: JetStreamClient, stream: string, o: SetupOptions): Promise<Consumer> {
  try {
    await jsm.consumers.add(stream, { durable_name: DETECT_CONSUMER, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: ns(o.ackWaitMs), max_ack_pending: o.maxInFlight });
  } catch (e) {
    if (transientReason(e)) throw e;
    // Already there with other limits (another worker made it): used as it is.
    await jsm.consumers.info(stream, DETECT_CONSUMER).catch(() => {
      throw e;
    });
  }
  return js.consumers.get(stream, DETECT_CONSUMER);
}
