// Diagnostics are the one currency of every check in Quarry: a located, coded, readable message.
import { DIAGNOSTIC_CODES, type DiagnosticCode } from './diagnostic-codes.js';

export type { DiagnosticCode } from './diagnostic-codes.js';
export type Severity = 'error' | 'warning' | 'info';

export interface Position {
  line: number; // 1-based
  col: number; // 1-based
}

/** A stretch of source text: `end` is exclusive (the position just after the last character). */
export interface Span {
  start: Position;
  end: Position;
}

/**
 * A located problem. `line`/`col` is where it starts (what `file:line:col` prints); `endLine`/`endCol`
 * is where it ends, exclusive and 1-based like the start, for editors that underline a range. Both
 * come from the YAML node the problem is about; when only a point is known (a missing attribute, a
 * file that cannot be read, a problem about a whole document), the end equals the start.
 */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  severity: Severity;
  /** Stable identifier, e.g. `unknown-modifier`; tools and tests key on it, never on the message. */
  code: DiagnosticCode;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity} [${d.code}] ${d.message}`;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

const isSpan = (at: Position | Span): at is Span => 'start' in at;

/**
 * One diagnostic at a point or over a span (the start of the file when neither is known), with the
 * catalogue's severity unless the producer has a reason to differ.
 */
export function diagnostic(file: string, code: DiagnosticCode, message: string, at?: Position | Span, severity: Severity = DIAGNOSTIC_CODES[code].severity): Diagnostic {
  const start = at === undefined ? { line: 1, col: 1 } : isSpan(at) ? at.start : at;
  const end = at !== undefined && isSpan(at) ? at.end : start;
  return { file, line: start.line, col: start.col, endLine: end.line, endCol: end.col, severity, code, message };
}

/** Collects diagnostics for one file; positions default to the start of the file. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  constructor(readonly file: string) {}

  /** Reports with the catalogue's severity for the code (see diagnostic-codes.ts). */
  report(code: DiagnosticCode, message: string, at?: Position | Span, severity?: Severity): void {
    this.items.push(diagnostic(this.file, code, message, at, severity));
  }
}
