// CIDR cases for the SQL differential tests (DuckDB in sql.test.ts, PostgreSQL in postgres.test.ts):
// every `|cidr` test of the SigmaHQ corpus, as a rule of its own on its field (positive and
// negated), over addresses around each of its networks (first, last, just outside) written in the
// spellings the engine accepts (padded, leading zeros, compressed or not, upper case, [brackets],
// %zone, IPv4 tails, IPv4-mapped IPv6) and text that is no address. The SQL must select exactly
// what the engine matches, and no text may make the query fail.
import { join } from 'node:path';
import { parseRule } from '../helpers.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { fieldTests, lowerRule } from '../../src/ir/lower.js';
import type { RuleIR } from '../../src/ir/types.js';
import type { SigmaCidr } from '../../src/ir/values.js';
import { formatIp, prefixMask } from '../../src/ir/values.js';
import type { EventObject } from '../../src/engine/event-access.js';
import { SQL_CORPUS_DIRS } from './sql-differential.js';

export interface CidrCase {
  name: string;
  ir: RuleIR;
  events: EventObject[];
}

/** Text that is no address (or not one the engine takes), and addresses of no network of the corpus. */
const NOT_ADDRESSES = [
  '', 'x', '1.2.3', '256.1.1.1', '1.2.3.4.5', '010.0.0.1x', ':::', 'fe80::1::2', '1:2:3:4:5:6:7:8:9', '1::2:3:4:5:6:7:8',
  '[fe80::1', 'fe80::g', '12345::', '::ffff:1.2.3.256', '::ffff:1.2.3', 'fe80::1%', '%fe80::1', '[fe80::1]%eth0',
  'fe80:0:0:0:0:0:0:1:', ':fe80::1', '1.2.3.4::', '::1.2.3.4', '::ffff:0:1.2.3.4', "1::2' OR '1'='1", '2001:db8::1\nx',
];

/** The IPv6 text with the longest run of zero groups written `::`. */
function compress(groups: string[]): string {
  let best = [-1, 0];
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best[1]! && j - i > 1) best = [i, j - i];
    i = j;
  }
  if (best[0]! < 0) return groups.join(':');
  return `${groups.slice(0, best[0]).join(':')}::${groups.slice(best[0]! + best[1]!).join(':')}`;
}

function spellings6(value: bigint): string[] {
  const groups = formatIp(6, value).split(':');
  const c = compress(groups);
  const v4 = formatIp(4, value & 0xffffffffn);
  return [
    c,
    groups.join(':'),
    groups.map((g) => g.padStart(4, '0').toUpperCase()).join(':'),
    `[${c}]`,
    `${c}%eth0`,
    ` ${c}\t`,
    `${groups.slice(0, 6).join(':')}:${v4}`,
    // The last 32 bits as an IPv4 tail after the compressed head (`::ffff:10.0.0.1`, `2001:db8::0.0.0.1`).
    `${compress([...groups.slice(0, 6), '1', '1']).slice(0, -'1:1'.length)}${v4}`,
  ];
}

function spellings4(value: bigint): string[] {
  const v4 = formatIp(4, value);
  const padded = v4
    .split('.')
    .map((o) => o.padStart(3, '0'))
    .join('.');
  const hi = ((value >> 16n) & 0xffffn).toString(16);
  const lo = (value & 0xffffn).toString(16);
  return [v4, padded, ` ${v4}\n`, `::ffff:${v4}`, `::FFFF:${hi}:${lo}`, `0:0:0:0:0:ffff:${v4}`, `[::ffff:${v4}]`, `::ffff:${v4}%1`];
}

/** Addresses around a network: its first and last, and the ones just outside. */
function around(net: SigmaCidr): string[] {
  const bits = net.version === 4 ? 32 : 128;
  const last = net.network | (~prefixMask(net.prefix, bits) & ((1n << BigInt(bits)) - 1n));
  const values = [net.network, last, net.network - 1n, last + 1n].filter((v) => v >= 0n && v < 1n << BigInt(bits));
  return values.flatMap((v) => (net.version === 4 ? spellings4(v) : spellings6(v)));
}

/** One case per field with `|cidr` tests in a corpus rule (its networks ORed, as the rules write them), plus its negation. */
export function corpusCidrCases(): CidrCase[] {
  const col = loadSigmaPaths(SQL_CORPUS_DIRS);
  const out: CidrCase[] = [];
  for (const rule of col.rules) {
    const byField = new Map<string, SigmaCidr[]>();
    for (const t of fieldTests(lowerRule(rule).detection)) {
      if (t.field === null || t.value.type !== 'cidr') continue;
      byField.set(t.field, [...(byField.get(t.field) ?? []), t.value]);
    }
    for (const [field, nets] of byField) {
      const values = [...new Set(nets.map((n) => n.text))];
      const events: EventObject[] = [...new Set([...nets.flatMap(around), ...NOT_ADDRESSES])].map((a) => ({ [field]: a }));
      events.push({ Other: '10.0.0.1' });
      for (const condition of ['selection', 'not selection']) {
        const yaml = `title: cidr\nlogsource:\n    product: test\ndetection:\n    selection:\n        ${field}|cidr:\n${values.map((v) => `            - '${v}'`).join('\n')}\n    condition: ${condition}\n`;
        const { rule: r, diagnostics } = parseRule(yaml);
        if (!r) throw new Error(`${rule.file}: ${diagnostics.map((d) => d.message).join('; ')}`);
        out.push({ name: `${join(...rule.file.split('/').slice(-2))} ${field} (${condition})`, ir: lowerRule(r), events });
      }
    }
  }
  return out;
}
