// Writing a ProxyRequest as one line of each log format, as the real writers do: IIS (spaces as `+`),
// Blue Coat ELFF (quotes), Squid native and combined, Zeek TSV (with its headers) and JSON, and
// BITS-Client 16403 events in the evtx crate's JSON shape.

import type { ProxyRequest } from './traffic.js';

export type GenerateFormat = 'w3c' | 'w3c-iis' | 'w3c-elff' | 'squid' | 'squid-native' | 'zeek-tsv' | 'zeek-json' | 'bits-json';
export const GENERATE_FORMATS: readonly GenerateFormat[] = ['w3c', 'w3c-iis', 'w3c-elff', 'squid', 'squid-native', 'zeek-tsv', 'zeek-json', 'bits-json'];

export interface Renderer {
  /** Lines before the first record. */
  header(first: ProxyRequest): string[];
  /** Lines written before record `index` (0-based) other than the first: e.g. a new #Fields:. */
  between?(r: ProxyRequest, index: number, total: number): string[];
  line(r: ProxyRequest, index: number, total: number): string;
  /** The value the format logs as the request's host (Host header or URL authority), as written. */
  hostField(r: ProxyRequest): string;
  /** The user agent as the format's reader gives it back, or null when the format has none. */
  userAgentField(r: ProxyRequest): string | null;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
function dateTime(ms: number): { date: string; time: string } {
  const d = new Date(ms);
  return { date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`, time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` };
}
const dash = (v: string | null | undefined): string => (v === null || v === undefined || v === '' ? '-' : v);

// --- W3C: IIS ---------------------------------------------------------------------------------
const IIS_FIELDS_1 = 'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs-version cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status time-taken';
const IIS_FIELDS_2 = `${IIS_FIELDS_1} sc-bytes cs-bytes`;
/** IIS cannot quote: spaces become `+`. */
const iisText = (v: string | null): string => dash(v === null ? null : v.replace(/ /g, '+'));

const iis: Renderer = {
  header: (r) => ['#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0', `#Date: ${dateTime(r.time).date} ${dateTime(r.time).time}`, `#Fields: ${IIS_FIELDS_1}`],
  // Halfway, logging settings change (sc-bytes, cs-bytes added): IIS writes the directives again.
  between: (r, i, total) => (i === Math.floor(total / 2) ? ['#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0', `#Date: ${dateTime(r.time).date} ${dateTime(r.time).time}`, `#Fields: ${IIS_FIELDS_2}`] : []),
  line(r, i, total) {
    const { date, time } = dateTime(r.time);
    const cols = [date, time, '10.0.0.8', r.method, r.path, dash(r.query), String(r.port), iisText(r.user), r.clientIp, 'HTTP/1.1', iisText(r.userAgent), iisText(r.referer), r.hostHeader, String(r.status), '0', '0', String(r.elapsed)];
    if (i >= Math.floor(total / 2)) cols.push(String(r.scBytes), String(r.csBytes));
    return cols.join(' ');
  },
  hostField: (r) => r.hostHeader,
  userAgentField: (r) => r.userAgent,
};

// --- W3C: Blue Coat ELFF ----------------------------------------------------------------------
const ELFF_FIELDS = 'date time time-taken c-ip cs-username cs-auth-group x-exception-id sc-filter-result cs-categories cs(Referer) sc-status s-action cs-method rs(Content-Type) cs-uri-scheme cs-host cs-uri-port cs-uri-path cs-uri-query cs-uri-extension cs(User-Agent) s-ip sc-bytes cs-bytes x-virus-id';
/** ELFF quotes values with spaces (or quotes) and doubles inner quotes. */
const elffText = (v: string | null): string => (v === null || v === '' ? '-' : /[\s"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

const elff: Renderer = {
  header: (r) => ['#Software: SGOS 7.3.6.1', '#Version: 1.0', `#Start-Date: ${dateTime(r.time).date} ${dateTime(r.time).time}`, `#Date: ${dateTime(r.time).date} ${dateTime(r.time).time}`, `#Fields: ${ELFF_FIELDS}`, '#Remark: 4808220036 "PROXY-SG01" "10.0.0.5" "main"'],
  line(r) {
    const { date, time } = dateTime(r.time);
    const file = r.path.slice(r.path.lastIndexOf('/') + 1);
    const dot = file.lastIndexOf('.');
    const ext = dot > 0 ? file.slice(dot + 1) : null;
    const category = r.kind === 'bits-uncommon' ? '"Suspicious;Uncategorized"' : r.kind === 'browser' ? '"Technology/Internet"' : '"Software Downloads"';
    return [date, time, String(r.elapsed), r.clientIp, elffText(r.user), '-', '-', r.status < 400 ? 'OBSERVED' : 'DENIED', category, elffText(r.referer), String(r.status), r.status < 400 ? 'TCP_NC_MISS' : 'TCP_DENIED', r.method, elffText(r.contentType), r.scheme, r.host, String(r.port), r.path, dash(r.query), dash(ext), elffText(r.userAgent), '10.0.0.5', String(r.scBytes), String(r.csBytes), '-'].join(' ');
  },
  hostField: (r) => r.host,
  userAgentField: (r) => r.userAgent,
};

// --- Squid ------------------------------------------------------------------------------------
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export function clfTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}
const squidAction = (r: ProxyRequest) => (r.status === 304 ? 'TCP_REFRESH_UNMODIFIED' : r.status === 403 ? 'TCP_DENIED' : 'TCP_MISS');

const squidNative: Renderer = {
  header: () => [],
  line: (r) =>
    `${(r.time / 1000).toFixed(3)} ${String(r.elapsed).padStart(6)} ${r.clientIp} ${squidAction(r)}/${r.status} ${r.scBytes} ${r.method} ${r.url} ${r.user === null ? '-' : r.user.replace(/\\/g, '%5C')} HIER_DIRECT/${r.serverIp} ${r.contentType}`,
  hostField: (r) => r.hostHeader,
  userAgentField: () => null,
};

const squidCombined: Renderer = {
  header: () => [],
  line: (r) =>
    `${r.clientIp} - ${r.user === null ? '-' : r.user.replace(/\\/g, '%5C')} [${clfTime(r.time)}] "${r.method} ${r.url} HTTP/1.1" ${r.status} ${r.scBytes} "${dash(r.referer)}" "${r.userAgent}" ${squidAction(r)}:HIER_DIRECT`,
  hostField: (r) => r.hostHeader,
  userAgentField: (r) => r.userAgent,
};

// --- Zeek -------------------------------------------------------------------------------------
const ZEEK_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'trans_depth', 'method', 'host', 'uri', 'referrer', 'version', 'user_agent', 'origin', 'request_body_len', 'response_body_len', 'status_code', 'status_msg', 'info_code', 'info_msg', 'tags', 'username', 'password', 'proxied', 'orig_fuids', 'orig_filenames', 'orig_mime_types', 'resp_fuids', 'resp_filenames', 'resp_mime_types'];
const ZEEK_TYPES = ['time', 'string', 'addr', 'port', 'addr', 'port', 'count', 'string', 'string', 'string', 'string', 'string', 'string', 'string', 'count', 'count', 'count', 'string', 'count', 'string', 'set[enum]', 'string', 'string', 'set[string]', 'vector[string]', 'vector[string]', 'vector[string]', 'vector[string]', 'vector[string]', 'vector[string]'];
const STATUS_MSG: Record<number, string> = { 200: 'OK', 206: 'Partial Content', 302: 'Found', 304: 'Not Modified', 403: 'Forbidden', 404: 'Not Found' };

/** Zeek's http.log values of a request (null = unset), in ZEEK_FIELDS order. */
export function zeekValues(r: ProxyRequest, index: number): Array<string | number | string[] | null> {
  const uid = `C${(index * 2654435761 >>> 0).toString(36)}${(r.time % 100000).toString(36)}`.slice(0, 18);
  const fuid = `F${((index + 7) * 40503 >>> 0).toString(36)}${r.elapsed.toString(36)}`;
  return [
    r.time / 1000, uid, r.clientIp, 49152 + (index % 16000), r.serverIp, r.port, 1, r.method, r.hostHeader, r.path + (r.query !== null ? `?${r.query}` : ''), r.referer, '1.1', r.userAgent, null,
    r.method === 'POST' ? r.csBytes : 0, r.method === 'HEAD' ? 0 : r.scBytes, r.status, STATUS_MSG[r.status] ?? 'OK', null, null, [], null, null, null, null, null, null,
    r.method === 'HEAD' ? null : [fuid], null, r.method === 'HEAD' ? null : [r.contentType],
  ];
}

const zeekEscape = (s: string, set: boolean): string => s.replace(set ? /[\t\\,\x00-\x1f\x7f]/g : /[\t\\\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

const zeekTsv: Renderer = {
  header: (r) => {
    const d = new Date(r.time).toISOString();
    const open = `${d.slice(0, 10)}-${d.slice(11, 13)}-${d.slice(14, 16)}-${d.slice(17, 19)}`;
    return ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\thttp', `#open\t${open}`, `#fields\t${ZEEK_FIELDS.join('\t')}`, `#types\t${ZEEK_TYPES.join('\t')}`];
  },
  line: (r, i) =>
    zeekValues(r, i)
      .map((v) => (v === null ? '-' : Array.isArray(v) ? (v.length === 0 ? '(empty)' : v.map((x) => zeekEscape(x, true)).join(',')) : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(6)) : v === '' ? '(empty)' : zeekEscape(v, false)))
      .join('\t'),
  hostField: (r) => r.hostHeader,
  userAgentField: (r) => r.userAgent,
};

const zeekJson: Renderer = {
  header: () => [],
  line(r, i) {
    const vals = zeekValues(r, i);
    const obj: Record<string, unknown> = {};
    ZEEK_FIELDS.forEach((f, k) => {
      const v = vals[k];
      if (v !== null) obj[f] = k === 0 ? Number((v as number).toFixed(6)) : v; // Zeek's JSON writer omits unset fields
    });
    return JSON.stringify(obj);
  },
  hostField: (r) => r.hostHeader,
  userAgentField: (r) => r.userAgent,
};

// --- BITS-Client 16403 as evtx_dump JSON -----------------------------------------------------
const bitsJson: Renderer = {
  header: () => [],
  line(r, i) {
    const b = r.bits!;
    const iso = new Date(r.time).toISOString();
    return JSON.stringify({
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: {
          Provider: { '#attributes': { Name: 'Microsoft-Windows-Bits-Client', Guid: 'EF1CC15B-46C1-414E-BB95-E76B077BD51E' } },
          EventID: 16403, Version: 5, Level: 4, Task: 0, Opcode: 0, Keywords: '0x8000000000000000',
          TimeCreated: { '#attributes': { SystemTime: iso } },
          EventRecordID: 1000 + i,
          Correlation: null,
          Execution: { '#attributes': { ProcessID: 1720, ThreadID: 2000 + (i % 500) } },
          Channel: 'Microsoft-Windows-Bits-Client/Operational',
          Computer: `WS-${r.clientIp.split('.').slice(2).join('-')}.corp.example`,
          Security: { '#attributes': { UserID: 'S-1-5-18' } },
        },
        EventData: {
          jobTitle: b.jobTitle,
          jobId: `{${guid(i, r.time)}}`,
          jobOwner: r.user ?? 'NT AUTHORITY\\SYSTEM',
          processPath: b.processPath,
          processId: 1000 + (i % 9000),
          ClientProcessStartKey: 1688849860263951 + i,
          RemoteName: r.url,
          LocalName: b.localName,
          fileTime: iso,
          fileLength: r.scBytes,
          bytesTotal: r.scBytes,
          bytesTransferred: 0,
          bytesTransferredFromPeer: 0,
        },
      },
    });
  },
  hostField: (r) => r.hostHeader,
  userAgentField: () => null,
};

function guid(i: number, t: number): string {
  const h = (n: number, w: number) => (n >>> 0).toString(16).toUpperCase().padStart(w, '0').slice(-w);
  return `${h(Math.imul(i + 1, 2654435761), 8)}-${h(t, 4)}-4${h(i, 3)}-8${h(t >>> 8, 3)}-${h(Math.imul(i + 3, 40503), 4)}${h(t, 8)}`;
}

export function rendererFor(format: GenerateFormat): Renderer {
  switch (format) {
    case 'w3c':
    case 'w3c-elff':
      return elff;
    case 'w3c-iis':
      return iis;
    case 'squid':
      return squidCombined;
    case 'squid-native':
      return squidNative;
    case 'zeek-tsv':
      return zeekTsv;
    case 'zeek-json':
      return zeekJson;
    case 'bits-json':
      return bitsJson;
  }
}
