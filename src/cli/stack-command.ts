// `quarry stack --by FIELD …`: least-frequency analysis over inputs, optionally narrowed to the
// events that rules or a `--where` selection match.
import { loadSigmaPaths } from '../sigma/load.js';
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { stack, type StackRow } from '../hunt/stack.js';
import { STACK_DUCKDB_MEMORY_LIMIT, stackWithDuckDb } from '../hunt/stack-duckdb.js';
import { compileWhere, openStackInputs, stackDetector, WhereError } from '../hunt/stack-setup.js';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderTable } from '../report/text-table.js';
import { writeTerminal } from '../report/terminal-text.js';
import { csvCell } from '../report/detections-output.js';
import { stringifyExact } from '../json/stringify-exact.js';
import { resolvePipelines } from '../pipeline/resolve.js';
import { UsageError } from './usage.js';
import { NO_CACHE_OPTION, noCacheHelp, ruleLoadOptions } from './rule-cache-option.js';
import { parseCommandArgs, requireExistingPaths } from './args.js';
import { checkOutputFile } from './output.js';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, EXIT_UNUSABLE } from './exit-codes.js';

const HELP = `Usage: quarry stack --by FIELD [--rules PATH…] [--where 'FIELD|MODIFIERS=VALUE'…] [options] INPUT…

Counts the distinct values of FIELD among the events of the inputs, with the number of distinct
clients and the first and last time each value was seen, rarest first. FIELD may be a derived host
field such as cs-host@tld or RemoteName@domain.
  --rules PATH     keep only events that one of these rules matches (built-in windows pipeline applied)
  --where EXPR     keep only events where FIELD|MODIFIERS=VALUE holds; repeat for more conditions
                   (the same field repeated means any of its values; different fields must all hold)
  --client FIELD   the field naming the client (default: c-ip, src_ip, id.orig_h, Computer, …)
  --limit N        show the N rarest values (default: all)
  --format F       table (default), jsonl or csv
  --db FILE        stack through DuckDB and keep the selected events in FILE (table stack_events:
                   value, client, time, file, line, record, event as JSON, and with --rules the
                   titles of the rules that matched) for later queries.
                   Inputs of 1 GB or more are stacked through a temporary DuckDB database anyway.
  --duckdb         stack through a temporary DuckDB database whatever the input size
${noCacheHelp(19)}DuckDB stacks within a memory limit of ${STACK_DUCKDB_MEMORY_LIMIT} (spilling to disk beyond it); its temporary
database is removed at the end and on SIGINT or SIGTERM.
Exit status: 0 when every rule and input was used; 2 for a usage error, a missing path, no rule
that can run, no input that can be read or a --db file that cannot be written; 3 when some rules,
inputs or records could not be used; 130 when interrupted.
`;

