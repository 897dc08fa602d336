// `quarry lint PATH…`: the lint catalogue over rule files, as text, JSON or SARIF; `--fix` applies
// the safe fixes in place.
import { relative } from 'node:path';
import { renderTable } from '../report/text-table.js';
import { writeTerminal } from '../report/terminal-text.js';
import { allCheckDescriptions, describeCheck } from '../lint/catalogue.js';
import { LintConfigError } from '../lint/config.js';
import { CONFIG_FILE, findConfig, lintPaths, loadLintConfig } from '../lint/lint-files.js';
import { toSarif } from '../lint/sarif.js';
import type { Finding, Severity } from '../lint/types.js';
import { UsageError } from './usage.js';
import { parseCommandArgs, requireExistingPaths } from './args.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_PARTIAL } from './exit-codes.js';
import { VERSION } from './version.js';

const HELP = `Usage: quarry lint [--fix] [--format text|json|sarif] [--config FILE] [--taxonomy FILE]
                  [--fail-on error|warning|info] PATH…
       quarry lint --list-checks | --explain CHECK

Runs the lint catalogue over Sigma rule files (folders recursively): the validator's checks,
SigmaHQ's conventions and rule hygiene. Prints each finding as file:line:col, then the count per check.
  --fix          apply the safe fixes in place (formatting and comments kept), then report what is left
  --format F     text (default), json ({"files","findings":[…],"counts","suppressed","fixed"}), or
                 sarif (SARIF 2.1.0 for code scanning)
  --config FILE  the lint config (default: ${CONFIG_FILE} in the current folder or the nearest parent)
  --taxonomy F   fields by log source (SigmaHQ's tests/logsource.json format) for unknown-field
  --fail-on S    the lowest severity that makes the exit status 1 (default error)
Suppress one finding with a comment '# quarry-lint-disable CHECK' on its line (or the line before),
a whole file with '# quarry-lint-disable-file CHECK'.
Exit status: 0 no finding at --fail-on or above, 1 some, 2 usage error or bad config, 3 --fix could not write a file.
`;

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export async function lintCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: {
      fix: { type: 'boolean', default: false },
      format: { type: 'string', default: 'text' },
      config: { type: 'string' },
      taxonomy: { type: 'string' },
      'fail-on': { type: 'string', default: 'error' },
      'list-checks': { type: 'boolean', default: false },
      explain: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  if (values['list-checks']) {
    const rows = allCheckDescriptions().map((c) => [c.id, c.group, c.severity, c.fix ? 'yes' : '', c.message]);
    process.stdout.write(renderTable(['check', 'group', 'severity', 'fix', 'what'], rows, 100) + '\n');
    return EXIT_OK;
  }
  if (values.explain !== undefined) {
    const c = describeCheck(values.explain);
    if (!c) throw new UsageError(`no check '${values.explain}' (quarry lint --list-checks lists them)`);
    writeTerminal(process.stdout, `${c.id} (${c.group}, ${c.severity})\n${c.message}\n\n${c.docs}\n${c.fix ? `\nFix: ${c.fix}\n` : ''}`);
    return EXIT_OK;
  }
  const format = values.format;
  if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not '${format}'`);
  const failOn = values['fail-on'] as Severity;
  if (!(failOn in RANK)) throw new UsageError(`--fail-on must be error, warning or info, not '${failOn}'`);
  if (positionals.length === 0) throw new UsageError('give at least one rule file or folder');
  requireExistingPaths(positionals, 'rule path');
  if (values.config !== undefined) requireExistingPaths([values.config], 'config');
  if (values.taxonomy !== undefined) requireExistingPaths([values.taxonomy], 'taxonomy');
  let config;
  try {
    config = loadLintConfig(values.config ?? findConfig('.'), values.taxonomy);
  } catch (e) {
    if (e instanceof LintConfigError) throw new UsageError(e.message);
    throw e;
  }
  const run = lintPaths(positionals, config, { fix: values.fix });
  if (run.files === 0 && run.findings.length === 0) throw new UsageError(`no rule files (*.yml, *.yaml) in ${positionals.join(', ')}`);
  const counts = countBy(run.findings);

  if (format === 'sarif') {
    const rel = run.findings.map((f) => ({ ...f, file: relative('.', f.file) }));
    process.stdout.write(JSON.stringify(toSarif(rel, allCheckDescriptions(), VERSION), null, 2) + '\n');
  } else if (format === 'json') {
    process.stdout.write(JSON.stringify({ files: run.files, findings: run.findings, counts: Object.fromEntries(counts), suppressed: Object.fromEntries(run.suppressed), ...(run.fixed ? { fixed: run.fixed } : {}) }) + '\n');
  } else {
    for (const f of run.findings) writeTerminal(process.stdout, `${f.file}:${f.range.start.line}:${f.range.start.col}: ${f.severity} [${f.check}] ${f.message}${f.fix ? ' (fixable)' : ''}\n`);
    if (run.findings.length) process.stdout.write('\n');
    writeTerminal(process.stdout, summary(run, counts));
  }
  for (const f of run.fixed?.failed ?? []) writeTerminal(process.stderr, `quarry lint: cannot write ${f.file}: ${f.reason}\n`);
  if (run.fixed?.failed.length) return EXIT_PARTIAL;
  return run.findings.some((f) => RANK[f.severity] >= RANK[failOn]) ? EXIT_FINDINGS : EXIT_OK;
}

function countBy(findings: readonly Finding[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of findings) m.set(f.check, (m.get(f.check) ?? 0) + 1);
  return new Map([...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

function summary(run: ReturnType<typeof lintPaths>, counts: Map<string, number>): string {
  const fixable = run.findings.filter((f) => f.fix).length;
  const suppressed = [...run.suppressed.values()].reduce((a, b) => a + b, 0);
  const lines = [`${run.files} files: ${run.findings.length} findings (${fixable} fixable), ${suppressed} suppressed`];
  if (run.fixed) lines.push(`--fix: ${run.fixed.edits} edits in ${run.fixed.files} files${run.fixed.skipped ? `, ${run.fixed.skipped} fixable findings left (their edits overlap)` : ''}`);
  if (counts.size) {
    const rows = [...counts].map(([id, n]) => [id, describeCheck(id)?.severity ?? '', String(n), String(run.suppressed.get(id) ?? 0)]);
    lines.push('', renderTable(['check', 'severity', 'findings', 'suppressed'], rows, 90));
  }
  return lines.join('\n') + '\n';
}
