// The seam between checkers and the editor: a checker turns one file's text into findings, each a
// Quarry diagnostic with the fixes it can offer. The server publishes the diagnostics of every
// source and offers their fixes as code actions; the validator is one source, and `quarry lint`'s
// checks plug in as another (a FindingSource over its library function) without the server changing.
import type { Diagnostic, Span } from '../sigma/diagnostics.js';
import { suggestModifier } from '../sigma/modifiers.js';
import { lintDocument } from '../lint/lint.js';
import { findConfig, loadLintConfig } from '../lint/lint-files.js';
import { DEFAULT_CONFIG, type LintConfig } from '../lint/config.js';
import { dirname, isAbsolute } from 'node:path';

/** Replace the text of `span` (1-based, end exclusive, as every Quarry span) with `newText`. */
export interface TextEdit {
  span: Span;
  newText: string;
}

/** A safe change that resolves a finding; `title` is what the editor's menu shows. */
export interface Fix {
  title: string;
  edits: TextEdit[];
}

/** A diagnostic as the editor shows it: the validator's, or a lint check's (its id as the code). */
export type FindingDiagnostic = Omit<Diagnostic, 'code'> & { code: string };

export interface Finding {
  diagnostic: FindingDiagnostic;
  fixes: Fix[];
}

export interface FindingSource {
  /** Shown as the diagnostic's source in the editor (`quarry validate`, `quarry lint`). */
  name: string;
  findings(text: string, file: string): Finding[];
}

/** The text of a span within `lines` (a single-line span; a multi-line one is not a fix target here). */
function textOf(lines: readonly string[], span: Span): string | undefined {
  if (span.start.line !== span.end.line) return undefined;
  return lines[span.start.line - 1]?.slice(span.start.col - 1, span.end.col - 1);
}

/**
 * Fixes the validator's own hints make safe: a misspelt modifier with one likely meaning, and a
 * date in the Sigma v1 form. Each is derived from the text under the diagnostic, never from its
 * message, so a reworded message cannot break a fix.
 */
function validatorFixes(d: FindingDiagnostic, lines: readonly string[]): Fix[] {
  const span: Span = { start: { line: d.line, col: d.col }, end: { line: d.endLine, col: d.endCol } };
  const text = textOf(lines, span);
  if (text === undefined) return [];
  if (d.code === 'legacy-date-format') {
    const m = /^(['"]?)(\d{4})\/(\d{2})\/(\d{2})\1$/.exec(text);
    return m ? [{ title: `Write the date as ${m[2]}-${m[3]}-${m[4]}`, edits: [{ span, newText: `${m[2]}-${m[3]}-${m[4]}` }] }] : [];
  }
  if (d.code === 'unknown-modifier') {
    // The span is the field key `field|mod|mod`: replace each unknown modifier that has one likely meaning.
    // A quoted key ('Image|endwith':) is the same chain inside its quotes.
    const quoted = /^['"]/.test(text) && text.length > 1 && text.endsWith(text[0]!);
    const parts = (quoted ? text.slice(1, -1) : text).split('|');
    const edits: TextEdit[] = [];
    let col = d.col + (quoted ? 1 : 0) + parts[0]!.length + 1;
    const names: string[] = [];
    for (const m of parts.slice(1)) {
      const to = suggestModifier(m);
      if (to !== undefined && to !== m) {
        edits.push({ span: { start: { line: d.line, col }, end: { line: d.line, col: col + m.length } }, newText: to });
        names.push(`'${m}' → '${to}'`);
      }
      col += m.length + 1;
    }
    return edits.length ? [{ title: `Change modifier ${names.join(', ')}`, edits }] : [];
  }
  return [];
}

/**
 * `quarry lint` over one file's text, with the lint config that governs the file (the nearest
 * `.quarry-lint.yml`, as the command finds it). Its validity checks are the validator's diagnostics,
 * so this source replaces the validator's: a lint fix where the check has one, else the validator's.
 */
export function lintSource(configFor: (file: string) => LintConfig = configOfFile): FindingSource {
  return {
    name: 'quarry lint',
    findings(text, file) {
      const lines = text.split('\n');
      return lintDocument(text, file, configFor(file)).findings.map((f) => {
        const diagnostic: FindingDiagnostic = { file, line: f.range.start.line, col: f.range.start.col, endLine: f.range.end.line, endCol: f.range.end.col, severity: f.severity, code: f.check, message: f.message };
        const fixes = f.fix ? [{ title: f.fix.description, edits: f.fix.edits.map((e) => ({ span: e.range, newText: e.newText })) }] : validatorFixes(diagnostic, lines);
        return { diagnostic, fixes };
      });
    },
  };
}

/** The lint config of a file on disk (an unsaved buffer, or a broken config file, gets the defaults). */
function configOfFile(file: string): LintConfig {
  try {
    return loadLintConfig(isAbsolute(file) ? findConfig(dirname(file)) : undefined);
  } catch {
    return DEFAULT_CONFIG;
  }
}
