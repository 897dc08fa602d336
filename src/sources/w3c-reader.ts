// W3C extended log format: IIS, Blue Coat/Symantec ELFF and the like.
//
// Directives: `#Fields:` names the columns and may appear again anywhere (IIS writes a new one when
// its logging settings change): each one replaces the columns for the lines after it. `#Software`,
// `#Version`, `#Date`, `#Start-Date`, `#End-Date`, `#Remark` are read or ignored; a data line before
// any `#Fields:` is a problem.
//
// Values: separated by spaces (tabs too); `"…"` quotes a value with spaces (ELFF; `""` inside is one
// quote); `-` alone is "no value" → null. Field names are kept exactly as written (`cs(User-Agent)`).
// Numeric columns (sc-status, sc-bytes, cs-bytes, time-taken, s-port, …, list below) become numbers.
//
// IIS `+`: IIS (HTTP.sys) cannot quote, so it writes the spaces of free-text values as `+`
// (`Mozilla/5.0+(Windows+NT+10.0)`, `Microsoft+BITS/7.8`). The rule applied: in an IIS log (a
// `#Software:` naming Internet Information Services, or, without `#Software`, IIS-only columns:
// s-sitename, s-computername, sc-substatus, sc-win32-status), unquoted values of header columns
// (`cs(…)`, `sc(…)`, `s(…)`, `cs-host` excepted as a host has no spaces) and of `cs-username`
// have every `+` turned into a space. `cs-uri-stem` and `cs-uri-query` are left alone: IIS logs the
// request target as received (spaces arrive percent-encoded), and there `+` is data (`/c++/`,
// `q=a+b`). A literal `+` in a user agent (`bingbot/2.0;+http://…`) cannot be told from an encoded
// space; it reads as a space, as IIS's own tools (Log Parser) show it. ELFF and other W3C writers
// quote instead, so their `+` is never touched.
//
// Derived fields (added only when the log has no column of that name), so that the `w3c` pipeline
// can map Sigma's proxy taxonomy onto one name each:
//   cs-uri-stem       ← cs-uri-path (ELFF), else the path of cs-uri
//   cs-uri-query      ← the query of cs-uri
//   cs-uri-extension  ← the extension of the stem (`exe` for /a/setup.exe)
//   cs-host           ← the authority of an absolute cs-uri
//   cs-uri            ← scheme://cs-host[:cs-uri-port]stem[?query] when scheme and host are logged
//                       (ELFF), else stem[?query] (IIS: the request target as the server saw it)
//
// Log source, decided from the first `#Fields:` of the input:
//   proxy      a column only proxies log: s-action, sc-filter-result, cs-categories, cs-uri-scheme,
//              r-ip, r-dns, r-port, rs(…), sr(…), x-exception-id, s-hierarchy, cs-auth-group (ELFF)
//   webserver  an IIS log (as for `+` above) that names the site or server it serves: s-sitename or
//              s-computername
//   (none)     anything else, including IIS's default field set: IIS also serves as a forward proxy
//              (Application Request Routing) with the same columns, and nothing in the header tells
//              the two apart, so both proxy and webserver rules meet such logs rather than neither
//              (`--logsource` settles it).

import type { ByteChunks } from './byte-input.js';
import { createLineSource, eventMaker, type LineParser, type LineReaderOptions } from './line-source.js';
import type { EventSource, EventValue, ImpliedLogSource, LogEvent } from './types.js';
import { extensionOf, urlParts } from './url-parts.js';
import { readQuoted, type Cursor } from './quoted.js';

const NUMERIC = new Set([
  'sc-status', 'sc-substatus', 'sc-win32-status', 'sc-bytes', 'cs-bytes', 'rs-bytes', 'sr-bytes', 'time-taken',
  's-port', 'c-port', 'r-port', 'cs-uri-port', 'rs-status', 'x-bluecoat-transaction-id',
]);
const IIS_COLUMNS = ['s-sitename', 's-computername', 'sc-substatus', 'sc-win32-status'];
const SERVER_IDENTITY_COLUMNS = ['s-sitename', 's-computername'];
const PROXY_COLUMNS = ['s-action', 'sc-filter-result', 'cs-categories', 'cs-uri-scheme', 'r-ip', 'r-dns', 'r-port', 'x-exception-id', 's-hierarchy', 'cs-auth-group'];

