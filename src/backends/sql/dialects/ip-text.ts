// IP addresses in a text column read exactly as the engine reads them (src/sigma/cidr.ts), for the
// dialects without a usable address type at query time: DuckDB (its inet extension is downloaded
// at run time) and PostgreSQL (a cast of bad text to inet fails the whole query). The engine trims
// the text, then takes dotted IPv4 (octets of 1 to 3 digits, leading zeros allowed), or IPv6 with
// optional [brackets], a %zone suffix, groups of 1 to 4 hex digits, one `::`, and an IPv4 tail; an
// IPv4-mapped IPv6 address (::ffff:a.b.c.d in any spelling) belongs to IPv4 networks.
//
// The text is read once per field, whatever the number of networks (SigmaHQ lists up to a hundred):
// each step (trim, brackets and zone, the IPv4 tail as two hex groups, the number of groups) is a
// column of a nested derived table, so no step repeats the ones before it. An IPv6 text becomes
// `h:h:h:h:h:h:h:h` only where the engine's grammar holds, so text that is no address gives NULL,
// never an error.
import type { SigmaCidr } from '../../../ir/values.js';
import { formatIp, prefixMask } from '../../../ir/values.js';

/** What the address steps need from a dialect. */
export interface IpSql {
  string(text: string): string;
  /** Whether `x` matches the (anchored) regex; the patterns here mean the same in RE2 and ARE. */
  matches(x: string, re: string): string;
  /** Capture group n of the regex in `x`. */
  group(x: string, re: string, n: number): string;
  /** A non-negative integer as hex without leading zeros. */
  hex(n: string): string;
  /** `full` (`h:h:h:h:h:h:h:h`, 1 to 4 hex digits a group) inside one of the IPv6 networks. */
  within6(full: string, nets: readonly Network[]): string;
}

export interface Network {
  network: bigint;
  prefix: number;
}

/** One IPv4 octet as the engine reads it: 1 to 3 digits, leading zeros allowed, at most 255. */
const OCTET = '([01]?[0-9]?[0-9]|2[0-4][0-9]|25[0-5])';
const DOTTED = `^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`;
const WS = '[ \\t\\n\\r\\f\\v]';
/** Text ending in an IPv4 tail after the last colon: the part up to it, then the four octets. */
const TAIL = `^(.*:)${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`;
/** Hex groups with at most one `::` (how many groups there are is checked apart). */
const H = '[0-9A-Fa-f]{1,4}';
const GRAMMAR = `^(${H}(:${H})*)?(::(${H}(:${H})*)?)?$`;

/** `x` (any text, or NULL) inside one of the networks, as the engine decides it; NULL when x is no address. */
export function addressIn(d: IpSql, x: string, nets: readonly SigmaCidr[]): string {
  const v4 = nets.filter((n) => n.version === 4);
  // An IPv4 network holds the IPv4-mapped IPv6 addresses of its range (::ffff:0:0/96).
  const v6: Network[] = [...nets.filter((n) => n.version === 6), ...v4.map((n) => ({ network: (0xffffn << 32n) | n.network, prefix: 96 + n.prefix }))];
  const trimmed = `regexp_replace(${x}, ${d.string(`^${WS}+|${WS}+$`)}, '', 'g')`;
  // [brackets] around the whole text, then everything from the first `%` (a zone), go.
  const addr = `split_part(regexp_replace(_t.t, ${d.string('(?s)^\\[(.*)\\]$')}, '\\1'), '%', 1)`;
  const int = (s: string, re: string, first: number) => `CAST(${d.group(s, re, first)} AS BIGINT)`;
  const dotted = `CASE WHEN ${d.matches('_a.t', DOTTED)} THEN ${[16777216, 65536, 256, 1].map((m, i) => `${int('_a.t', DOTTED, i + 1)} * ${m}`).join(' + ')} END`;
  // The IPv4 tail a.b.c.d becomes the two groups (a*256+b):(c*256+d), as the engine rewrites it.
  const tail = `CASE WHEN ${d.matches('_a.a', TAIL)} THEN ${d.group('_a.a', TAIL, 1)} || ${d.hex(`${int('_a.a', TAIL, 2)} * 256 + ${int('_a.a', TAIL, 3)}`)} || ':' || ${d.hex(`${int('_a.a', TAIL, 4)} * 256 + ${int('_a.a', TAIL, 5)}`)} ELSE _a.a END`;
  // Eight hex groups without `::`, at most seven with it (it stands for the rest).
  const groups = `length(replace(regexp_replace(_b.v, '[0-9A-Fa-f]+', '#', 'g'), ':', ''))`;
  const ok = `${d.matches('_c.v', GRAMMAR)} AND CASE WHEN _c.v LIKE '%::%' THEN _c.e <= 7 ELSE _c.e = 8 END`;
  const full = `regexp_replace(replace(_c.v, '::', repeat(':0', 8 - _c.e) || ':'), '^:|:$', '', 'g')`;
  const tests = [
    ...v4.map((n) => `_c.n4 BETWEEN ${n.network} AND ${n.network | (~prefixMask(n.prefix, 32) & 0xffffffffn)}`),
    `CASE WHEN ${ok} THEN ${d.within6(full, v6)} END`,
  ];
  return (
    `(SELECT ${tests.join(' OR ')} FROM ` +
    `(SELECT _b.n4 AS n4, _b.v AS v, ${groups} AS e FROM ` +
    `(SELECT ${dotted} AS n4, ${tail} AS v FROM ` +
    `(SELECT _t.t AS t, ${addr} AS a FROM (SELECT ${trimmed} AS t) AS _t) AS _a) AS _b) AS _c)`
  );
}

/** A regex over the 32 hex digits of an address that holds when it is inside one of the networks. */
export function hexPrefixRegex(nets: readonly Network[]): string {
  const one = ({ network, prefix }: Network): string => {
    const hex = network.toString(16).padStart(32, '0');
    const whole = Math.floor(prefix / 4);
    const rest = prefix % 4;
    if (rest === 0) return hex.slice(0, whole);
    // The next digit agrees with the network's in its first `rest` bits.
    const mask = Number(prefixMask(rest, 4));
    const want = parseInt(hex[whole]!, 16) & mask;
    const digits = [...Array(16).keys()].filter((v) => (v & mask) === want).map((v) => v.toString(16));
    return `${hex.slice(0, whole)}[${digits.join('')}]`;
  };
  return `^(${nets.map(one).join('|')})`;
}

/** The network as PostgreSQL's cidr text. */
export function ipv6NetworkText({ network, prefix }: Network): string {
  return `${formatIp(6, network)}/${prefix}`;
}
