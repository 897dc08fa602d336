// Squid access.log, in its two stock logformats, told apart line by line:
//
// `squid` (the default): time elapsed client action/code size method URL ident hierarchy/from type
//   1763626503.200    150 10.1.2.3 TCP_MISS/200 73802 GET http://evil.top/x.com/p.exe - HIER_DIRECT/203.0.113.9 application/octet-stream
//   → time (number, epoch seconds), elapsed (ms), client, action, status, size (reply bytes),
//     method, url, ident (user; `-` → null), hierarchy, server (`from`: the server or peer; `-` →
//     null), content_type; anything after the tenth column (log_mime_hdrs) as `extra`.
//   This format carries no user agent and no referer.
//
// `combined` (Apache-like): client ident user [time] "method URL HTTP/v" status size "referer" "user agent" action:hierarchy
//   → client, ident, user, time (as logged: `20/Nov/2026:08:15:03 +0000`), method, url, version
//     (`1.1`), status, size, referer, user_agent, action, hierarchy. (`common` is the same without
//     referer/user agent/action and reads too.)
//
// Derived from the URL (Squid logs the whole request URL, or `host:port` for CONNECT, and no Host
// header): host = the URL's authority (`host[:port]` as a Host header would carry it, case,
// port and trailing dot kept), uri_path, uri_query, uri_extension. A URL that is only a path (an
// Apache server log in combined format) gives no host.

import type { ByteChunks } from './byte-input.js';
import { createLineSource, type LineParser, type LineReaderOptions } from './line-source.js';
import type { EventSource, LogEvent } from './types.js';
import { urlParts } from './url-parts.js';

const NATIVE_START = /^\d{9,11}(?:\.\d+)?\s+-?\d+\s/;
const COMBINED = /^(\S+) (\S+) (\S+) \[([^\]]*)\] "((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"(?: (\S+))?)?\s*$/;
/** COMBINED's groups: 1 to 7 stand outside the optional tail, so every match sets them. */
type CombinedMatch = [
  line: string, client: string, ident: string, user: string, time: string, request: string, status: string, size: string,
  referer?: string, userAgent?: string, actionHierarchy?: string,
];

/** True when a line looks like one of the Squid formats this reader knows. */
export function isSquidLine(line: string): boolean {
  return NATIVE_START.test(line) ? parseNative(line) !== null : COMBINED.test(line);
}

const dash = (s: string): string | null => (s === '-' ? null : s);
const num = (s: string): number | null => (/^-?\d{1,15}(?:\.\d+)?$/.test(s) ? Number(s) : null);

function addUrlParts(ev: LogEvent, url: string): void {
  const p = urlParts(url);
  if (p.authority !== undefined) ev.host = p.authority;
  ev.uri_path = p.path;
  if (p.query !== undefined) ev.uri_query = p.query;
  if (p.extension !== undefined) ev.uri_extension = p.extension;
}

/** The ten columns of the `squid` logformat, then log_mime_hdrs (or anything else) as extra columns. */
type NativeColumns = [
  time: string, elapsed: string, client: string, actionStatus: string, size: string,
  method: string, url: string, ident: string, hierarchyFrom: string, contentType: string, ...extra: string[],
];

const hasNativeColumns = (t: string[]): t is NativeColumns => t.length >= 10;

function parseNative(line: string): LogEvent | null {
  const t = line.trim().split(/\s+/);
  if (!hasNativeColumns(t)) return null;
  const time = num(t[0]);
  const elapsed = num(t[1]);
  const slash = t[3].lastIndexOf('/');
  const size = num(t[4]);
  if (time === null || elapsed === null || slash <= 0 || (size === null && t[4] !== '-')) return null;
  const status = num(t[3].slice(slash + 1));
  const hier = t[8].indexOf('/');
  const ev: LogEvent = {
    time,
    elapsed,
    client: t[2],
    action: t[3].slice(0, slash),
    status: status ?? t[3].slice(slash + 1),
    size,
    method: t[5],
    url: t[6],
    ident: dash(t[7]),
    hierarchy: hier < 0 ? t[8] : t[8].slice(0, hier),
    server: hier < 0 ? null : dash(t[8].slice(hier + 1)),
    content_type: dash(t[9]),
  };
  if (t.length > 10) ev.extra = t.slice(10).join(' ');
  addUrlParts(ev, t[6]);
  return ev;
}

const unescape = (s: string): string => (s.indexOf('\\') < 0 ? s : s.replace(/\\(.)/g, '$1'));

function parseCombined(line: string): LogEvent | null {
  const m = COMBINED.exec(line) as CombinedMatch | null;
  if (!m) return null;
  const req = unescape(m[5]).split(' ');
  const ev: LogEvent = { client: m[1], ident: dash(m[2]), user: dash(m[3]), time: m[4] };
  ev.method = req[0] || null;
  const url = req.length >= 2 ? req.slice(1, req.length >= 3 ? -1 : undefined).join(' ') : null;
  ev.url = url;
  ev.version = req.length >= 3 ? req[req.length - 1]!.replace(/^HTTP\//i, '') : null;
  ev.status = m[6] === '-' ? null : Number(m[6]);
  ev.size = m[7] === '-' ? null : Number(m[7]);
  if (m[8] !== undefined) ev.referer = dash(unescape(m[8]));
  if (m[9] !== undefined) ev.user_agent = dash(unescape(m[9]));
  if (m[10] !== undefined) {
    const colon = m[10].indexOf(':');
    ev.action = colon < 0 ? m[10] : m[10].slice(0, colon);
    ev.hierarchy = colon < 0 ? null : m[10].slice(colon + 1);
  }
  if (url !== null) addUrlParts(ev, url);
  return ev;
}

export function createSquidParser(): LineParser {
  return {
    line(text) {
      if (text.length === 0 || text.trim() === '') return null;
      const ev = NATIVE_START.test(text) ? parseNative(text) : parseCombined(text);
      return ev ?? `not a Squid access.log line (squid or combined logformat): ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}`;
    },
  };
}

export function readSquidEvents(name: string, input: ByteChunks, options: LineReaderOptions = {}): EventSource {
  return createLineSource({ name, format: 'squid', input, parser: createSquidParser(), logsource: { category: 'proxy' }, pipeline: 'squid' }, options);
}
