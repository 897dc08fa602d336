// The linter: texts in, findings out, each with an exact range and, where a safe one exists, a fix
// as text edits. `lintDocument` is what an editor calls for the one file it shows; `lintTexts` adds
// the checks across files (duplicate ids and titles). Reading files and the config is lint-files.ts.
import { relative, sep } from 'node:path';
import { addParsedFile, checkCollection, emptyCollection, parseSigmaText, type ParsedFile } from '../sigma/collection.js';
import { fileWarnings } from '../sigma/load.js';
import type { Diagnostic } from '../sigma/diagnostics.js';
import type { YMap } from '../sigma/yaml-tree.js';
import { LINT_CHECKS } from './catalogue.js';
import { DEFAULT_CONFIG, isDisabled, isIgnored, type LintConfig } from './config.js';
import { isSuppressed, readSuppressions } from './suppress.js';
import { validityFix } from './checks/validity.js';
import type { CheckGroup, Finding, LintedDocument } from './types.js';

export interface LintResult {
  /** Findings that stand, in file then position order. */
  findings: Finding[];
  /** Findings silenced by an inline comment or the config's `ignore`, counted per check. */
  suppressed: Map<string, number>;
}

const groupOf = new Map<string, CheckGroup>(LINT_CHECKS.map((c) => [c.id, c.group]));
const group = (check: string): CheckGroup => groupOf.get(check) ?? 'validity';

const toFinding = (d: Diagnostic, root: YMap | undefined, text: string): Finding => {
  const fix = validityFix(d, root, text);
  return { check: d.code, severity: d.severity, file: d.file, range: { start: { line: d.line, col: d.col }, end: { line: d.endLine, col: d.endCol } }, message: d.message, ...(fix ? { fix } : {}) };
};

interface FileRun {
  file: string;
  text: string;
  parsed: ParsedFile;
  documents: LintedDocument[];
  raw: Finding[];
}

/** Parses one text and runs the document checks; no config applied yet. `bytes`: as read from disk, when it was. */
function runFile(text: string, file: string, config: LintConfig, bytes: Buffer = Buffer.from(text)): FileRun {
  const parsed = parseSigmaText(text.replace(/^\uFEFF/, ''), file);
  // The warnings about the file as a whole (not UTF-8, no document), as the validator reports them.
  const raw: Finding[] = fileWarnings(file, bytes, text, parsed).map((d) => toFinding(d, undefined, text));
  const documents: LintedDocument[] = [];
  for (const entry of parsed.documents) {
    const root = entry.root?.kind === 'map' ? entry.root : undefined;
    for (const d of entry.diagnostics) raw.push(toFinding(d, root, text));
    if (!entry.document || !root) continue;
    documents.push({ doc: entry.document, root, file });
    for (const check of LINT_CHECKS) {
      if (check.scope !== 'document' || isDisabled(config, check.id, check.group)) continue;
      check.run({
        doc: entry.document,
        root,
        text,
        file,
        ...(config.taxonomy ? { taxonomy: config.taxonomy } : {}),
        report: (message, range, fix) => raw.push({ check: check.id, severity: check.severity, file, range, message, ...(fix ? { fix } : {}) }),
      });
    }
  }
  return { file, text, parsed, documents, raw };
}

const byPosition = (a: Finding, b: Finding) => a.range.start.line - b.range.start.line || a.range.start.col - b.range.start.col || a.check.localeCompare(b.check);

/** Applies the config (disabled checks, severities, ignored paths) and the file's inline comments. */
function settle(run: FileRun, extra: Finding[], config: LintConfig, result: LintResult): void {
  const inline = readSuppressions(run.text);
  const rel = relative(config.base, run.file).split(sep).join('/');
  const findings: Finding[] = [];
  for (const f of [...run.raw, ...extra]) {
    const g = group(f.check);
    if (isDisabled(config, f.check, g)) continue;
    if (isSuppressed(inline, f) || isIgnored(config, f, g, rel)) {
      result.suppressed.set(f.check, (result.suppressed.get(f.check) ?? 0) + 1);
      continue;
    }
    const s = config.severity.get(f.check);
    findings.push(s && s !== 'off' ? { ...f, severity: s } : f);
  }
  result.findings.push(...findings.sort(byPosition));
}

/** Lints one file's text on its own (no checks across files): what an editor shows for an open file. */
export function lintDocument(text: string, path: string, config: LintConfig = DEFAULT_CONFIG): LintResult {
  const result: LintResult = { findings: [], suppressed: new Map() };
  settle(runFile(text, path, config), [], config, result);
  return result;
}

/** Lints a set of files together: each on its own, then the checks across them. */
export function lintTexts(files: ReadonlyArray<{ file: string; text: string; bytes?: Buffer }>, config: LintConfig = DEFAULT_CONFIG, extraParsed: ParsedFile[] = []): LintResult {
  const runs = files.map((f) => runFile(f.text, f.file, config, f.bytes));
  const cross = new Map<string, Finding[]>();
  const add = (f: Finding) => cross.set(f.file, [...(cross.get(f.file) ?? []), f]);
  // The validator's checks across files (duplicate ids, unknown rules of filters and correlations).
  const col = emptyCollection();
  for (const p of [...extraParsed, ...runs.map((r) => r.parsed)]) addParsedFile(col, p);
  const before = col.diagnostics.length;
  checkCollection(col);
  for (const d of col.diagnostics.slice(before)) add(toFinding(d, undefined, ''));
  const documents = runs.flatMap((r) => r.documents);
  for (const check of LINT_CHECKS) {
    if (check.scope !== 'collection' || isDisabled(config, check.id, check.group)) continue;
    check.run({ documents, report: (file, message, range) => add({ check: check.id, severity: check.severity, file, range, message }) });
  }
  const result: LintResult = { findings: [], suppressed: new Map() };
  for (const r of runs) settle(r, cross.get(r.file) ?? [], config, result);
  // Paths that could not be read are findings too (a file with one rejected document).
  for (const p of extraParsed) for (const d of p.documents) for (const diag of d.diagnostics) result.findings.push(toFinding(diag, undefined, ''));
  return result;
}
