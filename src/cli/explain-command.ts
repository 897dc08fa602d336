// `quarry explain RULE EVENT…`: why a rule did or did not match each event, as the detector sees it.
import { loadSigmaPaths } from '../sigma/load.js';
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { parseLogsourceSpec } from '../sigma/logsource.js';
import { PIPELINE_OPTIONS, pipelinesOf } from './pipeline-options.js';
import { re2Regex } from '../engine/regex-re2.js';
import { createExplainer, inlineEvents, type ExplainedEvent } from '../hunt/explain-events.js';
import type { LogEvent, SourceProblem } from '../sources/types.js';
import { explainedEventText } from '../report/explain-text.js';
import { writeTerminal } from '../report/terminal-text.js';
import { stringifyExact } from '../json/stringify-exact.js';
import { UsageError } from './usage.js';
import { parseCommandArgs, requireExistingPaths } from './args.js';
import { EXIT_OK, EXIT_PARTIAL, EXIT_UNUSABLE } from './exit-codes.js';

const HELP = `Usage: quarry explain [options] RULE EVENT…

For each event, the rule's condition tree with every test marked [true], [false] or [missing]
(the event has no such field), computed with the detector's own matchers, and the rule's fields the
event does not carry (the usual reason a rule stays silent is a field mapping).
RULE is a rule file (every rule in it is explained). EVENT is a file (JSON, NDJSON, EVTX, W3C, …;
- for standard input) or an event written inline as JSON ('{"Image":"C:\\\\x.exe"}').
  --pipeline P          a built-in pipeline name or a pySigma pipeline YAML file (repeatable)
  --no-default-pipeline do not apply the built-in 'windows' pipeline
  --logsource SPEC      the log source of the events, e.g. product=windows,category=process_creation
  --format text|json    text (default) or one JSON object per event:
                        {"location","routing","rules":[{"rule","detected","explanation"}]}
Exit status: 0 explained; 2 usage error, the rule does not load or cannot run, or no event could be
read; 3 some inputs or records could not be read (each is reported).
`;

export async function explainCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...PIPELINE_OPTIONS,
      logsource: { type: 'string' },
      format: { type: 'string', default: 'text' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, not '${values.format}'`);
  const [rulePath, ...eventArgs] = positionals;
  if (!rulePath || eventArgs.length === 0) throw new UsageError('give a rule file and at least one event (a file, - or inline JSON)');
  requireExistingPaths([rulePath], 'rule file');
  const inline = new Map<number, LogEvent[]>();
  eventArgs.forEach((a, i) => {
    let events: LogEvent[] | null;
    try {
      events = inlineEvents(a);
    } catch (e) {
      throw new UsageError(`inline event ${i + 1}: ${(e as Error).message}`);
    }
    if (events) inline.set(i, events);
  });
  requireExistingPaths(eventArgs.filter((_, i) => !inline.has(i)), 'event file');
  let logsource;
  try {
    logsource = values.logsource ? parseLogsourceSpec(values.logsource) : undefined;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const pipelines = pipelinesOf(values);
  if (!pipelines) return EXIT_UNUSABLE;
  const col = loadSigmaPaths([rulePath]);
  for (const r of col.rejected) for (const d of r.diagnostics) if (d.severity === 'error') writeTerminal(process.stderr, formatDiagnostic(d) + '\n');
  const explainer = createExplainer(col, { pipelines, regex: re2Regex, ...(logsource ? { logsource } : {}) });
  for (const s of explainer.prepared.skipped) writeTerminal(process.stderr, `quarry explain: ${s.rule.file}: rule ${JSON.stringify(s.rule.title)} cannot run: ${s.reason}\n`);
  if (explainer.prepared.set.rules.length === 0) {
    writeTerminal(process.stderr, `quarry explain: no rule of ${rulePath} can run (${col.rules.length} loaded, ${col.rejected.length} rejected): nothing explained\n`);
    return EXIT_UNUSABLE;
  }
  const problems: SourceProblem[] = [];
  let events = 0;
  const emit = (ev: ExplainedEvent) => {
    events++;
    if (values.format === 'json') {
      process.stdout.write(stringifyExact({ location: ev.location, routing: ev.routing, rules: ev.rules }) + '\n');
    } else {
      writeTerminal(process.stdout, explainedEventText(ev).join('\n') + '\n\n');
    }
  };
  for (const [i, arg] of eventArgs.entries()) {
    const given = inline.get(i);
    if (given) explainer.explainEvents(given, `inline event ${i + 1}`).forEach(emit);
    else for await (const ev of explainer.explainFile(arg, problems)) emit(ev);
  }
  for (const p of problems) writeTerminal(process.stderr, `quarry explain: ${p.location.file}${p.location.record ? ` record ${p.location.record}` : p.location.line ? `:${p.location.line}` : ''}: ${p.message}\n`);
  if (events === 0) {
    writeTerminal(process.stderr, 'quarry explain: no event could be read: nothing explained\n');
    return EXIT_UNUSABLE;
  }
  return problems.length || col.rejected.length || explainer.prepared.skipped.length ? EXIT_PARTIAL : EXIT_OK;
}
