// DuckDB: RE2 regexes (as the engine), TRY_CAST, `[*COLUMNS(*)]` for a row's values, CIDR without
// the inet extension (downloaded at run time, which an offline machine cannot do): IPv4 as an
// integer range, IPv6 (and IPv4-mapped IPv6) through the address steps of ./ip-text.ts.
import { ConversionError } from '../../common/types.js';
import { ENGINE_NUMERIC_RE, noNul } from './shared.js';
import { addressIn, hexPrefixRegex, type IpSql } from './ip-text.js';
import type { SqlDialect } from './types.js';

// DuckDB's string literals take backslashes as themselves.
const str = (text: string): string => `'${noNul(text).replace(/'/g, "''")}'`;

const DUCKDB_IP: IpSql = {
  string: str,
  matches: (x, re) => `regexp_matches(${x}, ${str(re)})`,
  group: (x, re, n) => `regexp_extract(${x}, ${str(re)}, ${n})`,
  hex: (n) => `lower(hex(${n}))`,
  // The 32 hex digits of the address, compared with the network's leading digits.
  within6: (full, nets) => `regexp_matches(array_to_string(list_transform(string_split(lower(${full}), ':'), lambda _g: lpad(_g, 4, '0')), ''), ${str(hexPrefixRegex(nets))})`,
};

export const DUCKDB: SqlDialect = {
  target: 'sql',
  product: 'DuckDB',
  ident: (name) => `"${name.replace(/"/g, '""')}"`,
  string: str,
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
  correlation: { time: (x) => `TRY_CAST(${x} AS TIMESTAMP)`, windows: 'frame', distinct: true },
  number: (x) => `CASE WHEN regexp_full_match(${x}, ${DUCKDB.string(ENGINE_NUMERIC_RE)}) THEN TRY_CAST(${x} AS DOUBLE) END`,
  cidr: (x, nets, _where, keyword) => {
    // The address steps are a subquery, which DuckDB does not allow inside the keyword lambda.
    if (keyword) throw new ConversionError('unsupported-keyword', `a cidr keyword (${nets.map((n) => n.text).join(', ')}) cannot be searched for in every column in DuckDB`);
    return addressIn(DUCKDB_IP, x, nets);
  },
  anyColumn: (_table, pred) => `(len(list_filter([*COLUMNS(*)], lambda _v: ${pred('_v')})) > 0)`,
  isNotTrue: (e) => `(${e}) IS NOT TRUE`,
};
