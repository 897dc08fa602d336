// The Broker (runtime/topology/broker.ts) on NATS JetStream:
//   events      the user's stream (created as STREAM capturing `STREAM.>` when absent), read by one
//               durable pull consumer `quarry-detect` that every detect worker shares;
//   partitions  a stream QUARRY_<STREAM>_MATCHES, subject quarry.<STREAM>.matches.<p>; an owner reads
//               its partition with an ordered consumer from just after its snapshot's position and
//               trims (purges) up to the snapshot once it is saved;
//   leases, snapshots, the topology and worker heartbeats: the key-value bucket QUARRY_<STREAM>
//               (compare-and-set on each key's revision is the lease's and the snapshot's fence);
//   detections  published to the output subject with a message id; a stream capturing it (created as
//               QUARRY_OUT_<subject> when none does) drops ids it saw within its duplicate window.
// Publishes are retried across a broker restart with the same id; storage is on disk (file), so a
// restarted broker has every acknowledged message.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { Broker, EventMessage, Lease, PartitionMessage, StoredSnapshot, TopologyConfig } from '../topology/broker.js';
import type { Logger } from '../log.js';

export interface NatsAddress {
  /** host:port */
  server: string;
  /** The path's name: a stream (input) or a subject (output). */
  name: string;
}

/** nats://HOST:PORT/NAME → its parts; null when the text is not such an address. */
export function parseNatsUrl(text: string): NatsAddress | null {
  const m = /^nats:\/\/([^/\s]+:\d+)\/([^\s/]+)$/i.exec(text);
  return m ? { server: m[1]!, name: m[2]! } : null;
}

/** The header a control message carries (`quarry publish --end` sends `end`). */
export const CONTROL_HEADER = 'Quarry-Control';
const DETECT_CONSUMER = 'quarry-detect';
const CHUNK = 512 * 1024;
const ns = (ms: number) => ms * 1_000_000;

export interface NatsBrokerOptions {
  input: NatsAddress;
  /** Detection subject (required for stages that publish detections). */
  output?: NatsAddress;
  /** Partitions when the topology is created here; an existing topology keeps its own (given and different: an error). */
  partitions?: number;
  /** How long the broker remembers message ids (covers a crash and restart). */
  dedupeWindowMs: number;
  /** Events handed out and not yet acknowledged, across all detect workers (the memory bound). */
  maxInFlight: number;
  /** An event not acknowledged this long is delivered again (to any worker). */
  ackWaitMs: number;
  log: Logger;
  name: string;
  /** Only look (status): make no stream, bucket or topology; fails when the topology does not exist. */
  inspect?: boolean;
}

export interface NatsTopology {
  broker: Broker;
  config: TopologyConfig;
  stream: string;
}

export async function openNatsBroker(o: NatsBrokerOptions): Promise<NatsTopology> {
  const nc = await connect({ servers: o.input.server, name: o.name, maxReconnectAttempts: -1, reconnectTimeWait: 250, waitOnFirstConnect: false });
  try {
    return await setUp(nc, o);
  } catch (e) {
    // The connection reconnects for ever: a setup that failed must not leave it behind.
    await nc.close().catch(() => undefined);
    throw e;
  }
}

