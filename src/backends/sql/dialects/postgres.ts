// PostgreSQL (15 and later): standard strings (a backslash is itself), POSIX ARE regexes through
// `~` (RE2 patterns translated, ./postgres-regex.ts), numbers through a regex-guarded CAST to numeric
// (PostgreSQL has no TRY_CAST and a failed cast fails the whole query), CIDR through `inet <<=` on
// text brought to a form inet always takes (IPv6: ./ip-text.ts),
// keyword search over the row's values as JSON text (`json_each_text(row_to_json(events))`).
import { ISO_TIME_RE, noNul } from './shared.js';
import type { SqlDialect } from './types.js';
import { postgresRegex } from './postgres-regex.js';
import { addressIn, ipv6NetworkText, type IpSql } from './ip-text.js';

/**
 * The engine's numeric text with PostgreSQL's own whitespace (numeric_in skips only the ASCII
 * white space) and an exponent of at most three digits (numeric_in refuses exponents beyond ±1000).
 */
const PG_NUMERIC_RE = '^[ \\t\\n\\r\\f\\v]*[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]{1,3})?[ \\t\\n\\r\\f\\v]*$';

const str = (text: string): string => `'${noNul(text).replace(/'/g, "''")}'`;

const POSTGRES_IP: IpSql = {
  string: str,
  matches: (x, re) => `${x} ~ ${str(re)}`,
  group: (x, re, n) => `(regexp_match(${x}, ${str(re)}))[${n}]`,
  hex: (n) => `to_hex(${n})`,
  // The text is h:h:h:h:h:h:h:h by now, which inet always takes: the cast cannot fail.
  within6: (full, nets) => `CAST(${full} AS inet) <<= ANY (ARRAY[${nets.map((n) => `inet ${str(ipv6NetworkText(n))}`).join(', ')}])`,
};

export const POSTGRES: SqlDialect = {
  target: 'postgres',
  product: 'PostgreSQL',
  ident: (name) => `"${noNul(name).replace(/"/g, '""')}"`,
  // Only text shaped like an ISO 8601 time with fields in range is cast, so that a log value cannot
  // make the query fail (PostgreSQL 15 has no error-free cast; a 30 February still would).
  correlation: {
    time: (x) => `CASE WHEN ${x} ~ ${str(ISO_TIME_RE)} THEN CAST(regexp_replace(${x}, '(\\.\\d{6})\\d+', '\\1') AS TIMESTAMPTZ) END`,
    windows: 'frame',
    // PostgreSQL has no count(DISTINCT …) over a window frame.
    distinct: false,
  },
  string: str,
  true: 'TRUE',
  false: 'FALSE',
  lower: (x) => `lower(${x})`,
  startsWith: (x, y) => `starts_with(${x}, ${y})`,
  endsWith: (x, y) => `(right(${x}, length(${y})) = ${y})`,
  contains: (x, y) => `(strpos(${x}, ${y}) > 0)`,
  like: (x, p) => `${x} LIKE ${str(p)} ESCAPE '\\'`,
  regex: (x, pattern, flags, where) => `${x} ~ ${str(postgresRegex(pattern, flags, where))}`,
  // CASE: PostgreSQL does not promise to evaluate `a AND b` left to right, and CAST fails on bad text.
  number: (x) => `CASE WHEN ${x} ~ ${str(PG_NUMERIC_RE)} THEN CAST(${x} AS numeric) END`,
  cidr: (x, nets) => addressIn(POSTGRES_IP, x, nets),
  anyColumn: (table, pred) => `EXISTS (SELECT 1 FROM json_each_text(row_to_json(${table})) AS _kv(_k, _v) WHERE ${pred('_v')})`,
  isNotTrue: (e) => `(${e}) IS NOT TRUE`,
};
