// `quarry hunt`: load rules, run pipelines, read inputs, print detections, banner and summary.
import { statSync } from 'node:fs';
import { loadSigmaPaths, pipelineFilesNote } from '../sigma/load.js';
import { NO_CACHE_OPTION, noCacheHelp, ruleLoadOptions } from './rule-cache-option.js';
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { LEVELS } from '../sigma/model.js';
import { describeLogsource, logsourceFits } from '../sigma/logsource.js';
import type { PreparedRules } from '../engine/rulebook.js';
import { openHuntInputs, setupHunt } from '../hunt/setup.js';
import { hunt, type HuntInput, type HuntSummary } from '../hunt/hunt.js';
import type { HuntCorrelation } from '../hunt/correlate.js';
import { re2Regex, re2RegexCached } from '../engine/regex-re2.js';
import { ruleCacheDir } from '../sigma/rule-cache.js';
import { factsBesideRuleCache } from '../engine/facts-store.js';
import { FILE_FORMATS, openDetectionSink, SINK_FORMATS, type SinkFormat } from '../report/sink.js';
import type { HuntInfo } from '../report/hunt-info.js';
import { renderTable } from '../report/text-table.js';
import { writeTerminal } from '../report/terminal-text.js';
import { TimeSorter } from '../report/time-sort.js';
import { DetectionScope, LEFT_OUT_REASONS } from '../hunt/scope.js';
import type { HuntDetection } from '../hunt/detection.js';
import { outputOptions, scopeOptions } from './hunt-options.js';
import { huntProgress, loadingProgress, terminalProgress } from './progress.js';
import { BUNDLED_LOGS, BUNDLED_RULES } from './bundled.js';
import { resolvePipelines } from '../pipeline/resolve.js';
import { UsageError } from './usage.js';
import { RULE_OPTIONS, ruleSelection } from './rule-options.js';
import { parseCommandArgs, requireExistingPaths } from './args.js';
import { checkOutputFile, writing } from './output.js';
import { EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, EXIT_UNUSABLE } from './exit-codes.js';
import { thousands } from '../sigma/thousands.js';
import { tuneTiering } from '../tuning/v8-tiering.js';

const HELP = `Usage: quarry hunt [--rules PATH…] [options] [INPUT…]

Hunts logs, files or folders (JSON/NDJSON, EVTX, W3C/IIS and ELFF, Squid, Zeek http, CSV; gzip
and - for standard input too), with Sigma rules. Without --rules and inputs it runs the bundled
rules (examples/rules, examples/correlations, rules/hardened) over the bundled sample logs
(examples/logs): the explorer's demo hunt.
  --rules PATH         rule files or folders (repeatable); filters found there are applied
  --pipeline P         a built-in pipeline name or a pySigma pipeline YAML file (repeatable)
  --no-default-pipeline  do not apply the built-in 'windows' pipeline
  --logsource SPEC     the log source of the inputs, e.g. product=windows,service=bits-client:
                       only rules of that log source apply to them
  --time-field NAME    the field that holds each event's time (correlations, --from/--to, sorting;
                       default: @timestamp, timestamp, TimeCreated, UtcTime, EventTime, ts, time,
                       W3C date+time, EVTX SystemTime)
  --workers N          threads that hunt, each reading and matching its own share of the inputs
                       (whole files, or runs of chunks of a big EVTX file); 0 or 1: one thread. Default:
                       one per idle processor (processors minus the load average) when the inputs
                       total 192 MB or more, else 1
Output
  --format FORMAT      table (default), jsonl, csv, timesketch (JSONL for Timesketch: message,
                       datetime, timestamp_desc), timesketch-csv, html (a self-contained report;
                       needs --output), or duckdb (a database file with a table 'detections';
                       needs --output)
  --profile P          timeline columns: minimal, standard or verbose. Makes the table one line
                       per detection; picks the columns of csv and timesketch (default standard)
  --sort ORDER         time (across all inputs; the default for --profile, timesketch and html)
                       or file (input order, then rule order; the default otherwise)
  --output FILE        write detections to FILE instead of standard output
Scope and noise
  --min-level LEVEL    informational, low, medium, high or critical
  --from TIME, --to TIME  only events in this time range (ISO 8601: 2021-03-26 or
                       2021-03-26T16:00:00Z; a date alone in --to includes that whole day)
  --status S           only rules of these statuses (stable, test, experimental, deprecated,
                       unsupported; repeatable or comma-separated)
  --tag T              only rules with one of these tags (attack.persistence or persistence)
  --technique T        only rules tagged with one of these ATT&CK techniques (T1059 takes
                       its sub-techniques too)
  --exclude-rule R     leave out a rule, by id, file name or path (repeatable)
  --limit-per-rule N   write at most N detections of each rule (all are counted in the summary)
  --dedupe             report a record once when several inputs hold it (same computer, channel,
                       record id and time: volume shadow copies, backups)
  -v, --verbose        list every input that could not be opened (else a summary line)
  --quiet              no banner, progress or summary (detections only)
  --fail-on-detection  exit with status 1 when there are detections
${noCacheHelp(23)}Exit status: 0 ran with every rule and input; 1 detections found and --fail-on-detection given;
2 nothing hunted (usage error, missing path, no rule can run, no input readable or no event in
the inputs, output not writable); 3 partial: some rules were rejected or cannot run, or some inputs or records were unreadable.
`;

