// `quarry serve`: live detection on a stream of events (runtime/service.ts does the work).
import { loadSigmaPaths } from '../sigma/load.js';
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { timespanToMs } from '../sigma/parse-document.js';
import { resolvePipelines } from '../pipeline/resolve.js';
import { re2RegexCached } from '../engine/regex-re2.js';
import { ruleCacheDir, type RuleCache } from '../sigma/rule-cache.js';
import { factsBesideRuleCache } from '../engine/facts-store.js';
import { runService } from '../runtime/service.js';
import type { LiveOptions } from '../runtime/live-detector.js';
import { jsonLogger, type Logger } from '../runtime/log.js';
import type { SigmaCollection } from '../sigma/load.js';
import { parseNatsUrl } from '../runtime/nats/address.js';
import { UsageError } from './usage.js';
import { natsStartError } from './nats-start-error.js';
import { NO_CACHE_OPTION, noCacheHelp, ruleLoadOptions } from './rule-cache-option.js';
import { RULE_OPTIONS, ruleSelection } from './rule-options.js';
import { parseCommandArgs, requireExistingPaths } from './args.js';
import { checkOutputFile } from './output.js';
import { writeTerminal } from '../report/terminal-text.js';
import { EXIT_OK, EXIT_UNUSABLE } from './exit-codes.js';
import { holdStopSignals, releaseStopSignals } from '../runtime/stop-signals.js';

const HELP = `Usage: quarry serve --rules PATH… [options]

Runs Sigma rules on a live stream of NDJSON events and writes each detection as it is found, one
JSON line each (the shape of 'quarry hunt --format jsonl'), single-event and correlation alike.
At the end of the input the open correlation windows are finished and the service exits.
  --rules PATH         rule files or folders (repeatable; read again on SIGHUP)
  --pipeline P         a built-in pipeline name or a pySigma pipeline YAML file (repeatable)
  --no-default-pipeline  do not apply the built-in 'windows' pipeline
  --logsource SPEC     the log source of the events, e.g. category=proxy
  --min-level LEVEL    informational, low, medium, high or critical
  --time-field NAME    the field that holds each event's time (as for quarry hunt)
  --input SOURCE       - (standard input, default) or http://HOST:PORT: POST NDJSON to /events
                       (202 once queued, 429 when the queue is full, 400 for unreadable events)
  --queue N            events the HTTP queue holds before answering 429 (default 10000)
  --listen HOST:PORT   serve /healthz and /metrics when the input is standard input
  --output DEST        standard output (default), a FILE (appended, fsync'd every --fsync-ms), or an
                       http(s):// webhook (NDJSON batches POSTed, retried: at-least-once)
  --fsync-ms N         how often a --output FILE reaches the disk (default 1000)
  --webhook-attempts N attempts per batch before its detections are given up (default 5)
  --lateness SPAN      how far behind the newest match a match may arrive and still count for
                       correlations (a Sigma timespan: 30s, 5m, 1h; default 5m); later ones are dropped
                       and counted (metric quarry_serve_dropped_total{reason="late"})
  --max-groups N       correlation groups kept before the least recently seen is evicted (default 100000)
  --max-buffered N     matches held for ordering before the oldest are released (default 100000)
  --state FILE         on SIGTERM/SIGINT save the correlation state here instead of finishing the
                       windows; restored at start (state of correlations whose rules changed is dropped)
Scaled out on NATS JetStream (docs/serve-deployment.md):
  --input nats://HOST:PORT/STREAM   events from a JetStream stream (made, capturing STREAM.>, if absent)
  --output nats://HOST:PORT/SUBJECT detections published with message ids (the broker drops repeats)
  --stage S            detect (stateless, any number), correlate (owns partitions), or both (default)
  --partitions N       correlation partitions, fixed when the topology is first made (default 16)
  --worker NAME        this worker's name in leases and logs (default HOST-PID)
  --batch N            events a detect worker takes at once (default 256)
  --max-in-flight N    events handed out and not yet acknowledged, all detect workers (default 4096)
  --lease SPAN         a partition whose owner stops renewing is taken over after this (default 10s)
  --snapshot-ms N      longest time between partition snapshots under load (default 1000; 0: after
                       every record)
  --dedupe-window SPAN how long the broker remembers message ids (default 10m)
  --start-timeout SPAN how long a worker starting keeps retrying a broker that is not up or not
                       answering yet (default 30s); a setting the broker refuses fails at once
  --no-watch           do not reload when a rule file under --rules changes (SIGHUP still does)
${noCacheHelp(23)}Signals: SIGHUP, or a change of a rule file, reloads the rules (unchanged correlations keep their
state); SIGTERM and SIGINT stop taking input, handle what was accepted, save or finish, and exit 0.
Logs: JSON lines on standard error.
`;

