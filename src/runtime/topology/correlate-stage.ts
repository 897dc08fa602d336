// The correlate stage of the scaled-out service: a fixed number of partitions, each owned by one
// worker at a time through a lease. An owner
//   1. reads the partition's snapshot (correlation state and the position it was taken at) and
//      writes it straight back: that write fences out a previous owner, whose next snapshot write
//      (compare-and-set on the same key) then fails, so it stops before it can acknowledge anything;
//   2. reads the partition's records after that position, in order, feeding the correlator on
//      event time (records carry seq = event position, so ties order as the events did);
//   3. publishes what fires with ids made from the alert (records.ts `alertId`): a replay after a
//      crash makes the same ids and the broker drops the repeats;
//   4. saves the snapshot (state + position), then trims the records up to it (the acknowledgement).
// A crash anywhere repeats at most the steps after the last snapshot, with the same results.
import { carryState, planFingerprints } from '../../engine/correlation/carry-state.js';
import type { CorrelatorSnapshot } from '../../engine/correlation/correlator.js';
import type { HuntCorrelation } from '../../hunt/correlate.js';
import { toJsonLine } from '../../hunt/detection.js';
import type { Logger } from '../log.js';
import { stateFromJson, stateToJson } from '../snapshot-json.js';
import type { Broker, Lease } from './broker.js';
import { failpoint } from './failpoints.js';
import { fnv1a } from './partitioning.js';
import { alertId, decodeRecord, messageText, preparedMatches } from './records.js';

export interface CorrelateStageOptions {
  broker: Broker;
  stream: string;
  partitions: number;
  /** This worker's name (in leases and logs). */
  worker: string;
  /** A lease not renewed for this long is free for another worker. */
  leaseMs: number;
  /** Longest time between snapshots while records keep coming (a caught-up partition saves at once). */
  snapshotMs: number;
  log: Logger;
  signal: AbortSignal;
}

/** What a partition's snapshot holds. */
export interface PartitionSnapshot {
  version: 1;
  /** The last record applied. */
  position: number;
  /** Events-stream position of the last end of input applied (0: none). */
  ended: number;
  /** Fingerprints of the correlations by position (carried across rule changes as `--state` is). */
  correlations: string[];
  correlator: CorrelatorSnapshot | null;
  owner: string;
  /** Records that named correlations these rules do not have. */
  unknown: number;
}

export interface CorrelateCounters {
  records: number;
  detections: number;
  unreadable: number;
  unknown: number;
  snapshots: number;
  fenced: number;
}

/** Runs until the signal aborts: claims a fair share of partitions, renews their leases, owns them. */
export async function runCorrelateStage(makeCorrelation: () => HuntCorrelation | null, o: CorrelateStageOptions, counters: CorrelateCounters, owned: Map<number, PartitionOwner> = new Map()): Promise<void> {
  // Workers start their claims at different partitions, so that starting together they rarely race.
  const start = fnv1a(o.worker) % o.partitions;
  // The broker away for a moment (a restart) must not stop the worker: each round that fails is
  // logged and tried again; only an outage longer than OUTAGE_MS ends the stage (exit 1).
  let failingSince: number | null = null;
  while (!o.signal.aborted) {
    try {
      await claimRound();
      failingSince = null;
    } catch (e) {
      failingSince ??= Date.now();
      if (Date.now() - failingSince > OUTAGE_MS) throw new Error(`the broker has been unreachable for ${OUTAGE_MS / 1000} s: ${(e as Error).message}`);
      o.log('warn', 'lease round failed; trying again', { reason: (e as Error).message });
    }
    await sleep(o.leaseMs / 3, o.signal);
  }
  await Promise.all([...owned.values()].map((w) => w.stop()));
  owned.clear();

  async function claimRound(): Promise<void> {
    const live = await o.broker.heartbeat('correlate', o.worker, o.leaseMs);
    const share = Math.ceil(o.partitions / Math.max(1, live));
    for (const [p, owner] of owned) {
      if (owner.finished || !(await owner.lease.renew())) {
        if (!owner.finished) o.log('warn', 'lease lost: the partition is left to its new owner', { partition: p });
        owner.abort();
        owned.delete(p);
      }
    }
    for (let i = 0; i < o.partitions && owned.size < share && !o.signal.aborted; i++) {
      const p = (start + i) % o.partitions;
      if (owned.has(p)) continue;
      const lease = await o.broker.acquire(p, o.worker, o.leaseMs);
      if (!lease) continue;
      const owner = new PartitionOwner(p, lease, makeCorrelation, o, counters);
      owned.set(p, owner);
      owner.start();
    }
    // More workers than before: hand back partitions beyond the fair share (snapshot first).
    while (owned.size > share) {
      const [p, owner] = [...owned].pop()!;
      owned.delete(p);
      await owner.stop();
      o.log('info', 'partition handed back for balance', { partition: p, workers: live });
    }
  }
}

