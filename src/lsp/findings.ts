// The seam between checkers and the editor: a checker turns one file's text into findings, each a
// Quarry diagnostic with the fixes it can offer. The server publishes the diagnostics of every
// source and offers their fixes as code actions; the validator is one source, and `quarry lint`'s
// checks plug in as another (a FindingSource over its library function) without the server changing.
import { parseSigmaText } from '../sigma/collection.js';
import type { Diagnostic, Span } from '../sigma/diagnostics.js';
import { suggestModifier } from '../sigma/modifiers.js';

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

export interface Finding {
  diagnostic: Diagnostic;
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
function validatorFixes(d: Diagnostic, lines: readonly string[]): Fix[] {
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

/** The validator (parsing plus the checks of sigma/checks.ts) over one file's text. */
export const validatorSource: FindingSource = {
  name: 'quarry validate',
  findings(text, file) {
    const lines = text.split('\n');
    return parseSigmaText(text, file).documents.flatMap((d) => d.diagnostics.map((diagnostic) => ({ diagnostic, fixes: validatorFixes(diagnostic, lines) })));
  },
};
