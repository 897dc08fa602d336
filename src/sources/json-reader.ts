// The JSON event reader: NDJSON, concatenated or pretty-printed objects, top-level arrays; UTF-8
// (BOM or not) or UTF-16 (with a BOM, or told by its zero bytes); gzip is unpacked before it gets here (see open-source.ts).

import { StringDecoder } from 'node:string_decoder';
import { ProblemLog } from './problem-log.js';
import { GzipTrailerError, type ByteChunks } from './byte-input.js';
import { normalizeEvent } from './flatten.js';
import { DEFAULT_MAX_DEPTH } from '../json/parse-exact.js';
import { createJsonSplitter } from './json-splitter.js';
import { batchedRecords } from './batched-records.js';
import type { EventSource, LogEvent, SourceProblem, SourceRecord } from './types.js';

export interface JsonReaderOptions {
  /** Longest single record: bytes for UTF-8 input, UTF-16 code units for UTF-16. Default 16 MiB. */
  maxRecordLength?: number;
  /** Deepest nesting of objects/arrays in a record. Default 128. */
  maxDepth?: number;
  /** Problems kept in `problems` (all are counted in `problemCount`). Default 1000. */
  maxProblems?: number;
  /** Flatten Windows (evtx_dump-shaped) events; other JSON passes unchanged. Default true. */
  normalize?: boolean;
}

export const DEFAULT_MAX_RECORD_LENGTH = 16 * 1024 * 1024;
export const DEFAULT_MAX_PROBLEMS = 1000;
const PIECE = 64 * 1024;

export type TextEncodingLabel = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * The text encoding a BOM announces; without one, UTF-16 is told by its zero bytes (RFC 4627,
 * section 3: JSON starts with an ASCII character, so the first two code units read `xx 00 xx 00`
 * in UTF-16LE and `00 xx 00 xx` in UTF-16BE; UTF-8 JSON holds no zero byte); UTF-8 otherwise.
 */
export function encodingOf(head: Uint8Array): TextEncodingLabel {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head.length >= 4) {
    const [a, b, c, d] = head as unknown as [number, number, number, number];
    if (a !== 0 && b === 0 && c !== 0 && d === 0) return 'utf-16le';
    if (a === 0 && b !== 0 && c === 0 && d !== 0) return 'utf-16be';
  }
  return 'utf-8';
}

/** Length of the byte order mark at the start of `head` (0 when there is none). */
export function bomLength(head: Uint8Array): number {
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) return 2;
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 3;
  return 0;
}

/**
 * Reads JSON events from decoded-to-bytes input (`name` is what locations report).
 * Read errors (a truncated gzip, EIO) end the input with a problem instead of throwing.
 */
export function readJsonEvents(
  name: string,
  input: ByteChunks,
  options: JsonReaderOptions = {},
  encoding: TextEncodingLabel = 'utf-8',
): EventSource {
  const maxProblems = options.maxProblems ?? DEFAULT_MAX_PROBLEMS;
  const normalize = options.normalize ?? true;
  const log = new ProblemLog(name, maxProblems);
  let used = false;

  async function* batches(): AsyncGenerator<SourceRecord[], void, undefined> {
    if (used) throw new Error(`records() of ${name} can be iterated only once`);
    used = true;
    const ready: SourceRecord[] = [];
    let count = 0;
    const splitter = createJsonSplitter(
      {
        maxRecordLength: options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH,
        maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
        utf8AsLatin1: encoding === 'utf-8',
      },
      {
        record(event: LogEvent, line: number) {
          ready.push({ event: normalize ? normalizeEvent(event) : event, location: { file: name, line, record: ++count } });
        },
        problem: (line, message) => log.add(line, message),
      },
    );
    const decoder = encoding === 'utf-8' ? null : createUtf16Decoder(encoding);
    if (encoding === 'utf-8') input = withoutUtf8Bom(input);
    try {
      for await (const chunk of input) {
        // Pieces, each followed by handing out its records: records held back for a whole 1 MiB
        // chunk outlived a young-generation collection and were copied to the old one. Strings of
        // 128 KiB and more go to V8's large-object space, where making them costs tens of times
        // more (measured: 64 KiB latin1 pieces decode at ~8 GB/s, 256 KiB at ~0.2 GB/s).
        for (let at = 0; at < chunk.length; at += PIECE) {
          const piece = chunk.subarray(at, at + PIECE);
          // UTF-8 goes to the splitter as bytes (see its `utf8AsLatin1`): no state across chunk edges
          if (decoder === null) splitter.pushUtf8(asBuffer(piece));
          else splitter.push(decoder.write(piece));
          if (ready.length > 0) {
            // one array for every batch (batchedRecords is done with a batch when it asks for the
            // next): a new array each time made V8 double its young generation, +8 MB peak RSS
            yield ready;
            ready.length = 0;
          }
        }
      }
    } catch (e) {
      // a bad gzip trailer comes after all the data: reported, nothing lost
      log.add(undefined, e instanceof GzipTrailerError ? e.message : `read error, the rest of the input is lost: ${(e as Error).message}`);
    }
    if (decoder !== null) splitter.push(decoder.end());
    splitter.end();
    yield ready;
  }

  return {
    name,
    format: 'json',
    records: () => batchedRecords(batches()),
    problems: log.problems,
    get problemCount() {
      return log.count;
    },
  };
}

/** Bytes → text for UTF-16 input (stateful: a code unit or a surrogate pair can span chunks). */
function createUtf16Decoder(encoding: 'utf-16le' | 'utf-16be'): { write(b: Uint8Array): string; end(): string } {
  if (encoding === 'utf-16le') {
    const d = new StringDecoder('utf16le');
    return { write: (b) => d.write(b as Buffer), end: () => d.end() };
  }
  const d = new TextDecoder('utf-16be', { ignoreBOM: true });
  return { write: (b) => d.decode(b, { stream: true }), end: () => d.decode() };
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Drops a leading UTF-8 byte order mark, however the first bytes are chunked. */
async function* withoutUtf8Bom(input: ByteChunks): AsyncGenerator<Uint8Array> {
  const BOM = [0xef, 0xbb, 0xbf];
  let head = new Uint8Array(0);
  let checked = false;
  for await (const chunk of input) {
    if (checked) {
      yield chunk;
      continue;
    }
    head = Buffer.concat([head, chunk]);
    if (head.length < 3 && head.every((b, i) => b === BOM[i])) continue;
    checked = true;
    yield BOM.every((b, i) => head[i] === b) ? head.subarray(3) : head;
  }
  if (!checked && head.length > 0) yield head;
}
