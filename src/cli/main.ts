// The `quarry` command: dispatches to subcommands. Commands are thin; the work is in the layers.
import { validateCommand } from './validate-command.js';
import { huntCommand } from './hunt-command.js';
import { stackCommand } from './stack-command.js';
import { convertCommand } from './convert-command.js';
import { exploreCommand } from './explore-command.js';
import { generateCommand } from './generate-command.js';
import { evtxCommand } from './evtx-command.js';
import { closeSharedPools } from '../sources/evtx/index.js';
import { VERSION } from './version.js';
import { UsageError } from './usage.js';
import { writeTerminal } from '../report/terminal-text.js';

const HELP = `quarry ${VERSION} — Sigma rules: explore, validate, hunt, convert, stack

Usage:
  quarry explore [--rules PATH…] [--hunt FILE…] [--port N]
                                                   rule explorer in the browser (catalog, ATT&CK, tuning, hunts)
  quarry hunt [--rules PATH…] [options] [INPUT…]   hunt logs (JSON, EVTX, W3C, Squid, Zeek, CSV) with Sigma rules
  quarry validate [--format text|json] PATH…       check rules, report every problem at file:line:col
  quarry convert --target T [--pipeline P] [--format F] PATH…
                                                   convert rules to queries: kql (Sentinel, Defender XDR),
                                                   spl, lucene, esql, eql, sql (DuckDB), postgres, clickhouse
  quarry stack --by FIELD [--where …|--rules …] INPUT…  count distinct values, rarest first
  quarry generate --format F --lines N [--seed S] --out FILE [--truth FILE]
                                                   realistic proxy/BITS sample logs with ground truth
  quarry evtx dump FILE [--format jsonl|xml]       print the records of an EVTX file
  quarry evtx info FILE                            header, chunks, records and errors of an EVTX file

With no arguments, 'quarry explore' shows the bundled rules and a demo hunt over the bundled sample
logs, and 'quarry hunt' runs the bundled rules over the bundled sample logs.
Run 'quarry COMMAND --help' for the options of a command.
`;

export async function main(argv: string[]): Promise<number> {
  // `quarry … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'hunt':
        return await huntCommand(rest);
      case 'validate':
        return await validateCommand(rest);
      case 'stack':
        return await stackCommand(rest);
      case 'convert':
        return await convertCommand(rest);
      case 'explore':
        return await exploreCommand(rest);
      case 'generate':
        return await generateCommand(rest);
      case 'evtx':
        return await evtxCommand(rest, process.stdout);
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
    if (e instanceof UsageError) {
      writeTerminal(process.stderr, `quarry ${command}: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    await closeSharedPools();
  }
}
