// Zeek http.log written as NDJSON (Zeek's JSON writer, or a shipper's copy of it): the JSON reader
// reads it; this tells it apart from other JSON and gives it the Zeek http log source, pipeline and
// derived fields (uri_path, uri_query, uri_extension, as for Zeek TSV).
//
// Recognised from the first record: `_path`/`@stream` "http", or the http.log columns `uid`, an
// originator address (`id.orig_h`, Zeek's own name, or `id_orig_h`, what shippers that dislike dots
// write) and `method`/`uri`/`user_agent`/`status_code`.

import type { ByteChunks } from './byte-input.js';
import { readJsonEvents, type JsonReaderOptions, type TextEncodingLabel } from './json-reader.js';
import type { EventSource, SourceRecord } from './types.js';
import { addZeekHttpFields } from './zeek-tsv-reader.js';

export const ZEEK_HTTP_LOGSOURCE = { category: 'proxy', product: 'zeek', service: 'http' } as const;

/** Whether a parsed first JSON record is a Zeek http.log entry. */
export function isZeekHttpRecord(rec: unknown): boolean {
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return false;
  const r = rec as Record<string, unknown>;
  const path = r._path ?? r['@stream'];
  if (typeof path === 'string') return path === 'http' && 'uid' in r;
  const orig = 'id.orig_h' in r || 'id_orig_h' in r || (typeof r.id === 'object' && r.id !== null && 'orig_h' in r.id);
  return typeof r.uid === 'string' && orig && ('method' in r || 'uri' in r || 'user_agent' in r || 'status_code' in r);
}

export function readZeekJsonEvents(name: string, input: ByteChunks, options: JsonReaderOptions = {}, encoding: TextEncodingLabel = 'utf-8'): EventSource {
  const json = readJsonEvents(name, input, { ...options, normalize: false }, encoding);
  async function* records(): AsyncGenerator<SourceRecord> {
    for await (const r of json.records()) {
      addZeekHttpFields(r.event);
      yield r;
    }
  }
  return {
    name,
    format: 'zeek-json',
    logsource: { ...ZEEK_HTTP_LOGSOURCE },
    pipeline: 'zeek-http',
    records,
    problems: json.problems,
    get problemCount() {
      return json.problemCount;
    },
  };
}
