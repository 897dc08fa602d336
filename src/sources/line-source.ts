// The shared body of the line-oriented readers (W3C, Squid, Zeek TSV, CSV): bytes → UTF-8 lines →
// one parser call per line. Memory is bounded by the longest line allowed; a line that is too long,
// or that the parser refuses, is counted as a problem at its line number and reading goes on.

import { StringDecoder } from 'node:string_decoder';
import { batchedRecords } from './batched-records.js';
import { ProblemLog } from './problem-log.js';
import { GzipTrailerError, type ByteChunks } from './byte-input.js';
import type { EventSource, EventValue, ImpliedLogSource, LogEvent, SourceFormat, SourceProblem, SourceRecord } from './types.js';

export const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024;
export const DEFAULT_MAX_PROBLEMS = 1000;
const PIECE = 64 * 1024;

export interface LineReaderOptions {
  /** Longest line, in UTF-16 code units after decoding. Default 1 MiB. */
  maxLineLength?: number;
  /** Problems kept in `problems` (all are counted in `problemCount`). Default 1000. */
  maxProblems?: number;
}

/** A record that began on an earlier line than the one that completed it (CSV quoted newlines). */
export class RecordAt {
  constructor(
    readonly event: LogEvent,
    readonly line: number,
  ) {}
}

/**
 * What a parser makes of one line: an event (a record at this line), `null` (not a record: a
 * directive, a blank line, or the first line of a record continued below), a string (this line is
 * malformed: the message), or a RecordAt.
 */
export type LineResult = LogEvent | RecordAt | string | null;

export interface LineParser {
  line(text: string, lineNo: number): LineResult;
  /** At the end of input: a pending record, or a problem (an unterminated quoted value). */
  end?(lastLine: number): RecordAt | { problem: string; line: number } | null;
}

export interface LineSourceSpec {
  name: string;
  format: SourceFormat;
  logsource?: ImpliedLogSource;
  pipeline?: string;
  input: ByteChunks;
  parser: LineParser;
}

export function createLineSource(spec: LineSourceSpec, options: LineReaderOptions = {}): EventSource {
  const { name, input, parser } = spec;
  const maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const maxProblems = options.maxProblems ?? DEFAULT_MAX_PROBLEMS;
  const log = new ProblemLog(name, maxProblems);
  let used = false;

  // Records in batches (a chunk of input's lines at a time), handed out one by one by batchedRecords:
  // one resolved promise a record instead of an async generator's two trips through the microtasks.
  async function* batches(): AsyncGenerator<SourceRecord[], void, undefined> {
    if (used) throw new Error(`records() of ${name} can be iterated only once`);
    used = true;
    let lineNo = 0;
    let count = 0;
    let carry = '';
    let skipping = false; // inside a line that grew past maxLine: drop until its end
    let first = true;
    const decoder = new StringDecoder('utf8');
    let ready: SourceRecord[] = [];

    const handle = (text: string): void => {
      lineNo++;
      if (text.length > 0 && text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
      let r: LineResult;
      try {
        r = parser.line(text, lineNo);
      } catch (e) {
        r = `cannot parse line: ${(e as Error).message}`;
      }
      if (r === null) return;
      if (typeof r === 'string') log.add(lineNo, r);
      else if (r instanceof RecordAt) ready.push({ event: r.event, location: { file: name, line: r.line, record: ++count } });
      else ready.push({ event: r, location: { file: name, line: lineNo, record: ++count } });
    };

    const feed = (s: string): void => {
      if (first) {
        first = false;
        if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      }
      let at = 0;
      for (;;) {
        const nl = s.indexOf('\n', at);
        if (nl < 0) break;
        if (skipping) {
          skipping = false;
          lineNo++;
          log.add(lineNo, `line longer than ${maxLine} characters: skipped`);
        } else if (carry.length > 0) {
          const text = carry + s.slice(at, nl);
          carry = '';
          if (text.length > maxLine) {
            lineNo++;
            log.add(lineNo, `line longer than ${maxLine} characters: skipped`);
          } else handle(text);
        } else if (nl - at > maxLine) {
          lineNo++;
          log.add(lineNo, `line longer than ${maxLine} characters: skipped`);
        } else handle(s.slice(at, nl));
        at = nl + 1;
      }
      if (at < s.length && !skipping) {
        carry += s.slice(at);
        if (carry.length > maxLine) {
          carry = '';
          skipping = true;
        }
      }
    };

    try {
      for await (const chunk of input) {
        // Same reason as the JSON reader: strings of 128 KiB and more are slow for V8 to make.
        for (let at = 0; at < chunk.length; at += PIECE) feed(decoder.write(chunk.subarray(at, at + PIECE) as Buffer));
        if (ready.length > 0) {
          yield ready;
          ready = [];
        }
      }
    } catch (e) {
      // a bad gzip trailer comes after all the data: reported, nothing lost
      log.add(undefined, e instanceof GzipTrailerError ? e.message : `read error, the rest of the input is lost: ${(e as Error).message}`);
    }
    feed(decoder.end());
    if (skipping) {
      lineNo++;
      log.add(lineNo, `line longer than ${maxLine} characters: skipped`);
    } else if (carry.length > 0) {
      const text = carry;
      carry = '';
      handle(text);
    }
    const last = parser.end?.(lineNo);
    if (last instanceof RecordAt) ready.push({ event: last.event, location: { file: name, line: last.line, record: ++count } });
    else if (last) log.add(last.line, last.problem);
    if (ready.length > 0) yield ready;
  }

  return {
    name,
    format: spec.format,
    ...(spec.logsource ? { logsource: spec.logsource } : {}),
    ...(spec.pipeline ? { pipeline: spec.pipeline } : {}),
    records: () => batchedRecords(batches()),
    problems: log.problems,
    get problemCount() {
      return log.count;
    },
  };
}

/** The first lines of a sniffed head (decoded leniently), for readers that decide things at open time. */
export function headLines(head: Uint8Array, max = 200): string[] {
  let text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n', max + 1);
  // The last piece may be cut mid-line (unless the head is the whole input and ends with \n).
  if (lines.length > 1) lines.pop();
  return lines.slice(0, max).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/**
 * Makes events of one column layout (a W3C #Fields:, a Zeek #fields, a CSV header) as object literals: V8 then gives every event of the layout
 * one shape and fast stores (assigning computed keys one by one was half the reading time). Names
 * enter the source only through JSON.stringify, which yields a plain string literal; `__proto__`,
 * the one name a literal treats specially, takes the generic path.
 */
export function eventMaker(names: string[]): (v: EventValue[]) => LogEvent {
  if (names.includes('__proto__') || new Set(names).size !== names.length) {
    return (v) => {
      const ev: LogEvent = {};
      for (let i = 0; i < names.length; i++) Object.defineProperty(ev, names[i]!, { value: v[i], enumerable: true, writable: true, configurable: true });
      return ev;
    };
  }
  const body = `return {${names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ')}};`;
  return new Function('v', body) as (v: EventValue[]) => LogEvent;
}

