// `quarry explore`: serves the rule explorer (catalog, rule pages, tuning, coverage, hunt results)
// on 127.0.0.1 until interrupted. The work is in src/server.
import { startExplorer, DEFAULT_HOST, DEFAULT_PORT, ExplorerInputError } from '../server/index.js';
import { checkExplorer } from '../server/self-check.js';
import { UsageError } from './usage.js';
import { tuneTiering } from '../tuning/v8-tiering.js';
import { writeTerminal } from '../report/terminal-text.js';
import { shown } from './bundled.js';
import { parseCommandArgs } from './args.js';
import { NO_CACHE_OPTION, noCacheHelp } from './rule-cache-option.js';

const HELP = `Usage: quarry explore [--rules PATH…] [--hunt RESULTS…] [--port N] [--host H] [--attack FILE] [--no-cache]

Serves the rule explorer in the browser: catalog search and facets, rule pages with ATT&CK context,
translations with their validation status, exclusions saved as Sigma filter files, ATT&CK coverage,
and hunt results. Without --rules and --hunt it shows the bundled rules and a demo hunt over the
bundled sample logs.
  --rules PATH     rule files or folders (repeatable); Sigma filters found there apply, and
                   exclusions made in the explorer are written to PATH/filters/
  --hunt FILE      hunt results to show (repeatable): JSONL from 'quarry hunt --format jsonl' or a
                   DuckDB file from 'quarry hunt --format duckdb --output FILE'
  --demo           also run the demo hunt (the loaded rules over the bundled sample logs)
  --port N         port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host H         address to bind (default ${DEFAULT_HOST}; anything else exposes the explorer,
                   which can write filter files, to the network)
  --attack FILE    an ATT&CK STIX bundle (enterprise-attack.json) instead of the bundled ATT&CK data
  --check          start, request the page, the catalog, a rule page and the hunts over HTTP, report
                   them and stop (exit status 1 if one fails)
${noCacheHelp(19)}`;

export async function exploreCommand(argv: string[], opts: { signal?: AbortSignal } = {}): Promise<number> {
  const { values } = parseCommandArgs({
    args: argv,
    options: {
      rules: { type: 'string', multiple: true },
      hunt: { type: 'string', multiple: true },
      demo: { type: 'boolean', default: false },
      port: { type: 'string' },
      host: { type: 'string' },
      attack: { type: 'string' },
      check: { type: 'boolean', default: false },
      ...NO_CACHE_OPTION,
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  // A check needs no fixed port: a free one cannot collide with an explorer already running.
  const port = values.port === undefined ? (values.check ? 0 : DEFAULT_PORT) : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0 to 65535), not '${values.port}'`);
  let explorer;
  try {
    explorer = await startExplorer({
      rules: values.rules?.length ? values.rules : undefined,
      hunts: values.hunt ?? [],
      ...(values.demo ? { demo: true } : {}),
      port,
      host: values.host,
      attackFile: values.attack,
      cache: !values['no-cache'],
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') process.stderr.write(`quarry explore: port ${port} is in use (give another with --port, or --port 0 for a free one)\n`);
    else if (e instanceof ExplorerInputError || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') writeTerminal(process.stderr, `quarry explore: ${err.message}\n`);
    else throw e;
    return 1;
  }
  tuneTiering('event-loop'); // the rules are loaded: V8's default while serving (tuning/v8-tiering.ts)
  const s = explorer.state;
  writeTerminal(
    process.stderr,
    `Quarry explorer\n` +
      `  rules   ${s.col.rules.length} rules, ${s.col.correlations.length} correlations, ${s.col.filters.length} filters from ${s.roots.map((r) => shown(r.given)).join(', ') || '(none)'}; ${s.col.rejected.length} rejected\n` +
      `  attack  ATT&CK ${s.attack.version}\n` +
      `  hunts   ${explorer.hunts.length ? explorer.hunts.map((h) => `${h.label} (${h.records.length} detections${h.problems.count ? `, ${h.problems.count} bad lines` : ''})`).join('; ') : 'none'}\n` +
      `  ready in ${Math.round(explorer.startupMs.total)} ms${values.check ? '' : '; press Ctrl+C to stop'}\n\n`,
  );
  process.stdout.write(`${explorer.url}\n`);
  if (values.check) {
    const lines = await checkExplorer(explorer);
    await explorer.close();
    for (const l of lines) writeTerminal(process.stdout, `  ${l.ok ? 'ok  ' : 'FAIL'}  ${l.what}: ${l.detail}\n`);
    return lines.every((l) => l.ok) ? 0 : 1;
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    opts.signal?.addEventListener('abort', stop, { once: true });
  });
  await explorer.close();
  return 0;
}