export async function huntCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...RULE_OPTIONS,
      format: { type: 'string', default: 'table' },
      output: { type: 'string' },
      workers: { type: 'string' },
      profile: { type: 'string' },
      sort: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      status: { type: 'string', multiple: true },
      tag: { type: 'string', multiple: true },
      technique: { type: 'string', multiple: true },
      'exclude-rule': { type: 'string', multiple: true },
      'limit-per-rule': { type: 'string' },
      dedupe: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
      quiet: { type: 'boolean', default: false },
      'fail-on-detection': { type: 'boolean', default: false },
      ...NO_CACHE_OPTION,
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const format = values.format as SinkFormat;
  if (!SINK_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${SINK_FORMATS.join(', ')}, not '${values.format}'`);
  if (FILE_FORMATS.includes(format) && !values.output) throw new UsageError(`--format ${format} writes a ${format === 'html' ? 'report' : 'database'} file: give it with --output FILE`);
  const output = outputOptions(values, format);
  const scope = new DetectionScope(scopeOptions(values));
  const { minLevel, logsource } = ruleSelection(values);
  const workers = values.workers !== undefined ? Number(values.workers) : undefined;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0)) throw new UsageError(`--workers must be a whole number (0 or 1: one thread), not '${values.workers}'`);
  const rulePaths = values.rules?.length ? values.rules : BUNDLED_RULES;
  const inputPaths = positionals.length ? positionals : values.rules?.length ? [] : BUNDLED_LOGS;
  if (inputPaths.length === 0) throw new UsageError('give at least one input file or folder (or - for standard input)');
  if (values.rules?.length) requireExistingPaths(values.rules, '--rules');
  if (values.output) checkOutputFile(values.output, '--output');
  const log = values.quiet ? () => {} : (s: string) => void writeTerminal(process.stderr, s);
  const progress = terminalProgress(!values.quiet);

  const pipelines = resolvePipelines(values.pipeline ?? [], !values['no-default-pipeline']);
  if (pipelines.errors.length) {
    for (const d of pipelines.errors) writeTerminal(process.stderr, formatDiagnostic(d) + '\n');
    return 2;
  }
  const plan = { pipelines: pipelines.pipelines, formatPipelines: !values['no-default-pipeline'], regex: re2RegexCached(values['no-cache'] ? null : ruleCacheDir()), minLevel, logsource, threads: workers ?? 'auto' } as const;
  // inputs first: the worker threads, when they pay, start now and load the rules beside this thread
  const opened = await openHuntInputs(inputPaths, plan, { paths: rulePaths, cache: !values['no-cache'] });
  const { cache } = ruleLoadOptions(values['no-cache'], rulePaths);
  const col = loadSigmaPaths(rulePaths, { cache, onFile: loadingProgress(progress) });
  progress.done();
  if (col.files === 0) throw new UsageError(`no rule files (*.yml, *.yaml) in ${rulePaths.join(', ')}`);
  progress.show(`  preparing ${thousands(col.rules.length)} rules through the pipelines, opening inputs…`, true);
  const { prepared, inputs, openProblems, correlation, workers: hunters } = await setupHunt(col, opened, { ...plan, ...(cache ? { facts: factsBesideRuleCache(cache, true) } : {}) });
  progress.done();
  log(banner(rulePaths, col, prepared, pipelines.names, inputs, logsource ? describeLogsource(logsource) : undefined, openProblems, correlation, values.verbose));
  // Nothing to hunt with or nothing to hunt in: say so and stop, whatever --quiet says.
  if (prepared.set.rules.length === 0) {
    process.stderr.write(`quarry hunt: no rule can run (${col.rules.length} loaded, ${col.rejected.length} rejected, ${prepared.skipped.length} skipped): nothing hunted\n`);
    return EXIT_UNUSABLE;
  }
  if (inputs.length === 0) {
    writeTerminal(process.stderr, `quarry hunt: no input could be opened${openProblems.length ? ` (${openProblems.join('; ')})` : ''}: nothing hunted\n`);
    return EXIT_UNUSABLE;
  }

  const started = new Date().toISOString();
  // SIGINT or SIGTERM stops the hunt between two events; what was found is kept beside the
  // earlier result (FILE.incomplete), marked as incomplete, and the earlier result stays.
  const stop = new AbortController();
  let stoppedBy: string | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stoppedBy) process.exit(EXIT_INTERRUPTED); // a second signal: stop now
    stoppedBy = sig;
    stop.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const destination = values.output ? `--output ${values.output}` : 'standard output';
  const sink = await writing(destination, () =>
    openDetectionSink(format, { output: values.output, profile: output.profile, html: { rules: rulePaths.join(', '), inputs: inputs.map((i) => i.source.name), perRuleListed: scope.limitPerRule } }),
  );
  for (const file of sink.swept) writeTerminal(process.stderr, `quarry hunt: removed ${file}, left by a hunt that was killed before it finished\n`);
  // Detections go: scope (hunt.ts counts only admitted ones) → time sorter (when sorting) →
  // the per-rule limit → the sink. The HTML report caps its own listing and counts everything.
  const sorter = output.sort === 'time' ? new TimeSorter() : null;
  const timesketch = format === 'timesketch' || format === 'timesketch-csv';
  let untimed = 0;
  const deliver = (d: HuntDetection) => (format === 'html' || scope.shown(d) ? writing(destination, () => sink.write(d)) : undefined);
  tuneTiering('event-loop'); // the rules are ready: V8's default for the per-event loop (tuning/v8-tiering.ts)
  const summary = await hunt(prepared.set, inputs, {
    regex: re2Regex,
    correlation,
    signal: stop.signal,
    timeField: values['time-field'],
    admit: scope.active ? (d) => scope.admit(d) : undefined,
    onDetection: (d) => {
      if (timesketch && !d.timestamp) return void untimed++;
      return sorter ? sorter.add(d) : deliver(d);
    },
    onProgress: huntProgress(progress, inputSizes(inputs)),
    ...(hunters ? { workers: hunters } : {}),
  })
    .then(async (s) => {
      if (sorter) for await (const d of sorter.drain()) await deliver(d);
      return s;
    })
    .catch(async (e: unknown) => {
      // a failed hunt (e.g. the output's disk is full) leaves no staging file and the earlier result as it was
      await sink.discard();
      throw e;
    });
  progress.done();
  const info: HuntInfo = {
    completed: !summary.interrupted,
    ...(summary.interrupted ? { reason: `interrupted by ${stoppedBy}` } : {}),
    started, finished: new Date().toISOString(), events: summary.events, detections: summary.detections,
    problems: summary.inputs.reduce((n, i) => n + i.problemCount, 0),
  };
  const written = await writing(destination, () => sink.close(info));
  process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  const cannotRun = prepared.skipped.filter((s) => s.kind === 'cannot-run').length;
  log(summaryText(summary, correlation) + scopeText(scope, untimed, sorter));
  if (summary.interrupted) {
    writeTerminal(process.stderr, `quarry hunt: ${info.reason}: ${countOf(summary.detections, 'detection')} in ${countOf(summary.events, 'event')} so far${written && values.output && written !== values.output ? `, kept in ${written} (${values.output} is unchanged)` : ''}\n`);
    return EXIT_INTERRUPTED;
  }
  if (cannotRun) log(`Partial hunt: ${cannotRun} rules could not be used (listed above as 'cannot run'); exit status 3\n`);
  return huntExitCode(summary, {
    failOnDetection: values['fail-on-detection'],
    unusedRules: col.rejected.length + prepared.skipped.filter((s) => s.kind !== 'level').length,
    unopenedInputs: openProblems.length,
  });
}

/**
 * The exit code of a hunt that ran (exit-codes.ts): 2 when no input gave a single event (every
 * record unreadable, or the inputs hold none: nothing was really hunted), 1 for detections when
 * asked, 3 when some rules, inputs or records could not be used, else 0.
 */
function huntExitCode(s: HuntSummary, o: { failOnDetection: boolean; unusedRules: number; unopenedInputs: number }): number {
  const badRecords = s.inputs.reduce((n, i) => n + i.problemCount, 0);
  if (s.events === 0 && badRecords > 0) {
    process.stderr.write(`quarry hunt: every record was unreadable (${badRecords} problems): nothing hunted\n`);
    return EXIT_UNUSABLE;
  }
  // An empty file, a CSV with only its header: a check in a pipeline must not pass on no events.
  if (s.events === 0) {
    process.stderr.write(`quarry hunt: the input${s.inputs.length === 1 ? ' holds' : 's hold'} no events: nothing hunted\n`);
    return EXIT_UNUSABLE;
  }
  if (o.failOnDetection && s.detections > 0) return EXIT_FINDINGS;
  if (o.unusedRules > 0 || o.unopenedInputs > 0 || badRecords > 0) return EXIT_PARTIAL;
  return EXIT_OK;
}

function banner(rulePaths: string[], col: ReturnType<typeof loadSigmaPaths>, prepared: PreparedRules, pipelineNames: string[], inputs: HuntInput[], declared: string | undefined, openProblems: string[], correlation: HuntCorrelation | null, verbose: boolean): string {
  const set = prepared.set;
  const guarded = set.index.guarded.length + set.index.windowsWide.length;
  const lines = [
    `Quarry hunt`,
    `  rules      ${col.rules.length} loaded from ${rulePaths.join(', ')}; ${col.rejected.length} rejected; ${col.filters.length} filters (${prepared.filtered} rules filtered)`,
    ...correlationBanner(col.correlations.length, correlation),
    `  pipelines  ${pipelineNames.length ? pipelineNames.join(', ') : '(none)'}`,
    ...(col.pipelineFiles.length ? [`  note       ${pipelineFilesNote(col.pipelineFiles)}: not loaded as rules (pass them with --pipeline)`] : []),
    `  runnable   ${set.rules.length}; skipped ${prepared.skipped.filter((s) => s.kind === 'level').length}; cannot run ${prepared.skipped.filter((s) => s.kind === 'cannot-run').length}`,
    `  routing    Windows events meet the ${guarded} rules mapped to their channel; events of unknown log source meet all ${set.rules.length}` +
      (declared ? `; inputs declared ${declared} meet the rules of that log source` : ''),
    `  inputs     ${inputs.length} (${countBy(inputs.map((i) => i.source.format))})`,
  ];
  for (const r of col.rejected.slice(0, 10)) {
    const e = r.diagnostics.find((d) => d.severity === 'error');
    if (e) lines.push(`  rejected   ${formatDiagnostic(e)}`);
  }
  if (col.rejected.length > 10) lines.push(`  rejected   … and ${col.rejected.length - 10} more (run quarry validate)`);
  const reasons = new Map<string, string[]>();
  for (const s of prepared.skipped) if (s.kind === 'level') reasons.set(s.reason, [...(reasons.get(s.reason) ?? []), s.rule.title]);
  for (const [reason, titles] of [...reasons].slice(0, 10)) lines.push(`  skipped    ${titles.length} × ${reason}${titles.length <= 3 ? ` (${titles.join('; ')})` : ''}`);
  // A rule that cannot run is an error, located at the value at fault (the rule's or a filter's).
  const broken = prepared.skipped.filter((s) => s.kind === 'cannot-run');
  for (const s of broken.slice(0, 10)) {
    const at = s.at ? `${s.at.file}:${s.at.line}:${s.at.col}: ${s.at.message}` : `${s.rule.file}:${s.rule.pos.line}:${s.rule.pos.col}: ${s.reason}`;
    lines.push(`  cannot run ${at} (rule '${s.rule.title}'${s.at && s.at.file !== s.rule.file ? `, ${s.rule.file}` : ''})`);
  }
  if (broken.length > 10) lines.push(`  cannot run … and ${broken.length - 10} more`);
  if (set.rules.length > guarded) {
    const unmapped = set.rules.length - guarded;
    lines.push(`  note       ${thousands(unmapped)} runnable ${unmapped === 1 ? 'rule has' : 'rules have'} no Windows log-source mapping: ${unmapped === 1 ? 'it meets' : 'they meet'} only events of unknown or declared log source`);
  }
  for (const n of prepared.filterNotes.slice(0, 5)) lines.push(`  filter     ${n}`);
  for (const i of inputs) {
    if (!i.logsource && !i.source.pipeline) continue;
    const rules = (i.set ?? set).rules;
    const applicable = i.logsource ? rules.filter((r) => logsourceFits(r.facts.logsource, i.logsource!)).length : rules.length;
    lines.push(`  input      ${i.source.name}: ${i.source.format}${i.logsource ? `, log source ${describeLogsource(i.logsource)}` : ''}${i.source.pipeline ? `, pipeline ${i.source.pipeline}` : ''}: ${applicable} rules apply`);
  }
  // A folder of non-log files gives one problem per file: a summary line unless -v asks for each.
  const listed = verbose || openProblems.length <= UNREADABLE_LISTED ? openProblems : openProblems.slice(0, UNREADABLE_LISTED);
  for (const p of listed) lines.push(`  unreadable ${p}`);
  if (listed.length < openProblems.length) lines.push(`  unreadable … and ${openProblems.length - listed.length} more inputs that could not be opened (-v lists them)`);
  return lines.join('\n') + '\n\n';
}

const UNREADABLE_LISTED = 5;

/** Input sizes in bytes for the progress line's ETA (0 for standard input and what cannot be stat'ed). */
function inputSizes(inputs: HuntInput[]): number[] {
  return inputs.map((i) => {
    try {
      return i.source.name === '-' ? 0 : statSync(i.source.name).size;
    } catch {
      return 0;
    }
  });
}

/** What the scope left out and the per-rule limit held back, and how the time sort went. */
function scopeText(scope: DetectionScope, untimed: number, sorter: TimeSorter | null): string {
  const lines: string[] = [];
  const out = LEFT_OUT_REASONS.filter((r) => r !== 'over --limit-per-rule' && scope.leftOut.has(r));
  if (out.length) lines.push(`Left out by the scope: ${out.map((r) => `${scope.leftOut.get(r)} ${r}`).join(', ')}`);
  if (scope.overLimit.size) {
    const held = [...scope.overLimit].sort((a, b) => b[1] - a[1]);
    lines.push(`Not written (--limit-per-rule ${scope.limitPerRule}): ${held.reduce((n, [, c]) => n + c, 0)} detections of ${held.length} rules, counted above: ${held.slice(0, 5).map(([t, n]) => `${t} (${n} more)`).join('; ')}${held.length > 5 ? '; …' : ''}`);
  }
  if (untimed) lines.push(`Not written: ${untimed} detections without an event time (Timesketch needs a datetime; --time-field names the field)`);
  if (sorter?.spilled) lines.push(`Sorted by time through ${sorter.spilled} runs on disk`);
  return lines.length ? lines.join('\n') + '\n' : '';
}

function countBy(xs: string[]): string {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
}

function correlationBanner(loaded: number, c: HuntCorrelation | null): string[] {
  if (!loaded) return [];
  const runs = c?.plan.correlations.length ?? 0;
  const lines = [`  correlations ${loaded} loaded, ${runs} run on event time; ${loaded - runs} cannot run`];
  for (const p of c?.plan.problems ?? []) lines.push(`  correlation '${p.correlation.title}' cannot run: ${p.reason}`);
  if (c && c.plan.silent.size) lines.push(`  note       ${c.plan.silent.size} rules and correlations only feed correlations (generate: false): their matches are not reported on their own`);
  return lines;
}

function summaryText(s: HuntSummary, c: HuntCorrelation | null): string {
  const lines = ['', `Summary: ${countOf(s.detections, 'detection')} in ${countOf(s.events, 'event')}`];
  if (c) {
    const st = c.correlator.stats;
    lines.push(`Correlations: ${st.alerts} alerts from ${st.matches} base matches (${s.silenced} not reported on their own); ${st.ungrouped} without a group-by field, ${c.untimed} without a readable time, ${st.late} late, ${st.evicted} groups evicted`);
  }
  const perRule = [...s.perRule.values()];
  perRule.sort((a, b) => LEVELS.indexOf(b.level as never) - LEVELS.indexOf(a.level as never) || b.count - a.count || a.title.localeCompare(b.title));
  if (perRule.length) lines.push(renderTable(['level', 'detections', 'rule'], perRule.map((r) => [r.level ?? 'unset', String(r.count), r.title]), 80));
  const levels = [...LEVELS].reverse().filter((l) => s.perLevel.has(l)).map((l) => `${l} ${s.perLevel.get(l)}`);
  if (levels.length) lines.push(`By level: ${levels.join(', ')}`);
  lines.push('', renderTable(['input', 'format', 'events', 'detections', 'problems', 'routing'], s.inputs.map((i) => [i.file, i.format, String(i.events), String(i.detections), String(i.problemCount), routing(i.routing)]), 70));
  for (const i of s.inputs) {
    const shown = i.problems.slice(0, 10);
    for (const p of shown) lines.push(`  problem  ${p.location.file}${p.location.line ? `:${p.location.line}` : ''}${p.location.offset !== undefined ? ` @${p.location.offset}` : ''}: ${p.message}`);
    // a problem may stand for several records (a lost EVTX run), so count what the shown ones cover
    const more = i.problemCount - shown.reduce((n, p) => n + (p.records ?? 1), 0);
    if (more > 0) lines.push(`  problem  … ${more} more in ${i.file}`);
  }
  return lines.join('\n') + '\n';
}

function routing(r: { windows: number; declared: number; unknown: number }): string {
  return [r.windows ? `${r.windows} windows` : '', r.declared ? `${r.declared} declared` : '', r.unknown ? `${r.unknown} unknown` : ''].filter(Boolean).join(', ') || '-';
}

/** `1 event`, `2 events`: the summary is read by people, and often of one test event. */
function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
