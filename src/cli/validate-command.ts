// `quarry validate PATH…`: every document of every rule file checked; a summary grouped by reason.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { addParsedFile, checkCollection, emptyCollection, listRuleFiles, parseSigmaText, type ParsedFile } from '../sigma/load.js';
import { diagnostic, formatDiagnostic, hasErrors, type Diagnostic } from '../sigma/diagnostics.js';
import { renderTable } from '../report/text-table.js';
import { writeTerminal } from '../report/terminal-text.js';
import { UsageError } from './usage.js';

const HELP = `Usage: quarry validate [--format text|json] [--quiet] PATH…

Checks Sigma rules, filters and correlation rules (files or folders, recursively). Prints every
problem as file:line:col, then a summary of what loaded, what loaded with warnings and what was
rejected, grouped by reason. Exits 1 when any document is rejected.
  --format json   one JSON object per file: {"file","documents":[{"index","kind","title","id","status","diagnostics"}]};
                  a diagnostic is {"file","line","col","endLine","endCol","severity","code","message"} (end exclusive)
  --quiet         print errors only (warnings are still counted)
`;

export async function validateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'text' }, quiet: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give at least one rule file or folder');
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, not '${values.format}'`);
  let files: string[];
  try {
    files = listRuleFiles(positionals);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const col = emptyCollection();
  const parsed: ParsedFile[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    } catch (e) {
      text = '';
      const p: ParsedFile = { file, documents: [{ document: null, docIndex: 0, diagnostics: [diagnostic(file, 'unreadable', (e as Error).message)] }] };
      parsed.push(p);
      addParsedFile(col, p);
      continue;
    }
    const p = parseSigmaText(text, file);
    parsed.push(p);
    addParsedFile(col, p);
  }
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
      process.stdout.write(JSON.stringify({ file: p.file, documents }) + '\n');
    }
  } else {
    const shown = col.diagnostics.filter((d) => !values.quiet || d.severity === 'error');
    // Diagnostics quote rule text: shown with its control characters escaped (JSON keeps it exact).
    for (const d of shown) writeTerminal(process.stdout, formatDiagnostic(d) + '\n');
    if (shown.length) process.stdout.write('\n');
    writeTerminal(process.stdout, summary(parsed, col.diagnostics, col.rejected.length, { rules: col.rules.length, filters: col.filters.length, correlations: col.correlations.length }));
  }
  return col.rejected.length ? 1 : 0;
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
