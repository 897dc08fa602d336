// PostgreSQL (15 and later): standard strings (a backslash is itself), POSIX ARE regexes through
// `~` (RE2 patterns translated, ./postgres-regex.ts), numbers through a regex-guarded CAST to numeric
// (PostgreSQL has no TRY_CAST and a failed cast fails the whole query), CIDR through `inet <<=`,
// keyword search over the row's values as JSON text (`json_each_text(row_to_json(events))`).
import { ConversionError } from '../../common/types.js';
import { formatIp } from '../../../ir/values.js';
import { IPV4_TEXT_RE, noNul } from './shared.js';
import type { SqlDialect } from './types.js';
import { postgresRegex } from './postgres-regex.js';

/**
 * The engine's numeric text with PostgreSQL's own whitespace (numeric_in skips only the ASCII
 * white space) and an exponent of at most three digits (numeric_in refuses exponents beyond ±1000).
 */
const PG_NUMERIC_RE = '^[ \\t\\n\\r\\f\\v]*[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]{1,3})?[ \\t\\n\\r\\f\\v]*$';

const str = (text: string): string => `'${noNul(text).replace(/'/g, "''")}'`;

export const POSTGRES: SqlDialect = {
  target: 'postgres',
  product: 'PostgreSQL',
  ident: (name) => `"${noNul(name).replace(/"/g, '""')}"`,
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
  cidr: (x, net, where) => {
    if (net.version !== 4) throw new ConversionError('cidr-unsupported', `the IPv6 network ${net.text} of ${where} is not rendered for PostgreSQL: version 15 has no cast to inet that leaves invalid text NULL (pg_input_is_valid is 16), and a failed cast fails the whole query`);
    // The octets (guarded by the regex, so every cast succeeds) added to 0.0.0.0: leading zeros
    // and an IPv4-mapped IPv6 prefix read as the engine reads them, which a cast of the text would not.
    const t = `substring(${x} from '[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+')`;
    const n = [16777216, 65536, 256, 1].map((m, i) => `split_part(${t}, '.', ${i + 1})::bigint * ${m}`).join(' + ');
    return `(CASE WHEN ${x} ~ ${str(IPV4_TEXT_RE)} THEN inet '0.0.0.0' + (${n}) END <<= inet ${str(`${formatIp(4, net.network)}/${net.prefix}`)})`;
  },
  anyColumn: (table, pred) => `EXISTS (SELECT 1 FROM json_each_text(row_to_json(${table})) AS _kv(_k, _v) WHERE ${pred('_v')})`,
  isNotTrue: (e) => `(${e}) IS NOT TRUE`,
};
