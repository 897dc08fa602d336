// Diagnostics are the one currency of every check in Quarry: a located, coded, readable message.
export type Severity = 'error' | 'warning' | 'info';

export interface Position {
  line: number; // 1-based
  col: number; // 1-based
}

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: Severity;
  /** Stable identifier, e.g. `unknown-modifier`; tools and tests key on it, never on the message. */
  code: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity} [${d.code}] ${d.message}`;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** Collects diagnostics for one file; positions default to the start of the file. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  constructor(readonly file: string) {}

  add(severity: Severity, code: string, message: string, pos?: Position): void {
    this.items.push({ file: this.file, line: pos?.line ?? 1, col: pos?.col ?? 1, severity, code, message });
  }
  error(code: string, message: string, pos?: Position): void {
    this.add('error', code, message, pos);
  }
  warning(code: string, message: string, pos?: Position): void {
    this.add('warning', code, message, pos);
  }
}
