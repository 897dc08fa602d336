// `quarry serve` as a process: events from standard input or HTTP through the live detector to an
// output, with metrics, structured logs, rule reload on SIGHUP and a graceful stop on SIGTERM/SIGINT.
//
// Stopping: input stops being taken (HTTP answers 503), what was accepted is handled, then either
// the correlation state is saved to `--state` (windows stay open and resume on the next start) or,
// without a state file, the open windows are finished as at end of input, so nothing is silently lost.
import { existsSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import type { SigmaCollection } from '../sigma/load.js';
import { readJsonEvents } from '../sources/json-reader.js';
import type { SourceRecord } from '../sources/types.js';
import { toJsonLine } from '../hunt/detection.js';
import { eventTime, eventTimeMs, timeOfField } from '../engine/event-time.js';
import { EventView } from '../engine/event-access.js';
import { LiveDetector, type LiveOptions, type LiveSnapshot } from './live-detector.js';
import { openLiveOutput, type WebhookOptions } from './outputs.js';
import { startHttpFace, type HttpFace } from './http-input.js';
import { renderMetrics, type ServeMetrics } from './metrics.js';
import type { Logger } from './log.js';
import { stateFromJson, stateToJson } from './snapshot-json.js';
import { watchRules } from './rule-watch.js';
import { releaseStopSignals } from './stop-signals.js';

export interface ServeConfig {
  /** Loads the rules (again on SIGHUP); throws with a message when they cannot be used. */
  loadRules(): SigmaCollection;
  live: LiveOptions;
  input: { kind: 'stdin' } | { kind: 'http'; host: string; port: number; queueLimit: number; maxBody: number };
  /** `/healthz` and `/metrics` when the input is not HTTP. */
  listen?: { host: string; port: number };
  output?: string;
  fsyncMs: number;
  webhook: WebhookOptions;
  statePath?: string;
  log: Logger;
  /** Rule paths to watch: a change reloads as SIGHUP does (absent: SIGHUP only). */
  watch?: string[];
  /** Standard input's stream (tests hand their own). */
  stdin?: NodeJS.ReadableStream;
}

export interface ServeResult {
  events: number;
  detections: number;
  /** How the service ended: its input ended, or a signal stopped it. */
  ended: 'input' | 'signal';
}

export async function runService(cfg: ServeConfig): Promise<ServeResult> {
  const { log } = cfg;
  const live = new LiveDetector(cfg.loadRules(), cfg.live);
  const startedMs = Date.now();
  if (cfg.statePath && existsSync(cfg.statePath)) {
    const saved = stateFromJson<LiveSnapshot>(readFileSync(cfg.statePath, 'utf8'));
    const r = live.restore(saved);
    log('info', 'state restored', { path: cfg.statePath, events: saved.events, correlationsKept: r.kept, groupsDropped: r.dropped });
  }
  const output = openLiveOutput(cfg.output, { fsyncMs: cfg.fsyncMs, webhook: cfg.webhook, log });
  let unreadable = 0;
  let face: HttpFace | null = null;
  const metrics: ServeMetrics = {
    eventsIn: 0,
    detectionsOut: { rule: 0, correlation: 0 },
    lastEventTimeMs: null,
    queued: () => face?.queued ?? 0,
    state: () => live.state,
    drops: () => {
      const s = live.state;
      return { queue_full: face?.refused ?? 0, unreadable: unreadable + (face?.unreadable ?? 0), late: s.late, untimed: s.untimed, ungrouped: s.ungrouped, evicted: s.evicted, output: output.dropped };
    },
    reloads: { ok: 0, failed: 0 },
    startedMs,
  };
  let stopping = false;
  const httpOptions = {
    maxBody: cfg.input.kind === 'http' ? cfg.input.maxBody : 0,
    health: () => ({ ok: !stopping, detail: { events: metrics.eventsIn, queued: metrics.queued() } }),
    metrics: () => renderMetrics(metrics),
  };
  if (cfg.input.kind === 'http') face = await startHttpFace({ ...httpOptions, host: cfg.input.host, port: cfg.input.port, queueLimit: cfg.input.queueLimit });
  else if (cfg.listen) face = await startHttpFace({ ...httpOptions, host: cfg.listen.host, port: cfg.listen.port });
  const stdinStop = new AbortController();

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', 'stopping', { note: 'input closed; what was accepted is handled', signal, queued: metrics.queued() });
    if (cfg.input.kind === 'http') face?.stop();
    else stdinStop.abort();
  };
  const reload = () => {
    try {
      const r = live.reload(cfg.loadRules());
      metrics.reloads.ok++;
      log('info', 'rules reloaded', { rules: live.prepared.set.rules.length, correlationsKept: r.kept, groupsDropped: r.dropped });
    } catch (e) {
      metrics.reloads.failed++;
      log('error', 'rule reload failed; the previous rules stay', { reason: (e as Error).message });
    }
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', reload);
  // A stop asked for while starting is carried out now: the input is closed before it is read.
  const early = releaseStopSignals();
  if (early) stop(early);
  const unwatch = cfg.watch ? watchRules(cfg.watch, () => (log('info', 'rule files changed: reloading'), reload()), log) : () => undefined;

  const correlations = live.correlation?.plan.correlations.length ?? 0;
  log('info', 'serving', {
    rules: live.prepared.set.rules.length,
    correlations,
    input: cfg.input.kind === 'http' ? `http://${cfg.input.host}:${face!.port}/events` : 'standard input',
    ...(face ? { port: face.port } : {}),
    output: output.name,
    latenessMs: cfg.live.latenessMs,
  });

  const write = async (ds: ReturnType<LiveDetector['handle']>) => {
    for (const d of ds) {
      await output.write(toJsonLine(d));
      if (d.correlation) metrics.detectionsOut.correlation++;
      else metrics.detectionsOut.rule++;
    }
  };

  let records: AsyncIterable<SourceRecord>;
  let stdinSource: ReturnType<typeof readJsonEvents> | null = null;
  if (face && cfg.input.kind === 'http') records = face.records();
  else {
    stdinSource = readJsonEvents('-', untilAborted(cfg.stdin ?? process.stdin, stdinStop.signal));
    records = stdinSource.records();
  }
  let problemsLogged = 0;
  try {
    for await (const rec of records) {
      metrics.eventsIn++;
      await write(live.handle(rec));
      const t = eventTimeOf(rec, cfg.live.timeField);
      if (t !== null) metrics.lastEventTimeMs = t;
      if (stdinSource && stdinSource.problemCount > problemsLogged) problemsLogged = logProblems(stdinSource, problemsLogged, log);
    }
    if (stdinSource && stdinSource.problemCount > problemsLogged) logProblems(stdinSource, problemsLogged, log);
    unreadable = stdinSource?.problemCount ?? 0;
    if (stopping && cfg.statePath) {
      saveState(cfg.statePath, live.snapshot());
      log('info', 'state saved', { note: 'open windows resume on the next start', path: cfg.statePath, groups: live.state.groups, buffered: live.state.buffered });
    } else {
      await write(live.finish());
    }
    await output.close();
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    process.off('SIGHUP', reload);
    unwatch();
    await face?.close();
  }
  const detections = metrics.detectionsOut.rule + metrics.detectionsOut.correlation;
  log('info', 'stopped', { events: metrics.eventsIn, detections, correlationDetections: metrics.detectionsOut.correlation, drops: metrics.drops() });
  return { events: metrics.eventsIn, detections, ended: stopping ? 'signal' : 'input' };
}

/** The event's time (the `--time-field`, else the usual fields), for the lag gauge. */
function eventTimeOf(rec: SourceRecord, timeField: string | undefined): number | null {
  const view = new EventView(rec.event);
  const iso = timeField ? timeOfField(view, timeField) : eventTime(view);
  const t = iso === undefined ? NaN : eventTimeMs(iso);
  return Number.isNaN(t) ? null : t;
}

function logProblems(source: { problems: Array<{ location: { file: string; line?: number }; message: string }>; problemCount: number }, from: number, log: Logger): number {
  for (const p of source.problems.slice(from)) log('warn', 'unreadable event skipped', { input: p.location.file, line: p.location.line, reason: p.message });
  if (source.problemCount > source.problems.length && from <= source.problems.length) log('warn', 'further unreadable events are counted, not logged', { count: source.problemCount });
  return source.problemCount;
}

/** Written to a temporary file, fsync'd, then renamed over the old one: a crash leaves one or the other whole. */
export function saveState(path: string, s: LiveSnapshot): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, stateToJson(s));
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}

/** The stream's chunks until it ends or the signal aborts (then the input ends cleanly, mid-stream). */
async function* untilAborted(stream: NodeJS.ReadableStream, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let done = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const onData = (c: Buffer) => {
    chunks.push(c);
    // Hold the stream while the detector catches up: memory stays bounded by one chunk or so.
    stream.pause();
    poke();
  };
  const onEnd = () => {
    done = true;
    poke();
  };
  const onError = (e: Error) => {
    failure = e;
    poke();
  };
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('error', onError);
  signal.addEventListener('abort', poke);
  try {
    for (;;) {
      if (chunks.length) {
        yield chunks.shift()!;
        continue;
      }
      if (failure) throw failure;
      if (done || signal.aborted) return;
      stream.resume();
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('error', onError);
    signal.removeEventListener('abort', poke);
    stream.pause();
  }
}
