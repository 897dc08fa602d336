// Zeek's ASCII (TSV) logs: http.log and any other. Header lines, re-read wherever they appear (so
// logs concatenated with their headers read as one): `#separator \x09` (the value escaped),
// `#set_separator`, `#empty_field`, `#unset_field`, `#path`, `#fields`, `#types`, `#open`, `#close`.
//
// Values, typed by `#types`: count/int/port → number (bigint past 2^53), double/interval/time →
// number (time stays epoch seconds, as Zeek's JSON writer has it), bool T/F → boolean,
// set[…]/vector[…]/table[…] → arrays of their element type (`(empty)` → []), everything else →
// string. The unset field (`-`) → null; the empty field (`(empty)`) → '' for strings. `\xHH`
// escapes (Zeek's for separators and non-printable bytes) are decoded, as UTF-8 when the bytes form
// it. A value its type cannot hold, or a line with the wrong number of values, is a problem.
// Names are kept as Zeek writes them (`id.orig_h`), like its JSON writer.
//
// http.log gets derived fields for the proxy taxonomy (Zeek logs the request target in `uri` and
// the Host header in `host`): uri_path, uri_query, uri_extension, from `uri`. Its log source is
// proxy (and product zeek, service http, so SigmaHQ's Zeek rules apply too); other paths imply
// product zeek, service <path>.

import type { ByteChunks } from './byte-input.js';
import { createLineSource, eventMaker, type LineParser, type LineReaderOptions } from './line-source.js';
import type { EventSource, EventValue, ImpliedLogSource, LogEvent } from './types.js';
import { urlParts } from './url-parts.js';

export interface ZeekHeader {
  path?: string;
  fields?: string[];
}

/** `#path` and `#fields` from the first lines. */
export function zeekHeader(lines: string[]): ZeekHeader {
  let sep = '\t';
  const h: ZeekHeader = {};
  for (const l of lines) {
    if (!l.startsWith('#')) break;
    if (l.startsWith('#separator')) {
      sep = unescapeZeek(l.slice('#separator'.length).trim());
      continue;
    }
    const parts = l.split(sep);
    if (parts[0] === '#path') h.path = parts[1];
    if (parts[0] === '#fields') h.fields = parts.slice(1);
  }
  return h;
}

export function zeekLogsource(h: ZeekHeader): ImpliedLogSource | undefined {
  if (isZeekHttp(h)) return { category: 'proxy', product: 'zeek', service: 'http' };
  return h.path ? { product: 'zeek', service: h.path } : { product: 'zeek' };
}

function isZeekHttp(h: ZeekHeader): boolean {
  if (h.path !== undefined) return h.path === 'http';
  const f = h.fields ?? [];
  return f.includes('uri') && f.includes('user_agent');
}