/** How long the broker may stay unreachable before a worker gives up (its supervisor restarts it). */
const OUTAGE_MS = 120_000;

export class PartitionOwner {
  private readonly ac = new AbortController();
  private running: Promise<void> | null = null;
  finished = false;
  /** Groups and held matches now (for the state gauges). */
  state = { groups: 0, buffered: 0 };

  constructor(
    readonly partition: number,
    readonly lease: Lease,
    private readonly makeCorrelation: () => HuntCorrelation | null,
    private readonly o: CorrelateStageOptions,
    private readonly counters: CorrelateCounters,
  ) {}

  start(): void {
    this.running = this.run()
      .catch((e: Error) => this.o.log('error', 'partition owner failed; the lease lapses and another owner resumes from the snapshot', { partition: this.partition, reason: e.message }))
      .finally(() => {
        this.finished = true;
      });
  }

  /** Stops reading, saves what was applied, releases the lease. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.ac.abort();
    await this.running;
    if (!this.fenced) await this.lease.release();
  }

  /** Gives up at once (lease lost): nothing more is written. */
  abort(): void {
    this.fenced = true;
    this.ac.abort();
  }

  private stopping = false;
  private fenced = false;

  private async run(): Promise<void> {
    const { broker, log } = this.o;
    const p = this.partition;
    const stored = await broker.readSnapshot(p);
    const snap = decodeSnapshot(p, stored.data) ?? { version: 1, position: 0, ended: 0, correlations: [], correlator: null, owner: '', unknown: 0 };
    let token = await broker.writeSnapshot(p, Buffer.from(stateToJson({ ...snap, owner: this.o.worker })), stored.token);
    if (token === null) {
      log('warn', 'another owner wrote the partition while it was being taken: left to it', { partition: p });
      this.fenced = true;
      return;
    }
    const h = this.makeCorrelation();
    const fingerprints = h ? planFingerprints(h.plan) : [];
    const positions = new Map(fingerprints.map((f, i) => [f, i]));
    if (h && snap.correlator) h.correlator.restore(carryState(snap.correlator, snap.correlations, h.plan).snapshot);
    let position = snap.position;
    let ended = snap.ended;
    let unknown = snap.unknown;
    log('info', 'partition taken', { partition: p, position, groups: h?.correlator.groupsHeld ?? 0, buffered: h?.correlator.bufferedMatches ?? 0 });

    let saved = position;
    let lastSave = Date.now();
    const save = async (): Promise<boolean> => {
      const data: PartitionSnapshot = { version: 1, position, ended, correlations: fingerprints, correlator: h ? h.correlator.snapshot() : null, owner: this.o.worker, unknown };
      const next = await broker.writeSnapshot(p, Buffer.from(stateToJson(data)), token!);
      if (next === null) {
        this.counters.fenced++;
        this.fenced = true;
        this.ac.abort();
        log('warn', 'fenced: another worker owns the partition now; stopping without acknowledging', { partition: p, position });
        return false;
      }
      token = next;
      this.counters.snapshots++;
      failpoint('correlate.after-snapshot');
      await broker.trimPartition(p, position);
      saved = position;
      lastSave = Date.now();
      return true;
    };

    for await (const m of withIdleTicks(broker.partition(p, position, this.ac.signal), IDLE_SAVE_MS)) {
      if (this.fenced) return;
      if (m === IDLE) {
        // Nothing new for a moment: save what was applied, so an idle partition's snapshot is current.
        if (position > saved && !(await save())) return;
        continue;
      }
      if (m.seq <= position) continue;
      let record;
      try {
        record = decodeRecord(m.data);
      } catch (e) {
        this.counters.unreadable++;
        log('warn', 'unreadable partition record skipped', { partition: p, seq: m.seq, reason: (e as Error).message });
        position = m.seq;
        continue;
      }
      this.counters.records++;
      const alerts = [];
      if (record.kind === 'match') {
        if (h) {
          const prepared = preparedMatches(record, positions);
          unknown += prepared.unknown;
          this.counters.unknown += prepared.unknown;
          for (const pm of prepared.matches) alerts.push(...h.correlator.pushFeeds(pm));
        } else unknown++;
      } else {
        if (h) alerts.push(...h.correlator.end());
        ended = record.event;
      }
      const out = alerts.flatMap((a) => h!.detections([a]).map((d) => ({ id: alertId(this.o.stream, a), line: toJsonLine(d) })));
      if (out.length) {
        failpoint('correlate.before-publish');
        await Promise.all(out.map((d) => broker.publishDetection(d.id, d.line)));
        this.counters.detections += out.length;
        failpoint('correlate.after-publish');
      }
      position = m.seq;
      if (h) this.state = { groups: h.correlator.groupsHeld, buffered: h.correlator.bufferedMatches };
      // An end of input is saved at once: whoever waits for the windows to finish sees it.
      if ((record.kind === 'end' || Date.now() - lastSave >= this.o.snapshotMs) && !(await save())) return;
    }
    if (!this.fenced && position > saved) await save();
    if (this.stopping) log('info', 'partition released', { partition: p, position });
  }
}

