// `quarry lsp`: the Sigma language server for editors, speaking LSP on standard input and output
// until the editor says `exit`. The work is in src/lsp.
import { startLanguageServer } from '../lsp/server.js';
import { parseCommandArgs } from './args.js';

const HELP = `Usage: quarry lsp [--stdio]

Runs the Sigma language server on standard input and output (the Language Server Protocol), for an
editor to start: diagnostics of the validator with exact ranges, hover (attributes, modifiers,
fields of the log source, ATT&CK tags), completion (attributes, log sources, fields, modifiers,
condition identifiers), document symbols and quick fixes. See README.md for VS Code and Neovim.
  --stdio   accepted for editors that pass it; standard input and output are the only transport
`;

export async function lspCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs({
    args: argv,
    allowPositionals: false,
    options: { stdio: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  // Standard output carries the protocol: nothing else may write there while the server runs. The
  // server ends the process itself (status 0 after the client's shutdown, 1 when the editor goes
  // away without one), so this promise does not settle.
  startLanguageServer(process.stdin, process.stdout);
  return new Promise<number>(() => {});
}