export async function serveCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...RULE_OPTIONS,
      input: { type: 'string', default: '-' },
      queue: { type: 'string', default: '10000' },
      listen: { type: 'string' },
      output: { type: 'string' },
      'fsync-ms': { type: 'string', default: '1000' },
      'webhook-attempts': { type: 'string', default: '5' },
      lateness: { type: 'string', default: '5m' },
      'max-groups': { type: 'string', default: '100000' },
      'max-buffered': { type: 'string', default: '100000' },
      state: { type: 'string' },
      'no-watch': { type: 'boolean' },
      stage: { type: 'string', default: 'both' },
      partitions: { type: 'string' },
      worker: { type: 'string' },
      batch: { type: 'string', default: '256' },
      'max-in-flight': { type: 'string', default: '4096' },
      lease: { type: 'string', default: '10s' },
      'snapshot-ms': { type: 'string', default: '1000' },
      'dedupe-window': { type: 'string', default: '10m' },
      'start-timeout': { type: 'string', default: '30s' },
      ...NO_CACHE_OPTION,
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  if (positionals.length) throw new UsageError(`quarry serve takes no inputs as arguments ('${positionals[0]}'): events come from --input`);
  if (!values.rules?.length) throw new UsageError('give the rules with --rules PATH');
  requireExistingPaths(values.rules, '--rules');
  const { minLevel, logsource } = ruleSelection(values);
  const latenessMs = timespanToMs(values.lateness!);
  if (latenessMs === null) throw new UsageError(`--lateness must be a number followed by s, m, h, d, w, M or y (like 30s or 5m), not '${values.lateness}'`);
  const count = (name: 'queue' | 'fsync-ms' | 'webhook-attempts' | 'max-groups' | 'max-buffered' | 'partitions' | 'batch' | 'max-in-flight' | 'snapshot-ms') => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number of at least 1, not '${values[name]}'`);
    return n;
  };
  const natsInput = /^nats:/i.test(values.input!) ? parseNatsUrl(values.input!) : null;
  if (/^nats:/i.test(values.input!) && !natsInput) throw new UsageError(`--input must be nats://HOST:PORT/STREAM (a JetStream stream name), not '${values.input}'`);
  const natsOutput = values.output && /^nats:/i.test(values.output) ? parseNatsUrl(values.output) : null;
  if (values.output && /^nats:/i.test(values.output) && !natsOutput) throw new UsageError(`--output must be nats://HOST:PORT/SUBJECT, not '${values.output}'`);
  if (natsOutput && !natsInput) throw new UsageError('--output nats:// is for the NATS topology (--input nats://HOST:PORT/STREAM): its message ids need the partitioned stages');
  if (natsInput) {
    if (!natsOutput) throw new UsageError('with --input nats://, give --output nats://HOST:PORT/SUBJECT: detections go back to the broker, whose duplicate detection makes them effectively-once');
    if (values.state) throw new UsageError('--state is for the embedded service: with NATS the partitions keep their snapshots in the broker');
  }
  const input = values.input === '-' || natsInput ? ({ kind: 'stdin' } as const) : { kind: 'http' as const, ...hostPort(values.input!, '--input'), queueLimit: count('queue'), maxBody: 16 * 1024 * 1024 };
  const listen = values.listen ? hostPort(`http://${values.listen}`, '--listen') : undefined;
  if (listen && input.kind === 'http' && !natsInput) throw new UsageError('--listen is for standard input; with --input http:// the same port serves /healthz and /metrics');
  if (values.output && !/^(https?|nats):\/\//i.test(values.output) && values.output !== '-') checkOutputFile(values.output, '--output');
  if (values.state) checkOutputFile(values.state, '--state');

  const pipelines = resolvePipelines(values.pipeline ?? [], !values['no-default-pipeline']);
  if (pipelines.errors.length) {
    for (const d of pipelines.errors) writeTerminal(process.stderr, formatDiagnostic(d) + '\n');
    return EXIT_UNUSABLE;
  }
  const log = jsonLogger();
  // The hunt's rules, pipelines and correlation limits: the same for the embedded service and the topology.
  const live = { pipelines: pipelines.pipelines, regex: re2RegexCached(values['no-cache'] ? null : ruleCacheDir()), minLevel, logsource, timeField: values['time-field'], latenessMs, maxGroups: count('max-groups'), maxBuffered: count('max-buffered') };
  // Once every option is checked (a usage error is one line, with no log line before it) and until
  // the service's own handlers are in place (rules loaded, broker connected, port bound), a stop
  // signal is held, then carried out: a service stopped while starting exits 0 too.
  const starting = () => {
    holdStopSignals();
    log('info', 'starting', { rules: values.rules });
  };
  try {
    if (natsInput && natsOutput) {
      const stage = values.stage!;
      if (stage !== 'detect' && stage !== 'correlate' && stage !== 'both') throw new UsageError(`--stage must be detect, correlate or both, not '${stage}'`);
      const span = (flag: 'lease' | 'dedupe-window' | 'start-timeout') => {
        const ms = timespanToMs(values[flag]!);
        if (ms === null || ms <= 0) throw new UsageError(`--${flag} must be a number followed by s, m, h, d, w, M or y (like 10s), not '${values[flag]}'`);
        return ms;
      };
      const leaseMs = span('lease');
      const dedupeWindowMs = span('dedupe-window');
      const startTimeoutMs = span('start-timeout');
      const partitions = values.partitions === undefined ? undefined : count('partitions');
      const batch = count('batch');
      const snapshotMs = values['snapshot-ms'] === '0' ? 0 : count('snapshot-ms');
      const maxInFlight = count('max-in-flight');
      starting();
      const rules = loadRulesChecked(values.rules, values['no-cache'], log);
      if (!rules) return EXIT_UNUSABLE;
      const server = natsInput.server;
      // Loaded only here: the embedded service never needs the NATS client.
      const { runWorker } = await import('../runtime/topology/worker.js');
      const { openNatsBroker } = await import('../runtime/nats/nats-broker.js');
      await runWorker({
        loadRules: rules.load,
        live: { ...live, facts: rules.facts },
        stage,
        origin: `nats://${server}/${natsInput.name}`,
        ...(values.worker ? { worker: values.worker } : {}),
        batch,
        leaseMs,
        snapshotMs,
        listen,
        ...(values['no-watch'] ? {} : { watch: values.rules }),
        log,
        // A broker still unreachable after --start-timeout, or a topology that does not fit, is one
        // line and exit 2, nothing done (the retries before it are in the log).
        open: () =>
          openNatsBroker({ input: natsInput, output: natsOutput, partitions, dedupeWindowMs, maxInFlight, ackWaitMs: 30_000, log, name: `quarry-serve-${stage}`, readsEvents: stage !== 'correlate', startTimeoutMs }).catch((e: Error) => {
            throw natsStartError(server, e, values['start-timeout']!);
          }),
      });
      return EXIT_OK;
    }
    const fsyncMs = count('fsync-ms');
    const webhookAttempts = count('webhook-attempts');
    starting();
    const rules = loadRulesChecked(values.rules, values['no-cache'], log);
    if (!rules) return EXIT_UNUSABLE;
    await runService({
      loadRules: rules.load,
      live: { ...live, facts: rules.facts },
      input,
      listen,
      output: values.output,
      fsyncMs,
      webhook: { attempts: webhookAttempts, backoffMs: 250, batch: 500, maxPending: 10_000, timeoutMs: 10_000 },
      statePath: values.state,
      ...(values['no-watch'] ? {} : { watch: values.rules }),
      log,
    });
    return EXIT_OK;
  } finally {
    releaseStopSignals();
  }
}

