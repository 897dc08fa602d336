// `quarry convert --target T --pipeline P… PATH…`: rules to queries, one per rule, or the reason
// a rule has none. Queries go to standard output; the summary goes to standard error.
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { loadSigmaPaths } from '../sigma/load.js';
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { builtinPipeline, listBuiltinPipelines } from '../pipeline/builtin.js';
import { loadPipelineFile } from '../pipeline/load-file.js';
import type { ProcessingPipeline } from '../pipeline/types.js';
import { convertCollection, failureSummary, type ConvertedRule } from '../backends/common/convert.js';
import { ruleMeta } from '../backends/common/rule-meta.js';
import { techniqueName } from '../catalog/attack.js';
import type { Backend } from '../backends/common/types.js';
import { TARGETS } from '../backends/targets.js';
import { renderTable } from '../report/text-table.js';
import { UsageError } from './usage.js';

const targetLines = Object.entries(TARGETS)
  .map(([name, t]) => {
    const formats = Object.entries(t.backend.formats ?? {}).map(([f, rf]) => `\n    --format ${f}: ${rf.description}`);
    return `  ${name}: ${t.description}\n    pipelines: ${t.listPipelines().join(', ')}${formats.join('')}`;
  })
  .join('\n');

const HELP = `Usage: quarry convert --target T --pipeline P [--pipeline P…] [--format text|json] [--quiet] PATH…

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
Exit status: 0 when every rule converted, 1 when some did not, 2 for a usage error.

Targets:
${targetLines}
`;

export async function convertCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      pipeline: { type: 'string', multiple: true },
      format: { type: 'string', default: 'text' },
      quiet: { type: 'boolean', default: false },
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
  const pipelines = resolveConvertPipelines(targetName, specs);

  const col = loadSigmaPaths(positionals);
  const results = convertCollection(col, target.backend, pipelines);
  const out: string[] = [];
  if (ruleFormat) {
    out.push(renderRuleFormat(target.backend, format, results).replace(/\n$/, ''));
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
  if (out.length && out.some((o) => o.length)) process.stdout.write(out.join(format === 'json' ? '\n' : '\n\n') + '\n');

  // Notes on converted rules (what the query reads differently from Sigma) go to standard error,
  // even for one rule; in JSON they are in each line.
  if (!values.quiet && format !== 'json') {
    const notes = results.flatMap(({ document: d, result: r }) => (r.ok ? r.notes.map((n) => `${d.file}: note: ${n}`) : []));
    if (notes.length) process.stderr.write(notes.join('\n') + '\n');
  }
  const failed = results.filter((x) => !x.result.ok);
  // One rule converted prints its query and nothing else; otherwise say what happened.
  if (!values.quiet && (results.length > 1 || failed.length > 0 || col.rejected.length > 0)) {
    const err: string[] = [];
    for (const d of col.diagnostics.filter((x) => x.severity === 'error')) err.push(formatDiagnostic(d));
    if (format !== 'json') for (const { document: d, result: r } of failed) if (!r.ok) err.push(`${d.file}: not converted [${r.code}] ${r.error}`);
    const converted = results.length - failed.length;
    err.push(`${targetName} (${pipelines.map((p) => p.name).join(', ')}): ${converted} of ${results.length} rules converted, ${failed.length} not${col.rejected.length ? `; ${col.rejected.length} documents rejected by validation` : ''}`);
    if (failed.length > 1) {
      const rows = failureSummary(failed.map((x) => x.result)).map((g) => [g.code, String(g.count), g.example]);
      err.push(renderTable(['reason', 'rules', 'example'], rows, 100));
    }
    process.stderr.write(err.join('\n') + '\n');
  }
  return failed.length || col.rejected.length ? 1 : 0;
}

/** The converted rules of a conversion in one of the backend's rule file formats. */
export function renderRuleFormat(backend: Backend, format: string, results: readonly ConvertedRule[]): string {
  const rf = backend.formats?.[format];
  if (!rf) throw new Error(`${backend.target} has no format '${format}'`);
  const rules = [];
  for (const { document: d, result: r } of results) {
    // Technique names come from the catalog's ATT&CK data: backends ship none.
    if (r.ok && d.kind === 'rule') rules.push({ meta: ruleMeta(d, (id) => techniqueName(id)), query: r.query, state: r.state, pipelines: r.pipelines });
  }
  return rf.render(rules);
}

/** Target pipelines (with the built-ins they build on), then built-in pipelines, then files. */
export function resolveConvertPipelines(targetName: string, specs: readonly string[]): ProcessingPipeline[] {
  const target = TARGETS[targetName]!;
  const out: ProcessingPipeline[] = [];
  const seen = new Set<string>();
  const add = (key: string, p: ProcessingPipeline) => {
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };
  for (const spec of specs) {
    const own = existsSync(spec) ? null : target.pipeline(spec);
    if (own) {
      for (const b of target.bases(spec)) add(`builtin:${b}`, builtinPipeline(b)!);
      add(`${targetName}:${spec}`, own);
      continue;
    }
    const builtin = existsSync(spec) ? null : builtinPipeline(spec);
    if (builtin) {
      add(`builtin:${spec}`, builtin);
      continue;
    }
    if (!existsSync(spec)) throw new UsageError(`no pipeline '${spec}': not a ${targetName} pipeline (${target.listPipelines().join(', ')}), a built-in one (${listBuiltinPipelines().join(', ')}) or a file`);
    const r = loadPipelineFile(spec);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (!r.pipeline || errors.length) throw new UsageError(`pipeline ${spec} is invalid:\n${errors.map(formatDiagnostic).join('\n')}`);
    add(`file:${spec}`, r.pipeline);
  }
  return out;
}
