// SQL literals and identifiers for DuckDB: identifiers in double quotes (`"cs-host"`), strings in
// single quotes with `''` for a quote. DuckDB's string literals take backslashes as themselves.
import { ConversionError } from '../common/types.js';

export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function sqlString(text: string): string {
  // A NUL cannot be written in a SQL string literal.
  if (text.includes('\0')) throw new ConversionError('binary-value', 'a value containing a NUL character cannot be written as a SQL string literal');
  return `'${text.replace(/'/g, "''")}'`;
}

/** A finite number as a SQL numeric literal. */
export function sqlNumber(n: number): string {
  if (!Number.isFinite(n)) throw new ConversionError('unsupported-number', `the number ${n} has no SQL literal`);
  return String(n);
}