/**
 * The rule loader the service calls at start and on every reload (it throws when the rules cannot
 * be used), and the facts store beside the rule cache of the last load (engine/facts-store.ts);
 * null, with the reason on standard error, when the rules cannot be used at start.
 */
function loadRulesChecked(rulePaths: string[], noCache: boolean | undefined, log: Logger): { load: () => SigmaCollection; facts: LiveOptions['facts'] } | null {
  let cache: RuleCache | null = null;
  const loadRules = () => {
    // A new cache each load: a reload sees the store as the last load left it.
    cache = ruleLoadOptions(noCache, rulePaths).cache ?? null;
    const col = loadSigmaPaths(rulePaths, { cache });
    if (col.files === 0) throw new Error(`no rule files (*.yml, *.yaml) in ${rulePaths.join(', ')}`);
    for (const r of col.rejected) {
      const e = r.diagnostics.find((d) => d.severity === 'error');
      if (e) log('warn', 'rule rejected', { diagnostic: formatDiagnostic(e) });
    }
    if (col.rules.length === 0) throw new Error(`no usable rule in ${rulePaths.join(', ')} (${col.rejected.length} rejected)`);
    return col;
  };
  try {
    loadRules();
  } catch (e) {
    writeTerminal(process.stderr, `quarry serve: ${(e as Error).message}\n`);
    return null;
  }
  return { load: loadRules, facts: () => (cache ? factsBesideRuleCache(cache, true) : undefined) };
}

/** HOST and PORT of an http:// address (the service binds exactly there: 127.0.0.1 keeps it local). */
function hostPort(text: string, flag: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} must be -, http://HOST:PORT or nats://HOST:PORT/STREAM, not '${text}'`);
  }
  if (url.protocol !== 'http:' || !url.port || (url.pathname !== '/' && url.pathname !== '')) throw new UsageError(`${flag} must be -, http://HOST:PORT (events are POSTed to /events) or nats://HOST:PORT/STREAM, not '${text}'`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) };
}
