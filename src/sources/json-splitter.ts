// Cuts a stream of JSON text into top-level records, whatever the layout:
//   NDJSON (one object a line), concatenated objects (pretty-printed back to back, or `{..}{..}`),
//   and top-level arrays of objects (compact or pretty), even several in a row.
// It never holds more than one record (capped) plus one chunk, so memory does not grow with input.
//
// Fast paths: an object that starts a line and ends with `}` on that same line is handed to the parser
// directly (NDJSON given as bytes, `pushUtf8`, costs one indexOf over the bytes, one UTF-8 decoding of
// the line and one JSON.parse per line, about what JSON.parse alone costs); so is a pretty-printed object that
// ends at the next line holding only `}` at its own indentation. Everything else goes through a
// structural scanner that only looks at quotes, backslashes, brackets and newlines.
//
// Recovery, so one bad record never costs the rest of the file:
//   * a record whose brackets balance but whose text is not JSON is reported and skipped;
//   * a record that is still open when a line starts with `{` at or left of the column where the
//     record began (column 1 if it began mid-line) is reported, and that line starts the next
//     record. Pretty printers indent nested objects deeper than the top level, so in NDJSON,
//     `jq`/evtx_dump output and indented arrays this is where the next record starts;
//   * a line that does not start with '{' (outside a record and outside an array) is one problem;
//     reading goes on at the next line;
//   * a raw newline inside a string (never valid JSON), a record longer than `maxRecordLength` or
//     nested deeper than `maxDepth`: reported, then lines are skipped up to the next line starting
//     with `{` at or left of the broken record's column (any column if it did not start a line).

import { isAscii } from 'node:buffer';
import { parseJson } from '../json/parse-exact.js';
import type { LogEvent } from './types.js';

export interface JsonSplitterOptions {
  /** Longest record accepted, in characters of the pushed text (bytes when `utf8AsLatin1`). */
  maxRecordLength: number;
  /** Deepest nesting accepted (objects and arrays). */
  maxDepth: number;
  /**
   * The pushed text is UTF-8 bytes decoded as latin1 (one character per byte). Node decodes latin1
   * several times faster than UTF-8 with non-ASCII text, and UTF-8 never puts a byte below 0x80
   * inside a multi-byte character, so brackets, quotes and newlines are found just the same; a
   * record is decoded as UTF-8 before parsing (from the bytes when they were pushed, `pushUtf8`;
   * from the text when it holds a non-ASCII character, `push`).
   */
  utf8AsLatin1?: boolean;
}

export interface JsonSplitterSink {
  record(event: LogEvent, line: number): void;
  problem(line: number, message: string): void;
}

export interface JsonSplitter {
  /** The next piece of text (with `utf8AsLatin1`: UTF-8 bytes decoded as latin1). */
  push(text: string): void;
  /**
   * The next bytes of UTF-8 input (needs `utf8AsLatin1`), of any size. Same records and problems as
   * `push(bytes.toString('latin1'))`, faster: NDJSON lines are cut and decoded straight from the
   * bytes, and the rest is decoded from them only once.
   */
  pushUtf8(bytes: Buffer): void;
  end(): void;
}

const LF = 0x0a, CR = 0x0d, SP = 0x20, TAB = 0x09, BOM = 0xfeff;
const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c;
const LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;

const IDLE = 0, RECORD = 1, SKIP = 2, SKIP_LINE = 3;
/** Longest text made from bytes at once (see pushUtf8). */
const TEXT_PIECE = 64 * 1024;
/** A partial line at the end of a chunk is carried over (to keep the fast path) up to this length. */
const CARRY_LIMIT = 1 << 20;

