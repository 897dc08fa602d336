// DuckDB's identifiers and string literals (the `sql` target), kept for callers that load tables;
// other dialects' are in ./dialects.
import { DUCKDB } from './dialects/duckdb.js';
export { sqlNumber } from './render-expr.js';

export function sqlIdent(name: string): string {
  return DUCKDB.ident(name);
}

export function sqlString(text: string): string {
  return DUCKDB.string(text);
}