/** Zeek's `\xHH` escapes, decoded; byte runs that form UTF-8 decode as UTF-8. */
export function unescapeZeek(s: string): string {
  if (s.indexOf('\\x') < 0) return s;
  return s.replace(/(?:\\x[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = Buffer.from(run.replace(/\\x/g, ''), 'hex');
    const utf8 = bytes.toString('utf8');
    return utf8.includes('\ufffd') ? bytes.toString('latin1') : utf8;
  });
}

type Conv = (v: string) => EventValue | undefined; // undefined: not a value of that type

const INT = /^-?\d+$/;
const FLOAT = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function scalarConv(type: string): Conv {
  switch (type) {
    case 'count':
    case 'int':
    case 'port':
      return (v) => {
        if (!INT.test(v)) return undefined;
        const n = Number(v);
        return Number.isSafeInteger(n) ? n : BigInt(v);
      };
    case 'double':
    case 'interval':
    case 'time':
      return (v) => (FLOAT.test(v) ? Number(v) : undefined);
    case 'bool':
      return (v) => (v === 'T' ? true : v === 'F' ? false : undefined);
    default:
      return unescapeZeek;
  }
}

interface ZeekColumn {
  name: string;
  type: string;
  container: boolean;
  conv: Conv;
}

function columnsOf(fields: string[], types: string[] | undefined): ZeekColumn[] {
  return fields.map((name, i) => {
    const type = types?.[i] ?? 'string';
    const m = /^(?:set|vector|table)\[(.*)\]$/.exec(type);
    return { name, type, container: m !== null, conv: scalarConv(m?.[1] ?? type) };
  });
}

export function createZeekTsvParser(): LineParser {
  let sep = '\t';
  let setSep = ',';
  let empty = '(empty)';
  let unset = '-';
  let path: string | undefined;
  let fields: string[] | undefined;
  let types: string[] | undefined;
  let columns: ZeekColumn[] | null = null;
  let http = false;
  let make: (v: EventValue[]) => LogEvent = () => ({});
  const vals: EventValue[] = [];

  function rebuild(): void {
    columns = fields ? columnsOf(fields, types) : null;
    if (fields) make = eventMaker(fields);
    http = isZeekHttp({ ...(path !== undefined ? { path } : {}), ...(fields ? { fields } : {}) });
  }

  return {
    line(text) {
      if (text.length === 0) return null;
      if (text.charCodeAt(0) === 35) {
        if (text.startsWith('#separator')) {
          const v = unescapeZeek(text.slice('#separator'.length).trim());
          if (v === '') return `#separator without a value`;
          sep = v;
          return null;
        }
        const parts = text.split(sep);
        const key = parts[0];
        const value = parts.slice(1);
        switch (key) {
          case '#set_separator':
            setSep = unescapeZeek(value[0] ?? ',');
            break;
          case '#empty_field':
            empty = unescapeZeek(value[0] ?? '(empty)');
            break;
          case '#unset_field':
            unset = unescapeZeek(value[0] ?? '-');
            break;
          case '#path':
            path = value[0];
            rebuild();
            break;
          case '#fields':
            fields = value;
            types = undefined;
            rebuild();
            break;
          case '#types':
            types = value;
            if (fields && types.length !== fields.length) {
              const msg = `#types names ${types.length} types for ${fields.length} #fields`;
              types = undefined;
              rebuild();
              return msg;
            }
            rebuild();
            break;
          default:
            break; // #open, #close, comments
        }
        return null;
      }
      if (columns === null) return 'data line before any #fields header';
      const cols: ZeekColumn[] = columns;
      const values = text.split(sep);
      if (values.length !== cols.length) return `${values.length} values for ${cols.length} #fields`;
      for (let i = 0; i < cols.length; i++) {
        // i is in range of both: their lengths are equal (checked above)
        const c = cols[i]!;
        const raw = values[i]!;
        if (raw === unset) {
          vals[i] = null;
          continue;
        }
        if (c.container) {
          if (raw === empty) {
            vals[i] = [];
            continue;
          }
          const items: EventValue[] = [];
          for (const part of raw.split(setSep)) {
            const v = c.conv(part);
            if (v === undefined) return `${c.name}: '${part}' is not a ${c.type} element`;
            items.push(v);
          }
          vals[i] = items;
          continue;
        }
        if (raw === empty) {
          vals[i] = '';
          continue;
        }
        const v = c.conv(raw);
        if (v === undefined) return `${c.name}: '${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}' is not a ${c.type}`;
        vals[i] = v;
      }
      const ev = make(vals);
      if (http) addZeekHttpFields(ev);
      return ev;
    },
  };
}

/** uri_path, uri_query, uri_extension from `uri` (Zeek http, TSV or JSON). */
export function addZeekHttpFields(ev: LogEvent): LogEvent {
  const uri = ev.uri;
  if (typeof uri !== 'string') return ev;
  const p = urlParts(uri);
  if (!('uri_path' in ev)) ev.uri_path = p.path;
  if (p.query !== undefined && !('uri_query' in ev)) ev.uri_query = p.query;
  if (p.extension !== undefined && !('uri_extension' in ev)) ev.uri_extension = p.extension;
  return ev;
}

export function readZeekTsvEvents(name: string, input: ByteChunks, head: ZeekHeader = {}, options: LineReaderOptions = {}): EventSource {
  const logsource = zeekLogsource(head);
  return createLineSource(
    { name, format: 'zeek-tsv', input, parser: createZeekTsvParser(), ...(logsource ? { logsource } : {}), ...(isZeekHttp(head) ? { pipeline: 'zeek-http' } : {}) },
    options,
  );
}