const IN_STRING = /["\\\n]/g;
const IN_OBJECT = /[{}[\]"\n]/g;
const IN_ELEMENT = /[{}[\]"\n,]/g; // a non-object array element ends at a top-level ',' or ']'

function isWs(c: number): boolean {
  return c === SP || c === TAB || c === CR || c === BOM;
}

/** isWs for a byte of UTF-8 (a BOM is three bytes, which the latin1 text shows as three characters, none of them blank) */
function isWsByte(c: number): boolean {
  return c === SP || c === TAB || c === CR;
}

const NON_ASCII = /[^\x00-\x7f]/;

export function createJsonSplitter(opts: JsonSplitterOptions, sink: JsonSplitterSink): JsonSplitter {
  const { maxRecordLength, maxDepth } = opts;
  const utf8AsLatin1 = opts.utf8AsLatin1 === true;

  function parse(text: string) {
    if (utf8AsLatin1 && NON_ASCII.test(text)) text = Buffer.from(text, 'latin1').toString('utf8');
    return parseJson(text, maxDepth);
  }

  // the bytes of the text being run (null when it has none, e.g. a carried line joined to the next
  // piece), and whether they are all ASCII (then every slice of the text is its own UTF-8 decoding)
  let bytes: Buffer | null = null;
  let bytesAscii = false;

  /** Parses s[from, to); s is the text being run. Same result as parse(s.slice(from, to)). */
  function parseSlice(s: string, from: number, to: number) {
    if (bytes === null) return parse(s.slice(from, to));
    const text = bytesAscii || isAscii(bytes.subarray(from, to)) ? s.slice(from, to) : bytes.toString('utf8', from, to);
    return parseJson(text, maxDepth);
  }

  let carry = '';
  // pushUtf8's own carry: the start of an NDJSON line cut by the end of the bytes pushed, kept as
  // bytes so that the line is decoded once, from its bytes, like every other line (carried as
  // text, it was decoded as latin1, again as UTF-8 and parsed through the text path)
  let byteCarry: Buffer | null = null;
  let line = 1;
  let lineHasContent = false; // a non-blank character was seen on the current line
  let indent = 0; // blank characters before the first content of the current line
  let inArray = false;
  let arrayLine = 0;
  let phase = IDLE;

  // the record being scanned
  let pieces: string[] = [];
  let recLength = 0;
  let recLine = 0;
  let recIndent = -1; // column of its first character when that starts a line, else -1
  let recIsObject = true; // false: a non-object array element, only skipped
  let depth = 0;
  let inString = false;
  let escaped = false;
  let segStart = 0;

  let resyncIndent = Infinity;

  function parseRecord(text: string | null, s: string, from: number, to: number, startLine: number): boolean {
    let value;
    try {
      value = text === null ? parseSlice(s, from, to) : parse(text);
    } catch (e) {
      sink.problem(startLine, `malformed JSON: ${(e as Error).message}`);
      return false;
    }
    sink.record(value as LogEvent, startLine); // text starts with '{', so this is an object
    return true;
  }

  function startRecord(pos: number, isObject: boolean): void {
    phase = RECORD;
    pieces = [];
    recLength = 0;
    recLine = line;
    recIndent = lineHasContent ? -1 : indent;
    recIsObject = isObject;
    depth = 0;
    inString = false;
    escaped = false;
    segStart = pos;
    lineHasContent = true;
  }

  function abandonRecord(message: string, skip: boolean): void {
    sink.problem(recLine, message);
    pieces = [];
    if (skip) {
      phase = SKIP;
      resyncIndent = recIndent >= 0 ? recIndent : Infinity;
    } else {
      phase = IDLE;
    }
  }

  /** Ends the record scanned; true when it was a valid object. */
  function finishRecord(s: string, end: number): boolean {
    phase = IDLE;
    if (!recIsObject) {
      sink.problem(recLine, 'array element is not an object');
      return false;
    }
    if (recLength + (end - segStart) > maxRecordLength) {
      sink.problem(recLine, `record longer than ${maxRecordLength} characters`);
      return false;
    }
    const ok = parseRecord(pieces.length === 0 ? null : pieces.join('') + s.slice(segStart, end), s, segStart, end, recLine);
    pieces = [];
    return ok;
  }

  /** A raw newline inside a string (JSON strings cannot hold one): the record is broken. */
  function brokenString(newlineAt: number): number {
    abandonRecord('unterminated string (line break inside a string)', true);
    return newlineAt;
  }

  /** Scans the open record from pos; returns where to continue. */
  function scanRecord(s: string, pos: number): number {
    const n = s.length;
    let i = pos;
    while (i < n) {
      if (!lineHasContent) {
        // first characters of a line inside a record: is a new record starting here?
        const c = s.charCodeAt(i);
        if (isWs(c)) {
          indent++;
          i++;
          continue;
        }
        if (c === LF) {
          line++;
          indent = 0;
          i++;
          continue;
        }
        lineHasContent = true;
        // (a non-object element runs to a ',' or ']' even at depth 0: without this, one broken
        // element swallowed every record after it, found by test/sources/reader-fuzz.test.ts)
        if (c === LBRACE && (depth > 0 || !recIsObject) && indent <= (recIndent >= 0 ? recIndent : 0)) {
          abandonRecord(`unterminated ${recIsObject ? 'object' : 'array element'} (a new record starts at line ${line})`, false);
          lineHasContent = false; // let the idle loop see this '{' as the first content of its line
          return i;
        }
      }
      if (inString) {
        if (escaped) {
          escaped = false;
          if (s.charCodeAt(i) === LF) return brokenString(i);
          i++;
          continue;
        }
        IN_STRING.lastIndex = i;
        const m = IN_STRING.exec(s);
        if (m === null) {
          i = n;
          break;
        }
        i = m.index;
        const c = s.charCodeAt(i);
        if (c === QUOTE) {
          inString = false;
          i++;
        } else if (c === BACKSLASH) {
          if (i + 1 >= n) {
            escaped = true;
            i++;
          } else if (s.charCodeAt(i + 1) === LF) return brokenString(i + 1);
          else i += 2;
        } else return brokenString(i);
        continue;
      }
      const re = recIsObject ? IN_OBJECT : IN_ELEMENT;
      re.lastIndex = i;
      const m = re.exec(s);
      if (m === null) {
        i = n;
        break;
      }
      i = m.index;
      switch (s.charCodeAt(i)) {
        case QUOTE:
          inString = true;
          i++;
          break;
        case LBRACE:
        case LBRACKET:
          if (++depth > maxDepth) {
            abandonRecord(`nested deeper than ${maxDepth} levels`, true);
            return i + 1;
          }
          i++;
          break;
        case RBRACE:
        case RBRACKET:
          if (depth === 0) {
            // only a non-object element gets here: the ']' closing the top-level array ends it; a
            // stray '}' is part of the broken element (left for the caller, it would start another
            // element at the same place, and again: found by test/sources/reader-fuzz.test.ts)
            if (s.charCodeAt(i) === RBRACE) i++;
            finishRecord(s, i);
            return i;
          }
          depth--;
          i++;
          if (depth === 0 && recIsObject) {
            if (!finishRecord(s, i)) {
              // brackets are only counted, so a ']' for a '}' (or a lost '[') can close a broken
              // record early: what is left of it on its line, up to a '{' that may start the next
              // record, is debris of that one problem, not another
              for (let c = s.charCodeAt(i); i < n && c !== LF && c !== LBRACE; c = s.charCodeAt(++i));
            }
            return i;
          }
          break;
        case COMMA:
          if (depth === 0) {
            finishRecord(s, i);
            return i;
          }
          i++;
          break;
        default: // LF
          line++;
          indent = 0;
          lineHasContent = false;
          i++;
      }
    }
    // the chunk ended inside the record: keep what we have, if it is not too much already
    const piece = s.slice(segStart, n);
    recLength += piece.length;
    if (recLength > maxRecordLength) {
      abandonRecord(`record longer than ${maxRecordLength} characters`, true);
    } else {
      pieces.push(piece);
    }
    return n;
  }

  /** Skips to the next line that starts a record at or left of resyncIndent. */
  function skipLines(s: string, pos: number): number {
    const n = s.length;
    let i = pos;
    while (i < n) {
      if (lineHasContent) {
        const nl = s.indexOf('\n', i);
        if (nl < 0) return n;
        line++;
        indent = 0;
        lineHasContent = false;
        i = nl + 1;
        continue;
      }
      const c = s.charCodeAt(i);
      if (isWs(c)) {
        indent++;
        i++;
      } else if (c === LF) {
        line++;
        indent = 0;
        i++;
      } else if (c === LBRACE && indent <= resyncIndent) {
        phase = IDLE;
        return i;
      } else {
        lineHasContent = true;
      }
    }
    return n;
  }

  function isLineEndAfterCloser(c: number): boolean {
    return c === LF || c === CR || c === SP || c === TAB || c === COMMA || c === RBRACKET || c === LBRACE;
  }

  /** The fast path: a '{' that starts the rest of a line ending in '}' (or '},' inside an array). */
  function tryWholeLine(s: string, pos: number, nl: number): number {
    let end = nl;
    while (end > pos && isWs(s.charCodeAt(end - 1))) end--;
    const after = end;
    if (inArray && s.charCodeAt(end - 1) === COMMA) {
      end--;
      while (end > pos && isWs(s.charCodeAt(end - 1))) end--;
    }
    if (s.charCodeAt(end - 1) !== RBRACE || end - pos > maxRecordLength) return -1;
    let value;
    try {
      value = parseSlice(s, pos, end);
    } catch {
      return -1; // let the scanner find out what is wrong, and where the record ends
    }
    sink.record(value as LogEvent, line);
    lineHasContent = true;
    return after;
  }

  /**
   * The pretty-printed fast path (evtx_dump, jq, JSON.stringify with indent): a record whose
   * opening '{' starts a line ends at the first line holding only '}' at the same indentation.
   * Taken only when that text parses; anything else (or a record crossing the end of this text)
   * goes through the scanner. Four times faster than scanning on evtx_dump output.
   */
  function tryPrettyRecord(s: string, pos: number, final: boolean): number {
    const lineStart = pos - indent;
    if (lineStart < 0) return -1; // its indentation is in an earlier piece of text
    const closer = indent === 0 ? '\n}' : '\n' + s.slice(lineStart, pos) + '}';
    const at = s.indexOf(closer, pos);
    if (at < 0) return -1;
    const end = at + closer.length;
    if (end - pos > maxRecordLength) return -1;
    if (end === s.length ? !final : !isLineEndAfterCloser(s.charCodeAt(end))) return -1;
    let value;
    try {
      value = parseSlice(s, pos, end);
    } catch {
      return -1;
    }
    sink.record(value as LogEvent, line);
    for (let i = s.indexOf('\n', pos); i >= 0 && i < end; i = s.indexOf('\n', i + 1)) line++;
    lineHasContent = true;
    return end;
  }

  function run(s: string, start: number, final: boolean): void {
    const n = s.length;
    let pos = start;
    if (phase === RECORD) segStart = start; // a record continued from the previous piece of text
    while (pos < n) {
      if (phase === RECORD) {
        pos = scanRecord(s, pos);
        continue;
      }
      if (phase === SKIP) {
        pos = skipLines(s, pos);
        continue;
      }
      if (phase === SKIP_LINE) {
        const nl = s.indexOf('\n', pos);
        if (nl < 0) return;
        phase = IDLE;
        pos = nl;
        continue;
      }
      const c = s.charCodeAt(pos);
      if (c === LF) {
        line++;
        indent = 0;
        lineHasContent = false;
        pos++;
      } else if (isWs(c)) {
        if (!lineHasContent) indent++;
        pos++;
      } else if (c === LBRACE) {
        if (!lineHasContent) {
          const nl = s.indexOf('\n', pos);
          if (nl < 0 && !final && n - pos <= CARRY_LIMIT) {
            carry = s.slice(pos);
            return;
          }
          let next = tryWholeLine(s, pos, nl < 0 ? n : nl);
          if (next < 0 && nl >= 0) next = tryPrettyRecord(s, pos, final);
          if (next >= 0) {
            pos = next;
            continue;
          }
        }
        startRecord(pos, true);
      } else if (inArray && c === COMMA) {
        lineHasContent = true;
        pos++;
      } else if (inArray && c === RBRACKET) {
        inArray = false;
        lineHasContent = true;
        pos++;
      } else if (!inArray && c === LBRACKET) {
        inArray = true;
        arrayLine = line;
        lineHasContent = true;
        pos++;
      } else if (inArray) {
        startRecord(pos, false);
      } else {
        const what = c < 0x80 ? JSON.stringify(String.fromCharCode(c)) : 'non-ASCII text';
        sink.problem(line, `unexpected ${what}: expected '{' to start a record`);
        phase = SKIP_LINE; // each garbage line is its own problem
        lineHasContent = true;
      }
    }
  }

  /** `text` with the bytes it was decoded from as latin1 (one per character), when there are such. */
  function push(text: string, textBytes: Buffer | null): void {
    const own = utf8AsLatin1 ? textBytes : null;
    const ascii = own !== null && isAscii(own);
    if (carry === '') {
      bytes = own;
      bytesAscii = ascii;
      run(text, 0, false);
      return;
    }
    // Complete the carried line on its own: scanning `carry + text` as one string would make V8
    // work on a cons string and cost several times more than the parse.
    const rest = carry;
    carry = '';
    bytes = null;
    const nl = text.indexOf('\n');
    if (nl < 0) {
      run(rest + text, 0, false);
      return;
    }
    run(rest + text.slice(0, nl + 1), 0, false);
    bytes = own;
    bytesAscii = ascii;
    run(text, nl + 1, false);
  }

  /**
   * The NDJSON fast path on bytes: while the splitter stands at the start of a line outside any
   * record or array, a line that starts with '{' and ends with '}' (blanks after it allowed) is
   * decoded and parsed on its own, exactly as tryWholeLine would from the latin1 text; an empty
   * line only counts. Returns where it stopped: the first other line, or a line that goes on past
   * the end of `b`, is for the text path.
   */
  function wholeLines(b: Buffer, pos: number): number {
    while (pos < b.length && phase === IDLE && !inArray && !lineHasContent && indent === 0 && carry === '') {
      const nl = b.indexOf(LF, pos);
      if (nl < 0) {
        // the text path would carry this line over too (run: a '{' with no line break yet)
        if (b[pos] === LBRACE && b.length - pos <= TEXT_PIECE) {
          byteCarry = Buffer.from(b.subarray(pos));
          return b.length;
        }
        break;
      }
      if (nl === pos) {
        line++;
        pos++;
        continue;
      }
      if (b[pos] !== LBRACE) break;
      let end = nl;
      while (end > pos && isWsByte(b[end - 1]!)) end--;
      if (b[end - 1] !== RBRACE || end - pos > maxRecordLength) break;
      let value;
      try {
        // UTF-8 is toString's default: naming it costs an encoding look-up per line (measured: the
        // decoding of a line of ~1 KB took 15-25% longer with 'utf8' spelt out)
        value = parseJson(b.toString(undefined, pos, end), maxDepth);
      } catch {
        break; // the text path tries again and finds out what is wrong, and where the record ends
      }
      sink.record(value as LogEvent, line);
      line++;
      pos = nl + 1;
    }
    return pos;
  }

  /**
   * Completes a line carried over as bytes with the start of `b`; returns where `b` goes on. The
   * line is finished here when it is a whole-line record; any other line, and a carried line whose
   * end is not near, goes to the text path as the latin1 text it would have carried itself.
   */
  function completeByteCarry(b: Buffer): number {
    const held = byteCarry!;
    byteCarry = null;
    const nl = b.indexOf(LF);
    if (nl < 0 || nl >= TEXT_PIECE) {
      push(held.toString('latin1'), held);
      return 0;
    }
    const whole = Buffer.concat([held, b.subarray(0, nl + 1)]);
    const at = wholeLines(whole, 0);
    if (at < whole.length) {
      const rest = whole.subarray(at);
      push(rest.toString('latin1'), rest);
    }
    return nl + 1;
  }

  /** Hands a line carried over as bytes to the text path (before text that is not bytes, or the end). */
  function flushByteCarry(): void {
    if (byteCarry === null) return;
    const held = byteCarry;
    byteCarry = null;
    push(held.toString('latin1'), held);
  }

  function pushUtf8(b: Buffer): void {
    let pos = byteCarry === null ? 0 : completeByteCarry(b);
    while (pos < b.length) {
      let to: number;
      if (carry !== '') {
        // a line begun in an earlier piece: the text path holds it, and completes it
        const nl = b.indexOf(LF, pos);
        to = nl >= 0 && nl - pos < TEXT_PIECE ? nl + 1 : Math.min(b.length, pos + TEXT_PIECE);
      } else {
        pos = wholeLines(b, pos);
        if (pos === b.length) return;
        to = Math.min(b.length, pos + TEXT_PIECE);
      }
      // Strings of 128 KiB and more go to V8's large-object space, where making them costs tens of
      // times more (measured: 64 KiB latin1 pieces decode at ~8 GB/s, 256 KiB at ~0.2 GB/s).
      const piece = b.subarray(pos, to);
      push(piece.toString('latin1'), piece);
      pos = to;
    }
  }

  return {
    push: (text: string) => {
      flushByteCarry();
      push(text, null);
    },
    pushUtf8,
    end(): void {
      flushByteCarry();
      const rest = carry;
      carry = '';
      bytes = null;
      run(rest, 0, true);
      if (phase === RECORD) {
        if (recIsObject) sink.problem(recLine, 'unterminated object at end of input');
        else sink.problem(recLine, 'array element is not an object');
      } else if (inArray) {
        sink.problem(arrayLine, "unterminated array (no closing ']' before end of input)");
      }
      phase = IDLE;
      inArray = false;
    },
  };
}
