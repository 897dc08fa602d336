// ClickHouse: backslash escapes in string literals, backquoted identifiers, RE2 regexes through
// match() (where `.` matches a newline unless `(?-s)`), lowerUTF8, toFloat64OrNull behind the
// engine's numeric regex, IPv4 networks as an integer range, keyword search over `array(*)` (every
// column of the row, which must all be Nullable(String): see README.md).
import { ConversionError } from '../../common/types.js';
import { prefixMask } from '../../../ir/values.js';
import { ENGINE_NUMERIC_RE, IPV4_TEXT_RE, ISO_TIME_RE, noNul } from './shared.js';
import type { SqlDialect } from './types.js';

// Control characters escaped too: clickhouse-client's multi-query mode (18.16) does not read a raw
// newline inside a quoted string of inline INSERT data.
const ESC: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const str = (text: string): string => `'${noNul(text).replace(/[\\'\n\r\t]/g, (c) => ESC[c]!)}'`;

export const CLICKHOUSE: SqlDialect = {
  target: 'clickhouse',
  product: 'ClickHouse',
  ident: (name) => `\`${noNul(name).replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``,
  string: str,
  true: '1',
  false: '0',
  lower: (x) => `lowerUTF8(${x})`,
  startsWith: (x, y) => `startsWith(${x}, ${y})`,
  endsWith: (x, y) => `endsWith(${x}, ${y})`,
  contains: (x, y) => `(positionUTF8(${x}, ${y}) > 0)`,
  // ClickHouse's LIKE escapes with a backslash and has no ESCAPE clause.
  like: (x, p) => `${x} LIKE ${str(p)}`,
  regex: (x, pattern, f) => {
    const on = (f.i ? 'i' : '') + (f.m ? 'm' : '') + (f.s ? 's' : '');
    return `match(${x}, ${str(`(?${on}${f.s ? '' : '-s'})${pattern}`)})`;
  },
  // toFloat64OrNull reads neither padding nor a leading `+`: the regex admits what the engine does,
  // then both are cut.
  number: (x) => `if(match(${x}, ${str(ENGINE_NUMERIC_RE)}), toFloat64OrNull(replaceRegexpAll(${x}, ${str('^\\s*\\+?|\\s+$')}, '')), NULL)`,
  cidr: (x, nets, where) => {
    const tests = nets.map((net) => {
      if (net.version !== 4) throw new ConversionError('cidr-unsupported', `the IPv6 network ${net.text} of ${where} is not rendered for ClickHouse (no validated IPv6 guard yet)`);
      const lo = net.network;
      const hi = net.network | (~prefixMask(net.prefix, 32) & 0xffffffffn);
      // extractAll finds the four octets (an IPv4-mapped prefix `::ffff:` has no digits).
      const o = (i: number) => `toUInt64OrZero(extractAll(ifNull(${x}, ''), '[0-9]+')[${i}])`;
      return `if(match(${x}, ${str(IPV4_TEXT_RE)}), (${o(1)} * 16777216 + ${o(2)} * 65536 + ${o(3)} * 256 + ${o(4)}) BETWEEN ${lo} AND ${hi}, 0)`;
    });
    return tests.length === 1 ? tests[0]! : `(${tests.join(' OR ')})`;
  },
  // `*` inside a function's arguments expands to every column; a lambda must return UInt8, not NULL.
  anyColumn: (_table, pred) => `arrayExists(_v -> ifNull(${pred('_v')}, 0), array(*))`,
  isNotTrue: (e) => `not(ifNull(${e}, 0))`,
  // 18.16 has no window functions, no WITH queries and DateTime in whole seconds: a time is epoch
  // milliseconds (the seconds of parseDateTimeBestEffort, in UTC unless the text has an offset, plus
  // the first three digits of the fraction), read only from ISO 8601 text (the best-effort parser
  // reads any text as some time).
  correlation: {
    time: (x) =>
      `if(match(${x}, ${str(ISO_TIME_RE)}), toInt64(toUnixTimestamp(parseDateTimeBestEffortOrNull(${x}, 'UTC'))) * 1000 + toInt64(substring(concat(extract(${x}, ${str('\\.(\\d+)')}), '000'), 1, 3)), NULL)`,
    windows: 'join',
    // count(DISTINCT …) is uniqExact in ClickHouse, NULLs left out as elsewhere.
    distinct: true,
  },
};
