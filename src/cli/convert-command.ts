// `quarry convert --target T --pipeline P… PATH…`: rules to queries, one per rule, or the reason
// a rule has none. Queries go to standard output; the summary goes to standard error.
import { loadSigmaPaths } from '../sigma/load.js';
import { NO_CACHE_OPTION, noCacheHelp, ruleLoadOptions } from './rule-cache-option.js';
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { listBuiltinPipelines } from '../pipeline/builtin.js';
import { convertCollection, failureSummary, INSIDE_CORRELATION } from '../backends/common/convert.js';
import { PipelineSpecError, resolveConvertPipelines } from '../backends/resolve-pipelines.js';
import { openConvertCache } from '../backends/convert-cache.js';
import { formatRefusals, renderRuleFormat } from '../backends/rule-formats.js';
import { TARGETS } from '../backends/targets.js';
import { renderTable } from '../report/text-table.js';
import { terminalText, writeTerminal } from '../report/terminal-text.js';
import { loadingProgress, terminalProgress } from './progress.js';
import { UsageError } from './usage.js';
import { parseCommandArgs, requireExistingPaths } from './args.js';
import { EXIT_OK, EXIT_PARTIAL, EXIT_UNUSABLE } from './exit-codes.js';

const targetLines = Object.entries(TARGETS)
  .map(([name, t]) => {
    const formats = Object.entries(t.backend.formats ?? {}).map(([f, rf]) => `\n    --format ${f}: ${rf.description}`);
    return `  ${name}: ${t.description}\n    pipelines: ${t.listPipelines().join(', ')}${formats.join('')}`;
  })
  .join('\n');

const HELP = `Usage: quarry convert --target T --pipeline P [--pipeline P…] [--format text|json] [--quiet] [--no-cache] PATH…

Converts Sigma rules (files or folders, recursively; Sigma filters found there are applied) into
queries. A rule that the target cannot express exactly is not converted: its reason is reported.
  --target T       the query language (below)
  --pipeline P     a pipeline of the target, a built-in pipeline (${listBuiltinPipelines().join(', ')}) or a
                   pySigma processing pipeline YAML file (repeatable; applied by priority)
  --format text    the queries, separated by a blank line and headed by a // comment when there are
                   several (default)
  --format json    one JSON object per line and rule: {"path","id","target","ok","query","notes"} or
                   {…,"ok":false,"error","code"}; notes say where a query reads events differently
                   from Sigma (otherwise printed on standard error)
  --format F       a rule file format of the target (below): the converted rules with their title,
                   description, severity (from level) and ATT&CK tactics and techniques
  --quiet          no summary on standard error
${noCacheHelp(19)}                   and convert every rule (by default each rule's result is kept there too and
                   reused while the rule, the target and the pipelines are unchanged;
                   QUARRY_CONVERT_CACHE=off turns off only that)
Exit status: 0 when every rule converted, 2 when none did (or a usage error, a missing path, no
rule file), 3 when some did not (partial; each reason is reported).

Targets:
${targetLines}
`;

