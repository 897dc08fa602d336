// One process of the scaled-out service: the detect stage, the correlate stage, or both, on a
// broker; `/healthz` and `/metrics` on --listen; SIGHUP reloads the rules; SIGTERM/SIGINT stop
// taking work, finish what was taken, save every owned partition's snapshot, release its leases
// and exit 0. A crash (or SIGKILL) loses nothing: unacknowledged events and untrimmed records are
// delivered again, and their message ids make the repeats harmless.
import { hostname } from 'node:os';
import type { SigmaCollection } from '../../sigma/load.js';
import { createHuntCorrelation } from '../../hunt/correlate.js';
import { LiveDetector, type LiveOptions } from '../live-detector.js';
import { startHttpFace, type HttpFace } from '../http-input.js';
import { watchRules } from '../rule-watch.js';
import { renderMetrics, type ServeMetrics } from '../metrics.js';
import type { Logger } from '../log.js';
import type { NatsTopology } from '../nats/nats-broker.js';
import { runDetectStage, type DetectCounters } from './detect-stage.js';
import { runCorrelateStage, type CorrelateCounters, type PartitionOwner } from './correlate-stage.js';
import { EXIT_INTERRUPTED, releaseStopSignals } from '../stop-signals.js';

export type Stage = 'detect' | 'correlate' | 'both';

export interface WorkerConfig {
  loadRules(): SigmaCollection;
  live: LiveOptions;
  stage: Stage;
  open(): Promise<NatsTopology>;
  /** What detections' `source.file` says events came from. */
  origin: string;
  worker?: string;
  batch: number;
  leaseMs: number;
  snapshotMs: number;
  listen?: { host: string; port: number };
  /** Rule paths to watch: a change reloads as SIGHUP does. */
  watch?: string[];
  log: Logger;
}