async function setUp(nc: NatsConnection, o: NatsBrokerOptions): Promise<NatsTopology> {
  nc.closed().then((e) => e && o.log('error', 'NATS connection closed', { reason: e.message }));
  (async () => {
    for await (const s of nc.status()) if (s.type === 'disconnect' || s.type === 'reconnect') o.log(s.type === 'disconnect' ? 'warn' : 'info', `NATS ${s.type}`, { server: o.input.server });
  })().catch(() => undefined);
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = o.input.name;
  if (!/^[A-Za-z0-9_-]+$/.test(stream)) throw new Error(`the events stream name '${stream}' may hold only letters, digits, _ and -`);
  const matches = `QUARRY_${stream}_MATCHES`;
  const matchSubject = (p: number) => `quarry.${stream}.matches.${p}`;
  let kv: KV;
  let config: TopologyConfig;
  if (o.inspect) {
    kv = await new Kvm(js).open(`QUARRY_${stream}`);
    const e = await kv.get('topology');
    if (!e || e.operation !== 'PUT') throw new Error(`no Quarry topology on stream ${stream} yet`);
    config = e.json<TopologyConfig>();
  } else {
    await ensureStream(jsm, { name: stream, subjects: [`${stream}.>`], duplicate_window: ns(o.dedupeWindowMs) });
    await ensureStream(jsm, { name: matches, subjects: [`quarry.${stream}.matches.*`], duplicate_window: ns(o.dedupeWindowMs) });
    kv = await new Kvm(js).create(`QUARRY_${stream}`, { history: 1, storage: StorageType.File });
    config = await topologyConfig(kv, o.partitions);
  }
  let outSubject: string | null = null;
  if (o.output) {
    outSubject = o.output.name;
    await ensureOutputStream(jsm, outSubject, o.dedupeWindowMs, o.log);
  }
  const publish = (subject: string, data: Uint8Array | string, msgID: string) => publishRetrying(js, subject, data, msgID, o.log);
  const snapshots = new Map<number, { gen: string; chunks: number }>();

  const broker: Broker = {
    async *events(max, signal) {
      await jsm.consumers.add(stream, { durable_name: DETECT_CONSUMER, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: ns(o.ackWaitMs), max_ack_pending: o.maxInFlight }).catch(async (e: Error) => {
        // Already there (another worker made it): fine when it is ours.
        await jsm.consumers.info(stream, DETECT_CONSUMER).catch(() => {
          throw e;
        });
      });
      const consumer = await js.consumers.get(stream, DETECT_CONSUMER);
      while (!signal.aborted) {
        const batch: EventMessage[] = [];
        try {
          const it = await consumer.fetch({ max_messages: max, expires: 1000 });
          const onAbort = () => void it.stop();
          signal.addEventListener('abort', onAbort, { once: true });
          for await (const m of it) {
            batch.push({
              seq: m.seq,
              data: m.data,
              ...(m.headers?.get(CONTROL_HEADER) === 'end' ? { control: 'end' as const } : {}),
              ack: async () => {
                await m.ackAck().catch(() => false); // lost: the event comes again and its ids are dropped
              },
              working: () => m.working(),
            });
          }
          signal.removeEventListener('abort', onAbort);
        } catch (e) {
          if (signal.aborted) break;
          o.log('warn', 'fetching events failed; retrying', { reason: (e as Error).message });
          await delay(500);
          continue;
        }
        if (batch.length) yield batch;
      }
    },
    async eventsDoneThrough() {
      const info = await jsm.consumers.info(stream, DETECT_CONSUMER);
      return info.ack_floor.stream_seq;
    },
    publishDetection: (id, line) => publish(outSubject ?? failNoOutput(), line, id),
    publishRecord: (p, id, data) => publish(matchSubject(p), data, id),
    async *partition(p, position, signal) {
      let after = position;
      while (!signal.aborted) {
        try {
          const consumer = await js.consumers.get(matches, { filter_subjects: matchSubject(p), deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: after + 1 });
          const it = await consumer.consume({ max_messages: 512 });
          const onAbort = () => void it.stop();
          signal.addEventListener('abort', onAbort, { once: true });
          try {
            for await (const m of it) {
              if (m.seq <= after) continue;
              after = m.seq;
              const msg: PartitionMessage = { seq: m.seq, data: m.data, pending: m.info.pending };
              yield msg;
              if (signal.aborted) break;
            }
          } finally {
            signal.removeEventListener('abort', onAbort);
            void it.stop();
          }
        } catch (e) {
          if (signal.aborted) break;
          o.log('warn', 'reading the partition failed; resuming after the last record read', { partition: p, after, reason: (e as Error).message });
          await delay(500);
        }
      }
    },
    async trimPartition(p, position) {
      await retrying(() => jsm.streams.purge(matches, { filter: matchSubject(p), seq: position + 1 }), o.log, 'trimming a partition');
    },
    async acquire(p, owner, ttlMs) {
      const key = `lease.p${p}`;
      const value = () => JSON.stringify({ owner, until: Date.now() + ttlMs });
      let rev: number;
      try {
        const e = await kv.get(key);
        if (!e || e.operation !== 'PUT') rev = await kv.create(key, value());
        else {
          const held = e.json<{ owner: string; until: number }>();
          if (held.owner !== owner && held.until > Date.now()) return null;
          rev = await kv.update(key, value(), e.revision);
        }
      } catch {
        return null; // someone else took it between our read and write
      }
      const lease: Lease = {
        partition: p,
        async renew() {
          try {
            rev = await kv.update(key, value(), rev);
            return true;
          } catch (e) {
            // A wrong revision means another owner; anything else (broker away) is retried next round,
            // and the lease lapses on its own if it lasts.
            return !/wrong last sequence/i.test((e as Error).message);
          }
        },
        async release() {
          await kv.delete(key, { previousSeq: rev }).catch(() => undefined);
        },
      };
      return lease;
    },
    async heartbeat(stage, worker, ttlMs) {
      await kv.put(`worker.${stage}.${worker}`, JSON.stringify({ until: Date.now() + ttlMs }));
      let live = 0;
      for await (const k of await kv.keys(`worker.${stage}.*`)) {
        const e = await kv.get(k);
        if (e?.operation === 'PUT' && e.json<{ until: number }>().until > Date.now()) live++;
      }
      return live;
    },
    async readSnapshot(p) {
      for (let attempt = 0; ; attempt++) {
        const head = await kv.get(`snap.p${p}`);
        if (!head || head.operation !== 'PUT') return { data: null, token: head?.revision ?? 0 };
        const h = head.json<{ gen: string; chunks: number; sha256: string }>();
        const parts: Uint8Array[] = [];
        let missing = false;
        for (let i = 0; i < h.chunks && !missing; i++) {
          const c = await kv.get(`snapc.p${p}.${h.gen}.${i}`);
          if (!c || c.operation !== 'PUT') missing = true;
          else parts.push(c.value);
        }
        const data = Buffer.concat(parts);
        if (!missing && createHash('sha256').update(data).digest('hex') === h.sha256) {
          snapshots.set(p, { gen: h.gen, chunks: h.chunks });
          return { data, token: head.revision } satisfies StoredSnapshot;
        }
        // A newer snapshot replaced this one while it was read: read the head again.
        if (attempt >= 5) throw new Error(`partition ${p}: the snapshot's parts do not match its head (${missing ? 'a part is missing' : 'checksum differs'})`);
      }
    },
    async writeSnapshot(p, data, token) {
      const gen = `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
      const chunks = Math.max(1, Math.ceil(data.length / CHUNK));
      for (let i = 0; i < chunks; i++) await kv.put(`snapc.p${p}.${gen}.${i}`, data.subarray(i * CHUNK, (i + 1) * CHUNK));
      const head = JSON.stringify({ gen, chunks, sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length });
      let rev: number;
      try {
        rev = token === 0 ? await kv.create(`snap.p${p}`, head) : await kv.update(`snap.p${p}`, head, token);
      } catch (e) {
        for (let i = 0; i < chunks; i++) await kv.purge(`snapc.p${p}.${gen}.${i}`).catch(() => undefined);
        if (/wrong last sequence|key exists/i.test((e as Error).message)) return null;
        throw e;
      }
      const old = snapshots.get(p);
      snapshots.set(p, { gen, chunks });
      if (old) for (let i = 0; i < old.chunks; i++) await kv.purge(`snapc.p${p}.${old.gen}.${i}`).catch(() => undefined);
      return rev;
    },
    async close() {
      await nc.drain().catch(() => undefined);
    },
  };
  return { broker, config, stream };
}

function failNoOutput(): never {
  throw new Error('this stage has no --output nats://HOST:PORT/SUBJECT for detections');
}

/** Makes the stream (file storage) unless it exists; another process making it at the same moment is fine. */
export async function ensureStream(jsm: JetStreamManager, cfg: { name: string; subjects: string[]; duplicate_window: number }): Promise<void> {
  try {
    await jsm.streams.info(cfg.name);
  } catch {
    await jsm.streams.add({ ...cfg, storage: StorageType.File, retention: RetentionPolicy.Limits }).catch(async (e: Error) => {
      // Made by another worker at the same moment: fine.
      await jsm.streams.info(cfg.name).catch(() => {
        throw e;
      });
    });
  }
}

async function ensureOutputStream(jsm: JetStreamManager, subject: string, windowMs: number, log: Logger): Promise<void> {
  let name: string | null = null;
  try {
    name = await jsm.streams.find(subject);
  } catch {
    name = null;
  }
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
    } catch {
      // Another worker created it first: read theirs.
    }
  }
}

/** Publishes until the broker confirms (the same id each time, so a repeat is dropped). */
async function publishRetrying(js: JetStreamClient, subject: string, data: Uint8Array | string, msgID: string, log: Logger): Promise<void> {
  await retrying(() => js.publish(subject, data, { msgID, timeout: 5000 }), log, 'publishing', { subject });
}

async function retrying<T>(f: () => Promise<T>, log: Logger, what: string, fields: Record<string, unknown> = {}): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await f();
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what} failed for 2 minutes: ${(e as Error).message}`);
      log('warn', `${what} failed; retrying`, { ...fields, reason: (e as Error).message });
      await delay(wait);
    }
  }
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A message with the control header (end of input), for `quarry publish --end`. */
export function controlHeaders(kind: 'end') {
  const h = natsHeaders();
  h.set(CONTROL_HEADER, kind);
  return h;
}
