// Derived fields for host- and URL-bearing values: the normalised host, its registrable domain,
// public suffix (ICANN or private, e.g. duckdns.org), top-level domain, and whether it is an IP.
//
// Naming: `<field>@<property>`, e.g. `cs-host@tld`, `RemoteName@domain`. `@` never appears inside a
// field name of the logs Quarry reads (it may start one, as in ECS `@timestamp`), and Quarry never
// derives a field that the event already has, so a derived name cannot shadow real data.
import { tldtsPackage } from './tldts-package.js';
import { extractHost } from './host.js';

export const DERIVED_PROPERTIES = ['host', 'domain', 'suffix', 'suffix_type', 'tld', 'is_ip', 'port'] as const;
export type DerivedProperty = (typeof DERIVED_PROPERTIES)[number];

export type DerivedValues = Partial<Record<DerivedProperty, string | number | boolean>>;

export function deriveHostFields(value: string): DerivedValues | null {
  const h = extractHost(value);
  if (!h) return null;
  const out: DerivedValues = { host: h.host };
  if (h.port !== undefined) out.port = h.port;
  const p = tldtsPackage().parse(h.host, { allowPrivateDomains: true });
  if (p.isIp) {
    out.is_ip = true;
    return out;
  }
  out.is_ip = false;
  const labels = h.host.split('.');
  out.tld = labels[labels.length - 1]!;
  if (p.publicSuffix) {
    out.suffix = p.publicSuffix;
    // tldts answers isIcann=false, isPrivate=false for names the Public Suffix List does not know
    // (.local, .internal, .lan): those are 'unlisted', typically internal zones.
    out.suffix_type = p.isPrivate ? 'private' : p.isIcann ? 'icann' : 'unlisted';
  }
  if (p.domain) out.domain = p.domain;
  return out;
}

/** Splits a derived field name into its source field and property; null for ordinary names. */
export function parseDerivedName(name: string): { field: string; property: DerivedProperty } | null {
  const at = name.lastIndexOf('@');
  if (at <= 0) return null;
  const property = name.slice(at + 1) as DerivedProperty;
  if (!(DERIVED_PROPERTIES as readonly string[]).includes(property)) return null;
  return { field: name.slice(0, at), property };
}