export async function convertCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      pipeline: { type: 'string', multiple: true },
      format: { type: 'string', default: 'text' },
      quiet: { type: 'boolean', default: false },
      ...NO_CACHE_OPTION,
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const targetName = values.target;
  if (!targetName) throw new UsageError(`give --target (${Object.keys(TARGETS).join(', ')})`);
  const target = TARGETS[targetName];
  if (!target) throw new UsageError(`unknown target '${targetName}' (known: ${Object.keys(TARGETS).join(', ')})`);
  const format = values.format!;
  const ruleFormat = target.backend.formats?.[format];
  if (format !== 'text' && format !== 'json' && !ruleFormat) {
    throw new UsageError(`--format must be text, json${Object.keys(target.backend.formats ?? {}).map((f) => `, ${f}`).join('')} for ${targetName}, not '${format}'`);
  }
  // A target with a single pipeline (sql: `none`) needs no --pipeline; others must say which table family.
  const own = target.listPipelines();
  const specs = values.pipeline?.length ? values.pipeline : own.length === 1 ? own : [];
  if (specs.length === 0) throw new UsageError(`give --pipeline (for ${targetName}: ${own.join(', ')}, or a pipeline file)`);
  if (positionals.length === 0) throw new UsageError('give at least one rule file or folder');
  requireExistingPaths(positionals, 'rule path');
  const pipelines = pipelinesOrUsageError(targetName, specs);

  // a progress line on a terminal while a corpus loads (seconds for SigmaHQ); nothing in a pipe
  const progress = terminalProgress(!values.quiet);
  const col = loadSigmaPaths(positionals, { ...ruleLoadOptions(values['no-cache'], positionals), onFile: loadingProgress(progress) });
  progress.done();
  if (col.files === 0) throw new UsageError(`no rule files (*.yml, *.yaml) in ${positionals.join(', ')}`);
  // A rule format that does not hold correlation rules reports each as not converted.
  // Results of rules unchanged since the last run with this target and these pipelines are reused
  // (backends/convert-cache.ts), unless --no-cache, QUARRY_CACHE=off or QUARRY_CONVERT_CACHE=off.
  const cache = values['no-cache'] ? null : openConvertCache(targetName, target.backend, pipelines, col.filters);
  const all = convertCollection(col, target.backend, pipelines, { cache });
  cache?.save();
  const results = ruleFormat ? formatRefusals(target.backend, format, all) : all;
  const out: string[] = [];
  if (ruleFormat) {
    // Technique names come from the catalog's ATT&CK data: backends ship none. Imported here, as
    // only rule formats need it (about 10 ms of start-up otherwise).
    const { techniqueName } = await import('../catalog/attack.js');
    out.push(renderRuleFormat(target.backend, format, results, (id) => techniqueName(id)).replace(/\n$/, ''));
  } else if (format === 'json') {
    for (const { document: d, result: r } of results) {
      const base = { path: d.file, id: d.id ?? null, target: targetName, ok: r.ok };
      out.push(JSON.stringify(r.ok ? { ...base, query: r.query, notes: r.notes } : { ...base, error: r.error, code: r.code }));
    }
  } else {
    const many = results.length > 1;
    for (const { document: d, result: r } of results) {
      if (!r.ok) continue;
      out.push(many ? `// ${d.title} (${d.file})\n${r.query}` : r.query);
    }
  }
  // Queries are data: exact when redirected, control characters escaped when a person reads them on a
  // terminal (JSON escapes them itself).
  const shown = format !== 'json' && process.stdout.isTTY ? terminalText : (s: string) => s;
  if (out.length && out.some((o) => o.length)) process.stdout.write(shown(out.join(format === 'json' ? '\n' : '\n\n') + '\n'));

  // Notes on converted rules (what the query reads differently from Sigma) go to standard error,
  // even for one rule; in JSON they are in each line.
  if (!values.quiet && format !== 'json') {
    const notes = results.flatMap(({ document: d, result: r }) => (r.ok ? r.notes.map((n) => `${d.file}: note: ${n}`) : []));
    if (notes.length) writeTerminal(process.stderr, notes.join('\n') + '\n');
  }
  const failed = results.filter((x) => !x.result.ok && x.result.code !== INSIDE_CORRELATION);
  const inside = results.length - failed.length - results.filter((x) => x.result.ok).length;
  // One rule converted prints its query and nothing else; otherwise say what happened.
  if (!values.quiet && (results.length > 1 || failed.length > 0 || col.rejected.length > 0)) {
    const err: string[] = [];
    for (const d of col.diagnostics.filter((x) => x.severity === 'error')) err.push(formatDiagnostic(d));
    if (format !== 'json') for (const { document: d, result: r } of failed) if (!r.ok) err.push(`${d.file}: not converted [${r.code}] ${r.error}`);
    const converted = results.length - failed.length - inside;
    err.push(`${targetName} (${pipelines.map((p) => p.name).join(', ')}): ${converted} of ${results.length} rules converted, ${failed.length} not${inside ? `, ${inside} only inside their correlations (generate: false)` : ''}${col.rejected.length ? `; ${col.rejected.length} documents rejected by validation` : ''}`);
    if (failed.length > 1) {
      const rows = failureSummary(failed.map((x) => x.result)).map((g) => [g.code, String(g.count), g.example]);
      err.push(renderTable(['reason', 'rules', 'example'], rows, 100));
    }
    writeTerminal(process.stderr, err.join('\n') + '\n');
  }
  if (failed.length === results.length) return EXIT_UNUSABLE; // nothing converted (or no rule loaded)
  return failed.length || col.rejected.length ? EXIT_PARTIAL : EXIT_OK;
}

/** A pipeline the user named wrongly is a command-line mistake (exit status 2). */
function pipelinesOrUsageError(targetName: string, specs: readonly string[]) {
  try {
    return resolveConvertPipelines(targetName, specs);
  } catch (e) {
    if (e instanceof PipelineSpecError) throw new UsageError(e.message);
    throw e;
  }
}