/** How long a partition is quiet before what was applied since its last snapshot is saved. */
const IDLE_SAVE_MS = 250;
const IDLE = Symbol('idle');

/** The iterator's items, and IDLE whenever none came for `ms` (the pending read is kept, not lost). */
async function* withIdleTicks<T>(source: AsyncIterable<T>, ms: number): AsyncGenerator<T | typeof IDLE> {
  const it = source[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<T>> | null = null;
  try {
    for (;;) {
      next ??= it.next();
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<typeof IDLE>((r) => (timer = setTimeout(() => r(IDLE), ms)));
      const r = await Promise.race([next, tick]);
      clearTimeout(timer);
      if (r === IDLE) {
        yield IDLE;
        continue;
      }
      next = null;
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await it.return?.();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A partition's saved snapshot, or null when it has none yet. */
function decodeSnapshot(p: number, data: Uint8Array | null): PartitionSnapshot | null {
  if (!data) return null;
  const snap = stateFromJson<PartitionSnapshot>(messageText(data));
  if (snap.version !== 1) throw new Error(`partition ${p}: snapshot version ${String(snap.version)} is not 1`);
  return snap;
}

/** Where each partition stands, from its saved snapshot (operators' status; tests wait on it). */
export async function partitionStatus(broker: Broker, partitions: number): Promise<Array<{ partition: number; owner: string; position: number; ended: number; groups: number; buffered: number }>> {
  const out = [];
  for (let p = 0; p < partitions; p++) {
    const stored = await broker.readSnapshot(p);
    const s = decodeSnapshot(p, stored.data);
    out.push({ partition: p, owner: s?.owner ?? '', position: s?.position ?? 0, ended: s?.ended ?? 0, groups: s?.correlator?.groups.length ?? 0, buffered: s?.correlator?.buffer.length ?? 0 });
  }
  return out;
}
