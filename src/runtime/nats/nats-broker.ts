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
// Making or finding all of this at start is nats-setup.ts's, retried within --start-timeout.
// Publishes are retried across a broker restart with the same id; storage is on disk (file), so a
// restarted broker has every acknowledged message.
import { createHash, randomBytes } from 'node:crypto';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import type { Broker, EventMessage, PartitionMessage, StoredSnapshot, TopologyConfig } from '../topology/broker.js';
import type { Logger } from '../log.js';
import type { NatsAddress } from './address.js';
import { DETECT_CONSUMER, prepare } from './nats-setup.js';
import { acquireLease } from './kv-lease.js';
import { OUTAGE_MS, retry, transientReason } from './retry.js';
export { parseNatsUrl, type NatsAddress } from './address.js';
export { ensureStream } from './nats-setup.js';

/** The header a control message carries (`quarry publish --end` sends `end`). */
export const CONTROL_HEADER = 'Quarry-Control';
const CHUNK = 512 * 1024;

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
  /** Make the detect stage's shared consumer at start (a worker whose stage reads events). */
  readsEvents?: boolean;
  /** How long the start keeps retrying failures that can clear (a broker not up yet, timeouts); default 30 s. */
  startTimeoutMs?: number;
}

export interface NatsTopology {
  broker: Broker;
  config: TopologyConfig;
  stream: string;
}

export async function openNatsBroker(o: NatsBrokerOptions): Promise<NatsTopology> {
  const { nc, jsm, js, kv, config, stream, matches, outSubject, events } = await prepare({ ...o, startTimeoutMs: o.startTimeoutMs ?? 30_000 });
  const matchSubject = (p: number) => `quarry.${stream}.matches.${p}`;
  const publish = (subject: string, data: Uint8Array | string, msgID: string) => publishRetrying(js, subject, data, msgID, o.log);
  const snapshots = new Map<number, { gen: string; chunks: number }>();

  const broker: Broker = {
    async *events(max, signal) {
      const consumer = events ?? failNoEvents();
      while (!signal.aborted) {
        const batch: EventMessage[] = [];
        try {
          const it = await consumer.fetch({ max_messages: max, expires: 1000 });
          const onAbort = () => void it.stop();
          signal.addEventListener('abort', onAbort, { once: true });
          try {
            for await (const m of it) {
              batch.push({
                seq: m.seq,
                data: m.data,
                ...(m.headers?.get(CONTROL_HEADER) === 'end' ? { control: 'end' as const } : {}),
                // A plain ack (no round trip per event): the batch is flushed after its acks (see
                // `flushAcks`), and an ack that is lost brings the event again, whose ids are then dropped.
                ack: async () => m.ack(),
                working: () => m.working(),
              });
            }
          } finally {
            // Also when the fetch fails (the broker away): a listener left per failed fetch piled up.
            signal.removeEventListener('abort', onAbort);
          }
        } catch (e) {
          if (signal.aborted) break;
          o.log('warn', 'fetching events failed; retrying', { reason: (e as Error).message });
          await delay(500);
          continue;
        }
        if (batch.length) yield batch;
      }
    },
    async flushAcks() {
      await nc.flush().catch(() => undefined); // not reached: the events come again, their ids are dropped
    },
    async eventsDoneThrough() {
      const info = await jsm.consumers.info(stream, DETECT_CONSUMER);
      return info.ack_floor.stream_seq;
    },
    async eventsBacklog() {
      const info = await jsm.consumers.info(stream, DETECT_CONSUMER);
      return info.num_pending + info.num_ack_pending;
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
              const msg: PartitionMessage = { seq: m.seq, data: m.data };
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
      await retryingThroughOutages(() => jsm.streams.purge(matches, { filter: matchSubject(p), seq: position + 1 }), o.log, 'trimming a partition');
    },
    acquire: (p, owner, ttlMs) => acquireLease(kv, p, owner, ttlMs),
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
        const h = head.json<SnapshotHead>();
        if (h.inline !== undefined) {
          snapshots.set(p, { gen: h.gen, chunks: 0 });
          return { data: Buffer.from(h.inline, 'utf8'), token: head.revision } satisfies StoredSnapshot;
        }
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
      // A small snapshot (the usual case) travels in the head itself: one write, one compare-and-set.
      // A large one is written in parts first, and the head that names them is the commit.
      const gen = `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
      const small = data.length <= CHUNK / 2; // room for the escaping of JSON text in a JSON string
      const chunks = small ? 0 : Math.ceil(data.length / CHUNK);
      for (let i = 0; i < chunks; i++) await kv.put(`snapc.p${p}.${gen}.${i}`, data.subarray(i * CHUNK, (i + 1) * CHUNK));
      const headValue: SnapshotHead = small ? { gen, chunks: 0, inline: Buffer.from(data).toString('utf8') } : { gen, chunks, sha256: createHash('sha256').update(data).digest('hex') };
      const head = JSON.stringify(headValue);
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

/** A partition's snapshot head: the snapshot itself (inline), or the parts that hold it and their checksum. */
interface SnapshotHead {
  gen: string;
  chunks: number;
  inline?: string;
  sha256?: string;
}

function failNoOutput(): never {
  throw new Error('this stage has no --output nats://HOST:PORT/SUBJECT for detections');
}

function failNoEvents(): never {
  throw new Error('this broker was opened without readsEvents: it has no events consumer');
}

/** Publishes until the broker confirms (the same id each time, so a repeat is dropped). */
async function publishRetrying(js: JetStreamClient, subject: string, data: Uint8Array | string, msgID: string, log: Logger): Promise<void> {
  await retryingThroughOutages(() => js.publish(subject, data, { msgID, timeout: 5000 }), log, 'publishing', { subject });
}

/**
 * Steady state: every failure is retried (the topology was checked at start, so a failure now is
 * the broker's state: a restart, a leader election, a full disk), for up to OUTAGE_MS.
 */
function retryingThroughOutages<T>(f: () => Promise<T>, log: Logger, what: string, fields: Record<string, unknown> = {}): Promise<T> {
  return retry(f, { what, until: Date.now() + OUTAGE_MS, budgetMs: OUTAGE_MS, classify: (e) => transientReason(e) ?? 'broker failure', log, fields });
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A message with the control header (end of input), for `quarry publish --end`. */
export function controlHeaders(kind: 'end') {
  const h = natsHeaders();
  h.set(CONTROL_HEADER, kind);
  return h;
}
