// Generic CSV with a header line (RFC 4180): comma separated, `"…"` quoting with `""` for a quote,
// line breaks inside quotes kept, as \n (a record then spans lines; its location is the line it starts
// on). The header names the fields; every value is a string (CSV has no types), an empty cell is ''.
// A record with a different number of cells than the header is a problem, as is a quote that
// never closes (reported at the line it opened, at the end of input).
// CSV implies no log source and no pipeline: its field names are whatever the exporter chose.

import type { ByteChunks } from './byte-input.js';
import { createLineSource, eventMaker, RecordAt, type LineParser, type LineReaderOptions } from './line-source.js';
import type { EventSource, LogEvent } from './types.js';
import { readQuoted, type Cursor } from './quoted.js';

/** Longest record (header or data), quoted line breaks included. */
const MAX_RECORD = 4 * 1024 * 1024;

/** Cells of one complete record, or null when a quote is still open at its end. */
export function splitCsv(text: string, sep = ','): string[] | null {
  const out: string[] = [];
  if (text.indexOf('"') < 0) return text.split(sep);
  let i = 0;
  const n = text.length;
  const cursor: Cursor = { at: 0 };
  for (;;) {
    if (text.charCodeAt(i) === 34) {
      cursor.at = i + 1;
      let v = readQuoted(text, cursor);
      if (v === null) return null;
      i = cursor.at;
      // Text between the closing quote and the separator is kept (lenient, like most readers).
      const next = text.indexOf(sep, i);
      v += next < 0 ? text.slice(i) : text.slice(i, next);
      out.push(v);
      if (next < 0) return out;
      i = next + sep.length;
    } else {
      const next = text.indexOf(sep, i);
      out.push(next < 0 ? text.slice(i) : text.slice(i, next));
      if (next < 0) return out;
      i = next + sep.length;
    }
    if (i > n) return out;
  }
}

/** Whether quotes are balanced, i.e. the record is complete (an odd count means a quote is open). */
function quotesOpen(text: string): boolean {
  let open = false;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) open = !open;
  return open;
}

export function createCsvParser(): LineParser {
  let header: string[] | null = null;
  let make: (v: string[]) => LogEvent = () => ({});
  let pending: string | null = null;
  let pendingLine = 0;

  function record(text: string, line: number): LogEvent | RecordAt | string | null {
    const cells = splitCsv(text);
    if (cells === null) return 'unterminated quoted value';
    if (header === null) {
      header = cells.map((c) => c.trim());
      make = eventMaker(header);
      return null;
    }
    if (cells.length === 1 && cells[0] === '') return null; // blank line
    if (cells.length !== header.length) return `${cells.length} cells for ${header.length} header fields`;
    return new RecordAt(make(cells), line);
  }

  return {
    line(text, lineNo) {
      if (pending !== null) {
        pending += '\n' + text;
        if (pending.length > MAX_RECORD) {
          const at = pendingLine;
          pending = null;
          return problemAt(`record longer than ${MAX_RECORD} characters (an unclosed quote?)`, at);
        }
        if (quotesOpen(pending)) return null;
        const t = pending;
        pending = null;
        return withLine(record(t, pendingLine), pendingLine);
      }
      if (text.indexOf('"') >= 0 && quotesOpen(text)) {
        pending = text;
        pendingLine = lineNo;
        return null;
      }
      return record(text, lineNo);
    },
    end() {
      if (pending === null) return null;
      return { problem: 'unterminated quoted value at the end of input', line: pendingLine };
    },
  };
}

// A problem belongs to the line where its record started; line-source reports strings at the
// current line, so multi-line problems carry their own line in the text.
function problemAt(message: string, line: number): string {
  return `${message} (record starting at line ${line})`;
}
function withLine(r: LogEvent | RecordAt | string | null, line: number): LogEvent | RecordAt | string | null {
  return typeof r === 'string' ? problemAt(r, line) : r;
}

export function readCsvEvents(name: string, input: ByteChunks, options: LineReaderOptions = {}): EventSource {
  return createLineSource({ name, format: 'csv', input, parser: createCsvParser() }, options);
}
