// `quarry serve`: live detection on a stream of events (runtime/service.ts does the work).
import { loadSigmaPaths } from '../sigma/load.js';
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { timespanToMs } from '../sigma/parse-document.js';
import { resolvePipelines } from '../pipeline/resolve.js';
import { re2Regex } from '../engine/regex-re2.js';
import { runService } from '../runtime/service.js';
import { jsonLogger } from '../runtime/log.js';
import { UsageError } from './usage.js';
import { RULE_OPTIONS, ruleSelection } from './rule-options.js';
import { parseCommandArgs, requireExistingPaths } from './args.js';
import { checkOutputFile } from './output.js';
import { writeTerminal } from '../report/terminal-text.js';
import { EXIT_OK, EXIT_UNUSABLE } from './exit-codes.js';

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
Signals: SIGHUP reloads the rules (unchanged correlations keep their state); SIGTERM and SIGINT
stop taking input, handle what was accepted, save or finish, and exit 0.
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
  const count = (name: 'queue' | 'fsync-ms' | 'webhook-attempts' | 'max-groups' | 'max-buffered') => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number of at least 1, not '${values[name]}'`);
    return n;
  };
  const input = values.input === '-' ? ({ kind: 'stdin' } as const) : { kind: 'http' as const, ...hostPort(values.input!, '--input'), queueLimit: count('queue'), maxBody: 16 * 1024 * 1024 };
  const listen = values.listen ? hostPort(`http://${values.listen}`, '--listen') : undefined;
  if (listen && input.kind === 'http') throw new UsageError('--listen is for standard input; with --input http:// the same port serves /healthz and /metrics');
  if (values.output && !/^https?:\/\//i.test(values.output) && values.output !== '-') checkOutputFile(values.output, '--output');
  if (values.state) checkOutputFile(values.state, '--state');

  const pipelines = resolvePipelines(values.pipeline ?? [], !values['no-default-pipeline']);
  if (pipelines.errors.length) {
    for (const d of pipelines.errors) writeTerminal(process.stderr, formatDiagnostic(d) + '\n');
    return EXIT_UNUSABLE;
  }
  const log = jsonLogger();
  const rulePaths = values.rules;
  const loadRules = () => {
    const col = loadSigmaPaths(rulePaths);
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
    return EXIT_UNUSABLE;
  }
  await runService({
    loadRules,
    live: { pipelines: pipelines.pipelines, regex: re2Regex, minLevel, logsource, timeField: values['time-field'], latenessMs, maxGroups: count('max-groups'), maxBuffered: count('max-buffered') },
    input,
    listen,
    output: values.output,
    fsyncMs: count('fsync-ms'),
    webhook: { attempts: count('webhook-attempts'), backoffMs: 250, batch: 500, maxPending: 10_000, timeoutMs: 10_000 },
    statePath: values.state,
    log,
  });
  return EXIT_OK;
}

/** HOST and PORT of an http:// address (the service binds exactly there: 127.0.0.1 keeps it local). */
function hostPort(text: string, flag: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} must be - or http://HOST:PORT, not '${text}'`);
  }
  if (url.protocol !== 'http:' || !url.port || (url.pathname !== '/' && url.pathname !== '')) throw new UsageError(`${flag} must be - or http://HOST:PORT (events are POSTed to /events), not '${text}'`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) };
}