export async function stackCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: {
      by: { type: 'string' },
      rules: { type: 'string', multiple: true },
      where: { type: 'string', multiple: true },
      client: { type: 'string' },
      limit: { type: 'string' },
      format: { type: 'string', default: 'table' },
      db: { type: 'string' },
      duckdb: { type: 'boolean', default: false },
      ...NO_CACHE_OPTION,
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.by) throw new UsageError('--by FIELD is required');
  if (!positionals.length) throw new UsageError('give at least one input file or folder');
  if (!['table', 'jsonl', 'csv'].includes(values.format!)) throw new UsageError('--format must be table, jsonl or csv');
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (!(limit > 0)) throw new UsageError('--limit must be a positive number');

  if (values.db) checkOutputFile(values.db, '--db');
  let detector;
  let unusedRules = 0;
  if (values.rules?.length) {
    requireExistingPaths(values.rules, '--rules');
    const col = loadSigmaPaths(values.rules, ruleLoadOptions(values['no-cache'], values.rules));
    for (const r of col.rejected) for (const d of r.diagnostics.filter((x) => x.severity === 'error')) writeTerminal(process.stderr, formatDiagnostic(d) + '\n');
    detector = stackDetector(col, resolvePipelines([], true).pipelines);
    const { set, skipped } = detector.prepared;
    for (const s of skipped) writeTerminal(process.stderr, `quarry stack: rule '${s.rule.title}' cannot run: ${s.reason}\n`);
    if (set.rules.length === 0) throw new UsageError(`no rule can run from --rules ${values.rules.join(', ')} (${col.rejected.length} rejected, ${skipped.length} cannot run)`);
    unusedRules = col.rejected.length + skipped.length;
  }
  let where;
  try {
    where = values.where?.length ? compileWhere(values.where) : undefined;
  } catch (e) {
    if (e instanceof WhereError) throw new UsageError(e.message);
    throw e;
  }

  const { sources, files, problems: openProblems } = await openStackInputs(positionals);
  for (const p of openProblems) writeTerminal(process.stderr, `quarry stack: ${p}\n`);
  if (sources.length === 0) {
    process.stderr.write('quarry stack: no input could be opened: nothing stacked\n');
    return EXIT_UNUSABLE;
  }
  const stackOpts = { by: values.by, client: values.client, detector, where: where?.predicate, whereFields: where?.fields };
  const large = totalSize(files) >= LARGE_INPUT;
  let engine = 'in memory';
  let result;
  if (values.db || values.duckdb || large) {
    // the temporary database and DuckDB's spill files live in one folder, removed however the stack ends
    const tmp = mkdtempSync(join(tmpdir(), 'quarry-stack-'));
    const cleanup = () => rmSync(tmp, { recursive: true, force: true });
    const onSignal = (sig: NodeJS.Signals) => {
      cleanup();
      process.stderr.write(`quarry stack: interrupted by ${sig}; temporary database removed\n`);
      process.exit(EXIT_INTERRUPTED);
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    const dbPath = values.db ?? join(tmp, 'stack.duckdb');
    try {
      result = await stackWithDuckDb(sources, stackOpts, dbPath, { tempDirectory: join(tmp, 'spill'), keepEvents: Boolean(values.db) });
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      cleanup();
    }
    engine = values.db ? `with DuckDB, events kept in ${values.db}` : `with DuckDB (${large ? 'large input' : '--duckdb'})`;
  } else result = await stack(sources, stackOpts);
  const rows = result.rows.slice(0, limit);
  const out = (s: string) => process.stdout.write(s);
  if (values.format === 'jsonl') for (const r of rows) out(stringifyExact(r) + '\n');
  else if (values.format === 'csv') {
    out('value,count,clients,first_seen,last_seen\n');
    for (const r of rows) out([r.value, String(r.count), String(r.clients), r.firstSeen ?? '', r.lastSeen ?? ''].map(csvCell).join(',') + '\n');
  } else {
    out(renderTable([values.by, 'count', 'clients', 'first seen', 'last seen'], rows.map(cells), 60) + '\n');
  }
  const problems = sources.reduce((n, s) => n + s.problemCount, 0);
  writeTerminal(process.stderr, `${result.rows.length} distinct values of ${values.by} in ${result.selected} selected events (${result.events} read, ${result.missing} selected without the field, ${problems} unreadable records), stacked ${engine}\n`);
  if (result.events === 0 && problems > 0) return EXIT_UNUSABLE; // every record unreadable: nothing stacked
  return unusedRules || openProblems.length || problems ? EXIT_PARTIAL : EXIT_OK;
}

/** Inputs this large are stacked through DuckDB, whose aggregation spills to disk. */
const LARGE_INPUT = 1 << 30;

function totalSize(files: string[]): number {
  let n = 0;
  for (const f of files) {
    try {
      if (f !== '-') n += statSync(f).size;
    } catch {
      // unreadable inputs are reported when opened
    }
  }
  return n;
}

function cells(r: StackRow): string[] {
  return [r.value, String(r.count), String(r.clients), r.firstSeen ?? '', r.lastSeen ?? ''];
}