export async function runWorker(cfg: WorkerConfig): Promise<{ events: number; detections: number }> {
  const { log } = cfg;
  // The NATS client makes a timeout error, stack trace and all, for every publish it sends (in case
  // the answer never comes): 12% of a worker's CPU in a profile. Our logs carry messages, not stacks.
  Error.stackTraceLimit = 2;
  const worker = cfg.worker ?? `${hostname()}-${process.pid}`;
  const live = new LiveDetector(cfg.loadRules(), cfg.live);
  let collection = cfg.loadRules;
  const topo = await cfg.open();
  const ac = new AbortController();
  const detect: DetectCounters = { events: 0, detections: 0, records: 0, unreadable: 0, untimed: 0, ends: 0, lastEventTimeMs: null };
  const correlate: CorrelateCounters = { records: 0, detections: 0, unreadable: 0, unknown: 0, snapshots: 0, fenced: 0 };
  const owned = new Map<number, PartitionOwner>();
  const metrics: ServeMetrics = {
    eventsIn: 0,
    detectionsOut: { rule: 0, correlation: 0 },
    lastEventTimeMs: null,
    queued: () => 0,
    state: () => [...owned.values()].reduce((s, w) => ({ groups: s.groups + w.state.groups, buffered: s.buffered + w.state.buffered }), { groups: 0, buffered: 0 }),
    drops: () => ({ unreadable: detect.unreadable + correlate.unreadable, untimed: detect.untimed, unknown_correlation: correlate.unknown, fenced: correlate.fenced }),
    reloads: { ok: 0, failed: 0 },
    startedMs: Date.now(),
  };
  const syncMetrics = () => {
    metrics.eventsIn = detect.events;
    metrics.lastEventTimeMs = detect.lastEventTimeMs;
    metrics.detectionsOut = { rule: detect.detections, correlation: correlate.detections };
  };
  let face: HttpFace | null = null;
  if (cfg.listen)
    face = await startHttpFace({
      host: cfg.listen.host,
      port: cfg.listen.port,
      maxBody: 0,
      health: () => ({ ok: !ac.signal.aborted, detail: { worker, stage: cfg.stage, partitions: [...owned.keys()].sort((a, b) => a - b) } }),
      metrics: () => {
        syncMetrics();
        return (
          renderMetrics(metrics) +
          `# HELP quarry_serve_partitions_owned Correlation partitions this worker owns.\n# TYPE quarry_serve_partitions_owned gauge\nquarry_serve_partitions_owned ${owned.size}\n` +
          `# HELP quarry_serve_stream_backlog_events Events in the stream the detect stage has not acknowledged (all workers; refreshed every 5 s).\n# TYPE quarry_serve_stream_backlog_events gauge\nquarry_serve_stream_backlog_events ${backlog}\n`
        );
      },
    });
  // The stream's backlog for /metrics, asked of the broker in the background (metrics answer at once).
  let backlog = NaN;
  const refreshBacklog = () => void topo.broker.eventsBacklog().then((n) => (backlog = n), () => (backlog = NaN));
  const backlogTimer = face ? setInterval(refreshBacklog, 5000) : null;
  if (face) refreshBacklog();
  const stop = (signal: string) => {
    if (ac.signal.aborted) {
      // A second signal while stopping: whoever sent it will not wait for the graceful stop, which
      // can wait long on a broker that does not answer. Exit now, as a supervisor's SIGKILL would:
      // leases expire and each partition's last saved snapshot stands, so nothing is lost.
      log('warn', 'second signal while stopping: exiting without finishing', { signal });
      process.exit(EXIT_INTERRUPTED);
    }
    log('info', 'stopping', { signal, note: 'finishing taken work, saving partition snapshots, releasing leases; a second signal exits at once' });
    ac.abort();
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  const reload = () => {
    try {
      const col = cfg.loadRules();
      live.reload(col);
      collection = () => col;
      metrics.reloads.ok++;
      // Owned partitions are handed back (snapshot saved, lease released) and taken again under the
      // new rules: the snapshot carries the state of every correlation whose definition is unchanged.
      for (const [p, owner] of owned) {
        owned.delete(p);
        void owner.stop();
      }
      log('info', 'rules reloaded', { rules: live.prepared.set.rules.length, partitionsRetaken: true });
    } catch (e) {
      metrics.reloads.failed++;
      log('error', 'rule reload failed; the previous rules stay', { reason: (e as Error).message });
    }
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', reload);
  // A stop asked for while starting is carried out now: the stages see the stop at once.
  const early = releaseStopSignals();
  if (early) stop(early);
  const unwatch = cfg.watch ? watchRules(cfg.watch, () => (log('info', 'rule files changed: reloading'), reload()), log) : () => undefined;
  log('info', 'serving', { worker, stage: cfg.stage, stream: topo.stream, partitions: topo.config.partitions, rules: live.prepared.set.rules.length, correlations: live.correlation?.plan.correlations.length ?? 0, ...(face ? { port: face.port } : {}) });
  const common = { broker: topo.broker, stream: topo.stream, partitions: topo.config.partitions, log, signal: ac.signal };
  const makeCorrelation = () => createHuntCorrelation(collection(), { latenessMs: cfg.live.latenessMs, maxGroups: cfg.live.maxGroups, maxBuffered: cfg.live.maxBuffered, minLevel: cfg.live.minLevel });
  try {
    const stages: Array<Promise<void>> = [];
    if (cfg.stage !== 'correlate') stages.push(runDetectStage(() => live, { ...common, origin: cfg.origin, batch: cfg.batch }, detect));
    if (cfg.stage !== 'detect') stages.push(runCorrelateStage(makeCorrelation, { ...common, worker, leaseMs: cfg.leaseMs, snapshotMs: cfg.snapshotMs }, correlate, owned));
    // One stage failing stops the other: the process exits non-zero and its supervisor restarts it.
    await Promise.all(stages.map((s) => s.catch((e: Error) => {
      ac.abort();
      throw e;
    })));
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    process.off('SIGHUP', reload);
    unwatch();
    if (backlogTimer) clearInterval(backlogTimer);
    await face?.close();
    await topo.broker.close();
  }
  syncMetrics();
  log('info', 'stopped', { events: detect.events, detections: detect.detections + correlate.detections, correlationDetections: correlate.detections, snapshots: correlate.snapshots, drops: metrics.drops() });
  return { events: detect.events, detections: detect.detections + correlate.detections };
}