export interface W3cHeader {
  software?: string;
  fields?: string[];
}

/** Reads the directives at the top of a file (what sniffing and log-source decisions need). */
export function w3cHeader(lines: string[]): W3cHeader {
  const h: W3cHeader = {};
  for (const l of lines) {
    if (!l.startsWith('#')) {
      if (l.trim() === '') continue;
      break;
    }
    const d = directive(l);
    if (!d) continue;
    if (d.name === 'software' && h.software === undefined) h.software = d.value;
    if (d.name === 'fields') {
      h.fields = d.value.split(/[ \t]+/).filter(Boolean);
      break;
    }
  }
  return h;
}

function isIis(software: string | undefined, fields: string[]): boolean {
  if (software !== undefined) return /internet information services/i.test(software);
  return fields.some((f) => IIS_COLUMNS.includes(f.toLowerCase()));
}

/** proxy, webserver, or undefined (see the header comment). */
export function w3cLogsource(h: W3cHeader): ImpliedLogSource | undefined {
  const fields = (h.fields ?? []).map((f) => f.toLowerCase());
  if (fields.some((f) => PROXY_COLUMNS.includes(f) || f.startsWith('rs(') || f.startsWith('sr('))) return { category: 'proxy' };
  if (h.fields && isIis(h.software, fields) && fields.some((f) => SERVER_IDENTITY_COLUMNS.includes(f))) return { category: 'webserver' };
  return undefined;
}

/** Whether IIS writes this column's spaces as `+`. */
export function iisPlusColumn(name: string): boolean {
  const n = name.toLowerCase();
  if (n === 'cs-username') return true;
  return n.startsWith('cs(') || n.startsWith('sc(') || n.startsWith('s(');
}

