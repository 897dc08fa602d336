// The `quarry` command: dispatches to subcommands. Commands are thin; the work is in the layers.
// Each command is imported when it runs: the explorer's server alone takes a quarter of a second to
// load, which `quarry hunt` (and every usage error) need not pay.
import { closeSharedPools } from '../sources/evtx/index.js';
import { VERSION } from './version.js';
import { OutputError, UsageError } from './usage.js';
import { systemReason } from './output.js';
import { EXIT_UNUSABLE } from './exit-codes.js';
import { writeTerminal } from '../report/terminal-text.js';
import { tuneTiering } from '../tuning/v8-tiering.js';

/** Commands whose work is, or starts with, a pass over the rules (a hunt and the explorer go back to V8's default when their rules are ready; tuning/v8-tiering.ts). */
const RULES_PASS_COMMANDS: ReadonlySet<string> = new Set(['convert', 'validate', 'lint', 'test', 'hunt', 'explore']);

const HELP = `quarry ${VERSION} — Sigma rules: explore, validate, test, explain, hunt, convert, stack

Usage:
  quarry explore [--rules PATH…] [--hunt FILE…] [--port N]
                                                   rule explorer in the browser (catalog, ATT&CK, tuning, hunts)
  quarry hunt [--rules PATH…] [options] [INPUT…]   hunt logs (JSON, EVTX, W3C, Squid, Zeek, CSV) with Sigma rules
  quarry serve --rules PATH… [--input -|http://HOST:PORT] [--output DEST]
                                                   live detection on a stream of NDJSON events
                   [--input nats://HOST:PORT/STREAM --output nats://HOST:PORT/SUBJECT --stage detect|correlate]
                                                   …scaled out on NATS JetStream (docs/serve-deployment.md)
  quarry publish --to nats://HOST:PORT/STREAM [--end] FILE…
                                                   JSON events into a JetStream stream (replays, trials)
  quarry validate [--format text|json] PATH…       check rules, report every problem at file:line:col
  quarry lint [--fix] [--format text|json|sarif] PATH…
                                                   lint rules: validity, SigmaHQ conventions, hygiene; safe fixes
  quarry convert --target T [--pipeline P] [--format F] PATH…
                                                   convert rules to queries: kql (Sentinel, Defender XDR),
                                                   spl, lucene, esql, eql, sql (DuckDB), postgres, clickhouse
  quarry test [--format text|json|junit] PATH…     run rules' regression tests (SigmaHQ info.yml, *.test.yml)
  quarry explain RULE EVENT…                       each event's condition tree: which tests hold, which fields are missing
  quarry stack --by FIELD [--where …|--rules …] INPUT…  count distinct values, rarest first
  quarry generate --format F --lines N [--seed S] --out FILE [--truth FILE]
                                                   realistic proxy/BITS sample logs with ground truth
  quarry lsp                                       Sigma language server for editors (LSP on standard input/output)
  quarry evtx dump FILE [--format jsonl|xml]       print the records of an EVTX file
  quarry evtx info FILE                            header, chunks, records and errors of an EVTX file

With no arguments, 'quarry explore' shows the bundled rules and a demo hunt over the bundled sample
logs, and 'quarry hunt' runs the bundled rules over the bundled sample logs.
Run 'quarry COMMAND --help' for the options of a command.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // loading, checking and converting rules first: V8 tuned for that (tuning/v8-tiering.ts)
  if (command !== undefined && RULES_PASS_COMMANDS.has(command)) tuneTiering('rules-pass');
  // `quarry … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    // A full or failing standard output (`> /dev/full`): one line, not a stack trace.
    process.stderr.write(`quarry${command ? ` ${command}` : ''}: cannot write standard output: ${systemReason(e)}\n`);
    process.exit(EXIT_UNUSABLE);
  });
  try {
    switch (command) {
      case 'hunt':
        return await (await import('./hunt-command.js')).huntCommand(rest);
      case 'serve':
        return await (await import('./serve-command.js')).serveCommand(rest);
      case 'publish':
        return await (await import('./publish-command.js')).publishCommand(rest);
      case 'validate':
        return await (await import('./validate-command.js')).validateCommand(rest);
      case 'lint':
        return await (await import('./lint-command.js')).lintCommand(rest);
      case 'stack':
        return await (await import('./stack-command.js')).stackCommand(rest);
      case 'convert':
        return await (await import('./convert-command.js')).convertCommand(rest);
      case 'explore':
        return await (await import('./explore-command.js')).exploreCommand(rest);
      case 'explain':
        return await (await import('./explain-command.js')).explainCommand(rest);
      case 'test':
        return await (await import('./test-command.js')).testCommand(rest);
      case 'generate':
        return await (await import('./generate-command.js')).generateCommand(rest);
      case 'lsp':
        return await (await import('./lsp-command.js')).lspCommand(rest);
      case 'evtx':
        return await (await import('./evtx-command.js')).evtxCommand(rest, process.stdout);
      case '--version':
      case 'version':
        process.stdout.write(VERSION + '\n');
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return 0;
      default:
        writeTerminal(process.stderr, `quarry: unknown command '${command}'\n\n${HELP}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof OutputError) {
      writeTerminal(process.stderr, `quarry ${command}: ${e.message}\n`);
      return EXIT_UNUSABLE;
    }
    throw e;
  } finally {
    await closeSharedPools();
  }
}
