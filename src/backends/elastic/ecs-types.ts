// The Elasticsearch field types that change how a test is written: ECS declares a few fields as
// numbers (long) or IP addresses, and a query that compares them as text is refused by ES|QL and
// EQL (both typed) or silently matches nothing in Lucene. Every other field, including all of
// winlog.event_data.*, is a keyword in Winlogbeat's and the Elastic Agent's templates.
export type EsType = 'keyword' | 'long' | 'ip';

const TYPES: Readonly<Record<string, EsType>> = {
  'process.pid': 'long',
  'process.parent.pid': 'long',
  'source.port': 'long',
  'destination.port': 'long',
  'http.response.status_code': 'long',
  'http.request.bytes': 'long',
  'http.response.bytes': 'long',
  'source.ip': 'ip',
  'destination.ip': 'ip',
  'client.ip': 'ip',
  'server.ip': 'ip',
  'host.ip': 'ip',
};

export function esType(field: string): EsType {
  return Object.hasOwn(TYPES, field) ? TYPES[field]! : 'keyword';
}

/** Numeric text as a number literal may be written (no leading `+`, no exponent). */
export const NUMBER_TEXT = /^-?\d+(\.\d+)?$/;

/**
 * An IPv4 prefix written as whole octets and a dot (`10.`, `192.168.`) as the CIDR block that
 * matches exactly the addresses whose text starts with it; null for anything else.
 */
export function ipv4PrefixCidr(prefix: string): string | null {
  const m = /^((?:\d{1,3}\.){1,3})$/.exec(prefix);
  if (!m) return null;
  const octets = prefix.slice(0, -1).split('.');
  if (octets.some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) return null;
  const full = [...octets, ...Array(4 - octets.length).fill('0')].join('.');
  return `${full}/${octets.length * 8}`;
}
