// Synthetic proxy logs with a known ground truth: which lines are BITS downloads from hosts whose
// registrable suffix is not a common one. Deterministic from the seed (same seed, same bytes).
//
// The ground truth is decided on the host, never on text: the host is lower-cased, stripped of its
// port and trailing dot, and its public suffix taken from the Public Suffix List with private
// entries (tldts): `x.duckdns.org` → `duckdns.org`, `fe3.delivery.azureedge.net` → `azureedge.net`,
// `mirror.example.co.uk` → `co.uk`, an IP address → none. A suffix outside COMMON_SUFFIXES (and an
// IP address) is uncommon.

import { parse as parseHost } from 'tldts';
import { createRandom } from './random.js';
import { rendererFor, type GenerateFormat } from './render.js';
import { traffic, type ProxyRequest } from './traffic.js';

export { GENERATE_FORMATS, type GenerateFormat } from './render.js';
export type { ProxyRequest, TrafficKind } from './traffic.js';

/** Registrable suffixes counted as common: the seed rule's .com/.net/.org. */
export const COMMON_SUFFIXES: readonly string[] = ['com', 'net', 'org'];

export const DEFAULT_START = Date.UTC(2026, 10, 20, 8, 0, 0);

export interface GenerateOptions {
  seed: number | string;
  /** Records (log lines that are events; headers come on top). */
  lines: number;
  format: GenerateFormat;
  /** First timestamp, ms since the epoch (default 2026-11-20T08:00:00Z). */
  start?: number;
}

export interface TruthEvent {
  /** 1-based line in the generated text. */
  line: number;
  /** 1-based ordinal among records. */
  record: number;
  /** The user agent as the format gives it back (null: the format logs none, e.g. Squid native, BITS events). */
  userAgent: string | null;
  /** The host as the format's host field carries it (Host header or URL authority, or ELFF cs-host without port). */
  host: string;
  url: string;
  /** The normalised host: lower case, no port, no trailing dot. */
  normalizedHost: string;
  /** Public suffix with private entries (`duckdns.org`), or null for an IP address. */
  suffix: string | null;
  /** True when `suffix` is not in COMMON_SUFFIXES (IP addresses included). */
  uncommon: boolean;
}

export interface GroundTruth {
  format: GenerateFormat;
  seed: number | string;
  records: number;
  commonSuffixes: readonly string[];
  /** Every BITS download (a `Microsoft BITS/` user agent, or a 16403 event), in line order. */
  bits: TruthEvent[];
  /** Lines of the BITS downloads whose host's suffix is uncommon: what a host-aware hunt must find. */
  uncommonBitsLines: number[];
}

export interface GeneratedLogs {
  text: string;
  truth: GroundTruth;
  /** The requests behind the records, in order (for round-trip tests). */
  requests: ProxyRequest[];
}

export function normalizeHost(hostField: string): string {
  let h = hostField.toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  if (colon >= 0 && /^\d+$/.test(h.slice(colon + 1))) h = h.slice(0, colon);
  while (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

export function suffixOf(host: string): { suffix: string | null; uncommon: boolean } {
  const p = parseHost(host, { allowPrivateDomains: true });
  const suffix = p.isIp ? null : p.publicSuffix;
  return { suffix, uncommon: suffix === null || !COMMON_SUFFIXES.includes(suffix) };
}

/**
 * The generated log as pieces of text (each ends with a newline), with the ground truth filled in
 * as it goes (complete once the iteration ends). Memory stays flat for any number of lines.
 */
export function* generateProxyLogChunks(opts: GenerateOptions, truth: GroundTruth = emptyTruth(opts), requests?: ProxyRequest[]): Generator<string> {
  const rnd = createRandom(opts.seed);
  const render = rendererFor(opts.format);
  const source = traffic(rnd, { start: opts.start ?? DEFAULT_START }, opts.format === 'bits-json' ? 'bits' : undefined);
  let line = 0;
  let buf: string[] = [];
  for (let i = 0; i < opts.lines; i++) {
    const r = source.next().value as ProxyRequest;
    requests?.push(r);
    const pre = i === 0 ? render.header(r) : (render.between?.(r, i, opts.lines) ?? []);
    for (const h of pre) {
      buf.push(h);
      line++;
    }
    buf.push(render.line(r, i, opts.lines));
    line++;
    if (r.bits) {
      const host = render.hostField(r);
      const normalizedHost = normalizeHost(host);
      const s = suffixOf(normalizedHost);
      truth.bits.push({ line, record: i + 1, userAgent: render.userAgentField(r), host, url: r.url, normalizedHost, suffix: s.suffix, uncommon: s.uncommon });
      if (s.uncommon) truth.uncommonBitsLines.push(line);
    }
    truth.records++;
    if (buf.length >= 512) {
      yield buf.join('\n') + '\n';
      buf = [];
    }
  }
  if (buf.length > 0) yield buf.join('\n') + '\n';
}

function emptyTruth(opts: GenerateOptions): GroundTruth {
  return { format: opts.format, seed: opts.seed, records: 0, commonSuffixes: COMMON_SUFFIXES, bits: [], uncommonBitsLines: [] };
}

/** The whole log in memory, with its ground truth and the requests behind it. */
export function generateProxyLogs(opts: GenerateOptions): GeneratedLogs {
  const truth = emptyTruth(opts);
  const requests: ProxyRequest[] = [];
  let text = '';
  for (const chunk of generateProxyLogChunks(opts, truth, requests)) text += chunk;
  return { text, truth, requests };
}
