// DuckDB: RE2 regexes (as the engine), TRY_CAST, `[*COLUMNS(*)]` for a row's values, no CIDR (the
// inet extension is downloaded at run time, which an offline machine cannot do).
import { ConversionError } from '../../common/types.js';
import { ENGINE_NUMERIC_RE, noNul } from './shared.js';
import type { SqlDialect } from './types.js';

export const DUCKDB: SqlDialect = {
  target: 'sql',
  product: 'DuckDB',
  ident: (name) => `"${name.replace(/"/g, '""')}"`,
  // DuckDB's string literals take backslashes as themselves.
  string: (text) => `'${noNul(text).replace(/'/g, "''")}'`,
  true: 'TRUE',
  false: 'FALSE',
  lower: (x) => `lower(${x})`,
  startsWith: (x, y) => `starts_with(${x}, ${y})`,
  endsWith: (x, y) => `suffix(${x}, ${y})`,
  contains: (x, y) => `contains(${x}, ${y})`,
  like: (x, p) => `${x} LIKE ${DUCKDB.string(p)} ESCAPE '\\'`,
  regex: (x, pattern, f) => {
    const flags = (f.i ? 'i' : '') + (f.m ? 'm' : '') + (f.s ? 's' : '');
    return `regexp_matches(${x}, ${DUCKDB.string((flags ? `(?${flags})` : '') + pattern)})`;
  },
  // The regex keeps out what DuckDB casts but the engine does not read as a number (`1_000`, `inf`).
  number: (x) => `CASE WHEN regexp_full_match(${x}, ${DUCKDB.string(ENGINE_NUMERIC_RE)}) THEN TRY_CAST(${x} AS DOUBLE) END`,
  cidr: () => {
    throw new ConversionError('cidr-unsupported', "cidr not supported in the SQL target (DuckDB's inet extension is not available offline)");
  },
  anyColumn: (_table, pred) => `(len(list_filter([*COLUMNS(*)], lambda _v: ${pred('_v')})) > 0)`,
  isNotTrue: (e) => `(${e}) IS NOT TRUE`,
};
