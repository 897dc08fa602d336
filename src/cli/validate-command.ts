// `quarry validate PATH…`: every document of every rule file checked; a summary grouped by reason.
import { addParsedFile, checkCollection, emptyCollection, listRuleFiles, parseRuleListing, pipelineFilesNote, type ParsedFile } from '../sigma/load.js';
import { formatDiagnostic, hasErrors, type Diagnostic } from '../sigma/diagnostics.js';
import { renderTable } from '../report/text-table.js';
import { writeTerminal } from '../report/terminal-text.js';
import { loadingProgress, terminalProgress } from './progress.js';
import { UsageError } from './usage.js';
import { parseCommandArgs, requireExistingPaths } from './args.js';
import { EXIT_FINDINGS, EXIT_OK } from './exit-codes.js';
import { NO_CACHE_OPTION, noCacheHelp, ruleLoadOptions } from './rule-cache-option.js';

const HELP = `Usage: quarry validate [--format text|json] [--quiet] [--no-cache] PATH…

Checks Sigma rules, filters and correlation rules (files or folders, recursively). Prints every
problem as file:line:col, then a summary of what loaded, what loaded with warnings and what was
rejected, grouped by reason. Exit status: 0 when every document loaded, 1 when any is rejected
(a path in a folder that cannot be read counts as one), 2 for a usage error, a missing path or no rule file.
  --format json   one JSON object per file: {"file","diagnostics"?,"documents":[{"index","kind","title","id","status","diagnostics"}]};
                  a diagnostic is {"file","line","col","endLine","endCol","severity","code","message"} (end exclusive)
  --quiet         print errors only (warnings are still counted)
${noCacheHelp(18)}`;

export async function validateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'text' }, quiet: { type: 'boolean', default: false }, ...NO_CACHE_OPTION, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give at least one rule file or folder');
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, not '${values.format}'`);
  requireExistingPaths(positionals, 'rule path');
  const col = emptyCollection();
  // a progress line on a terminal while a corpus loads (seconds for SigmaHQ); nothing in a pipe
  const progress = terminalProgress(!values.quiet);
  const listing = listRuleFiles(positionals);
  const parsed = parseRuleListing(listing, { ...ruleLoadOptions(values['no-cache'], positionals), onFile: loadingProgress(progress) });
  progress.done();
  if (parsed.length === 0) throw new UsageError(`no rule files (*.yml, *.yaml) in ${positionals.join(', ')}`);
  for (const p of parsed) addParsedFile(col, p);
  const before = col.diagnostics.length;
  checkCollection(col);
  const crossFile = col.diagnostics.slice(before);

  if (values.format === 'json') {
    for (const p of parsed) {
      const documents = p.documents.map((d) => ({
        index: d.docIndex,
        kind: d.document?.kind ?? null,
        title: d.document?.title ?? null,
        id: d.document?.id ?? null,
        status: hasErrors(d.diagnostics) || !d.document ? 'rejected' : d.diagnostics.length ? 'warnings' : 'ok',
        diagnostics: [...d.diagnostics, ...crossFile.filter((x) => x.file === p.file)],
      }));
      process.stdout.write(JSON.stringify({ file: p.file, ...(p.pipeline ? { pipeline: true } : {}), ...(p.fileDiagnostics ? { diagnostics: p.fileDiagnostics } : {}), documents }) + '\n');
    }
  } else {
    const shown = col.diagnostics.filter((d) => !values.quiet || d.severity === 'error');
    // Diagnostics quote rule text: shown with its control characters escaped (JSON keeps it exact).
    for (const d of shown) writeTerminal(process.stdout, formatDiagnostic(d) + '\n');
    if (shown.length) process.stdout.write('\n');
    writeTerminal(process.stdout, summary(parsed, col.diagnostics, col.rejected.length, { rules: col.rules.length, filters: col.filters.length, correlations: col.correlations.length }));
    // Rule test files sit beside rules and are not rules: counted, so none is passed over unseen.
    const tests = listing.tests.length;
    if (tests) process.stdout.write(`${tests} rule test files (*.test.yml) not validated here: quarry test runs them\n`);
    if (col.pipelineFiles.length) writeTerminal(process.stdout, `${pipelineFilesNote(col.pipelineFiles)}: not validated as rules (pass them with --pipeline)\n`);
  }
  return col.rejected.length ? EXIT_FINDINGS : EXIT_OK;
}

function summary(parsed: ParsedFile[], diagnostics: Diagnostic[], rejected: number, loaded: { rules: number; filters: number; correlations: number }): string {
  const docs = parsed.reduce((n, p) => n + p.documents.length, 0);
  const withWarnings = parsed.reduce((n, p) => n + p.documents.filter((d) => d.document && !hasErrors(d.diagnostics) && d.diagnostics.length).length, 0);
  const lines = [
    `${parsed.length} files, ${docs} documents: ${loaded.rules} rules, ${loaded.filters} filters, ${loaded.correlations} correlations loaded (${withWarnings} with warnings); ${rejected} rejected`,
  ];
  const group = (severity: 'error' | 'warning') => {
    const counts = new Map<string, { n: number; example: string }>();
    for (const d of diagnostics.filter((x) => x.severity === severity)) {
      const c = counts.get(d.code) ?? { n: 0, example: d.message };
      c.n++;
      counts.set(d.code, c);
    }
    return [...counts].sort((a, b) => b[1].n - a[1].n).map(([code, c]) => [code, String(c.n), c.example]);
  };
  const errors = group('error');
  const warnings = group('warning');
  if (errors.length) lines.push('', 'Rejected, by reason:', renderTable(['code', 'count', 'example'], errors, 90));
  if (warnings.length) lines.push('', 'Warnings, by reason:', renderTable(['code', 'count', 'example'], warnings, 90));
  return lines.join('\n') + '\n';
}