function directive(line: string): { name: string; value: string } | undefined {
  const colon = line.indexOf(':');
  if (colon < 0) return undefined;
  return { name: line.slice(1, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() };
}

interface Column {
  name: string;
  numeric: boolean;
  plus: boolean;
}

const INTEGER = /^-?\d{1,15}$/;

export function createW3cParser(): LineParser {
  let software: string | undefined;
  let columns: Column[] | null = null;
  let has = new Set<string>();
  let make: (v: EventValue[]) => LogEvent = () => ({});
  const raw: string[] = [];
  const quoted: boolean[] = [];
  const vals: EventValue[] = [];

  function setFields(names: string[]): void {
    const iis = isIis(software, names.map((f) => f.toLowerCase()));
    columns = names.map((name) => ({ name, numeric: NUMERIC.has(name.toLowerCase()), plus: iis && iisPlusColumn(name) }));
    has = new Set(names.map((n) => n.toLowerCase()));
    make = eventMaker(names);
  }

  return {
    line(text) {
      const c0 = text.charCodeAt(0);
      if (text.length === 0 || ((c0 === 32 || c0 === 9) && text.trim() === '')) return null;
      if (c0 === 35) {
        const d = directive(text);
        if (!d) return text.trim() === '#' ? null : `malformed directive: ${preview(text)}`;
        if (d.name === 'software') software = d.value;
        else if (d.name === 'fields') {
          const names = d.value.split(/[ \t]+/).filter(Boolean);
          if (names.length === 0) {
            columns = null;
            return `#Fields: names no field; lines up to the next #Fields: cannot be read`;
          }
          setFields(names);
        }
        return null;
      }
      if (columns === null) return 'data line before any #Fields: directive';
      const cols: Column[] = columns;
      const n = splitInto(text, raw, quoted);
      if (n < 0) return `unterminated quoted value: ${preview(text)}`;
      if (n !== cols.length) return `${n} values for ${cols.length} #Fields: columns`;
      for (let i = 0; i < n; i++) {
        const c = cols[i]!;
        const value = raw[i]!;
        if (quoted[i]) vals[i] = value;
        else if (value === '-') vals[i] = null;
        else if (c.numeric && INTEGER.test(value)) vals[i] = Number(value);
        else if (c.plus && value.indexOf('+') >= 0) vals[i] = value.replace(/\+/g, ' ');
        else vals[i] = value;
      }
      const ev = make(vals);
      derive(ev, has);
      return ev;
    },
  };
}

/** Space/tab separated values, `"…"` quoted with `""` for a quote. Null when a quote is not closed. */
export function splitW3c(text: string): Array<{ value: string; quoted: boolean }> | null {
  const raw: string[] = [];
  const quoted: boolean[] = [];
  const n = splitInto(text, raw, quoted);
  if (n < 0) return null;
  return raw.slice(0, n).map((value, i) => ({ value, quoted: quoted[i]! }));
}

/** Splits into reused arrays; returns the number of values, or -1 for an unclosed quote. */
function splitInto(text: string, out: string[], quoted: boolean[]): number {
  const len = text.length;
  const tabs = text.indexOf('\t') >= 0;
  const cursor: Cursor = { at: 0 };
  let n = 0;
  let i = 0;
  for (;;) {
    // Skip separators.
    let c = text.charCodeAt(i);
    while (i < len && (c === 32 || c === 9)) c = text.charCodeAt(++i);
    if (i >= len) break;
    if (c === 34) {
      cursor.at = i + 1;
      const v = readQuoted(text, cursor);
      if (v === null) return -1;
      i = cursor.at;
      out[n] = v;
      quoted[n++] = true;
    } else {
      let end: number;
      if (tabs) {
        end = i;
        while (end < len && (c = text.charCodeAt(end)) !== 32 && c !== 9) end++;
      } else {
        end = text.indexOf(' ', i);
        if (end < 0) end = len;
      }
      out[n] = text.slice(i, end);
      quoted[n++] = false;
      i = end;
    }
  }
  if (n === 0) {
    out[0] = '';
    quoted[0] = false;
    return 1;
  }
  return n;
}

function str(v: EventValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function derive(ev: LogEvent, has: Set<string>): void {
  const uri = str(ev['cs-uri']);
  const parts = uri !== undefined && (!has.has('cs-uri-stem') || !has.has('cs-uri-query') || !has.has('cs-host')) ? urlParts(uri) : undefined;
  if (!has.has('cs-uri-stem')) {
    const stem = str(ev['cs-uri-path']) ?? parts?.path;
    if (stem !== undefined) ev['cs-uri-stem'] = stem;
  }
  if (!has.has('cs-uri-query') && parts?.query !== undefined) ev['cs-uri-query'] = parts.query;
  if (!has.has('cs-host') && parts?.authority !== undefined) ev['cs-host'] = parts.authority;
  if (!has.has('cs-uri-extension')) {
    const stem = str(ev['cs-uri-stem']);
    const ext = stem === undefined ? undefined : extensionOf(stem);
    if (ext !== undefined) ev['cs-uri-extension'] = ext;
  }
  if (!has.has('cs-uri')) {
    const stem = str(ev['cs-uri-stem']);
    if (stem === undefined) return;
    const query = str(ev['cs-uri-query']);
    const scheme = str(ev['cs-uri-scheme']);
    const host = str(ev['cs-host']);
    let prefix = '';
    if (scheme !== undefined && host !== undefined) {
      const port = ev['cs-uri-port'];
      const deflt = (scheme.toLowerCase() === 'http' && port === 80) || (scheme.toLowerCase() === 'https' && port === 443);
      prefix = `${scheme}://${host}${port !== null && port !== undefined && !deflt && !host.includes(':') ? `:${port}` : ''}`;
    }
    ev['cs-uri'] = prefix + stem + (query !== undefined ? `?${query}` : '');
  }
}

function preview(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}

export function readW3cEvents(name: string, input: ByteChunks, head: W3cHeader = {}, options: LineReaderOptions = {}): EventSource {
  const logsource = w3cLogsource(head);
  return createLineSource({ name, format: 'w3c', input, parser: createW3cParser(), pipeline: 'w3c', ...(logsource ? { logsource } : {}) }, options);
}
