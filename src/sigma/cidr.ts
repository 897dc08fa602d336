// IPv4/IPv6 address and network parsing for the `cidr` modifier, exact with bigint arithmetic.
import type { SigmaCidr } from './values.js';

export interface IpAddress {
  version: 4 | 6;
  value: bigint;
}

export function parseIPv4(text: string): bigint | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  let v = 0n;
  for (let i = 1; i <= 4; i++) {
    const n = Number(m[i]);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

export function parseIPv6(text: string): bigint | null {
  let t = text;
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  const zone = t.indexOf('%');
  if (zone >= 0) t = t.slice(0, zone);
  if (!/^[0-9a-fA-F:.]+$/.test(t) || t.length < 2) return null;
  // An embedded IPv4 tail (::ffff:1.2.3.4) is rewritten as its two hex groups.
  const lastColon = t.lastIndexOf(':');
  if (t.includes('.', lastColon)) {
    const v4 = parseIPv4(t.slice(lastColon + 1));
    if (v4 === null) return null;
    t = t.slice(0, lastColon + 1) + (v4 >> 16n).toString(16) + ':' + (v4 & 0xffffn).toString(16);
  }
  const halves = t.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === '' ? [] : s.split(':'));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const explicit = head.length + rest.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return null;
  const groups = [...head, ...Array<string>(8 - explicit).fill('0'), ...rest];
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

export function parseIp(text: string): IpAddress | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return { version: 4, value: v4 };
  if (!text.includes(':')) return null;
  const v6 = parseIPv6(text);
  return v6 === null ? null : { version: 6, value: v6 };
}

export function parseCidr(text: string): SigmaCidr | null {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const ip = parseIp(addr.trim());
  if (!ip) return null;
  const bits = ip.version === 4 ? 32 : 128;
  const prefix = slash < 0 ? bits : Number(text.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return null;
  const mask = prefixMask(prefix, bits);
  return { type: 'cidr', text, version: ip.version, network: ip.value & mask, prefix };
}

export function prefixMask(prefix: number, bits: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return prefix === 0 ? 0n : (all >> BigInt(bits - prefix)) << BigInt(bits - prefix);
}

export function cidrContains(net: SigmaCidr, ip: IpAddress): boolean {
  if (ip.version !== net.version) {
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) belongs to the IPv4 network.
    if (net.version === 4 && ip.version === 6 && ip.value >> 32n === 0xffffn) return cidrContains(net, { version: 4, value: ip.value & 0xffffffffn });
    return false;
  }
  const bits = ip.version === 4 ? 32 : 128;
  return (ip.value & prefixMask(net.prefix, bits)) === net.network;
}

export function formatIp(version: 4 | 6, value: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((value >> s) & 0xffffn).toString(16));
  return groups.join(':');
}
