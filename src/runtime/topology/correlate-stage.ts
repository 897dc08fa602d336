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
import { carryState } from '../../engine/correlation/carry-state.js';
import type { CorrelatorSnapshot } from '../../engine/correlation/correlator.js';
import type { HuntCorrelation } from '../../hunt/correlate.js';
import { toJsonLine } from '../../hunt/detection.js';
import type { Logger } from '../log.js';
import { stateFromJson, stateToJson } from '../snapshot-json.js';
import type { Broker, Lease } from './broker.js';
import { failpoint } from './failpoints.js';
import { fnv1a, partitionMap } from './partitioning.js';
import { alertId, decodeRecord, preparedMatches } from './records.js';

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
  while (!o.signal.aborted) {
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
    await sleep(o.leaseMs / 3, o.signal);
  }
  await Promise.all([...owned.values()].map((w) => w.stop()));
  owned.clear();
}

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
    const snap: PartitionSnapshot = stored.data ? stateFromJson<PartitionSnapshot>(Buffer.from(stored.data).toString('utf8')) : { version: 1, position: 0, ended: 0, correlations: [], correlator: null, owner: '', unknown: 0 };
    if (snap.version !== 1) throw new Error(`partition ${p}: snapshot version ${String(snap.version)} is not 1`);
    let token = await broker.writeSnapshot(p, Buffer.from(stateToJson({ ...snap, owner: this.o.worker })), stored.token);
    if (token === null) {
      log('warn', 'another owner wrote the partition while it was being taken: left to it', { partition: p });
      this.fenced = true;
      return;
    }
    const h = this.makeCorrelation();
    const fingerprints = h ? partitionMap(h.plan, this.o.partitions).fingerprints : [];
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

    for await (const m of broker.partition(p, position, this.ac.signal)) {
      if (this.fenced) return;
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
      if ((m.pending === 0 || Date.now() - lastSave >= this.o.snapshotMs) && !(await save())) return;
    }
    if (!this.fenced && position > saved) await save();
    if (this.stopping) log('info', 'partition released', { partition: p, position });
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

/** Where each partition stands, from its saved snapshot (operators' status; tests wait on it). */
export async function partitionStatus(broker: Broker, partitions: number): Promise<Array<{ partition: number; owner: string; position: number; ended: number; groups: number; buffered: number }>> {
  const out = [];
  for (let p = 0; p < partitions; p++) {
    const stored = await broker.readSnapshot(p);
    const s = stored.data ? stateFromJson<PartitionSnapshot>(Buffer.from(stored.data).toString('utf8')) : null;
    out.push({ partition: p, owner: s?.owner ?? '', position: s?.position ?? 0, ended: s?.ended ?? 0, groups: s?.correlator?.groups.length ?? 0, buffered: s?.correlator?.buffer.length ?? 0 });
  }
  return out;
}
