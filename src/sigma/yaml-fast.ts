// A fast reader for the plain YAML nearly every Sigma rule is written in: one document of block maps
// and sequences, plain, quoted and block scalars, comments. It builds the same position tree as
// yaml-tree.ts (every node's start and end, every key's span, each scalar's value and source) about
// ten times faster than the `yaml` package, which a cold load of a corpus otherwise spends most of
// its time in.
//
// It never guesses: anything outside that subset, or anything that might be a YAML error (tabs outside
// comment lines, flow collections, anchors, aliases, tags, directives, several documents, unknown
// escapes, odd indentation, scalars the core schema reads as floats or special numbers, …), makes it
// answer null, and the caller reads the file with the full parser, which reports every problem with
// its position. The corpus test holds the two to the same tree for every SigmaHQ file the fast reader
// takes.
import type { Position } from './diagnostics.js';
import { MAX_YAML_DEPTH } from './limits.js';
import type { LoadedDocument, ScalarValue, YEntry, YNode, YScalar } from './yaml-tree.js';

/** Thrown inside the reader when the text leaves the subset: the file goes to the full parser. */
class Leave extends Error {}
const leave = (): never => {
  throw new Leave();
};

/** The one document of `text` as yaml-tree.ts would load it, or null to load it with the full parser. */
export function fastYamlDocument(text: string): LoadedDocument | null {
  if (ODD_SPACE.test(text)) return null;
  try {
    return new Reader(text, countSpecialSpaces(text)).document();
  } catch (e) {
    if (e instanceof Leave) return null;
    throw e;
  }
}

// Plain scalars the YAML 1.2 core schema reads as something other than a string or an integer.
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const SPECIAL_NUMBER = /^(0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;
/** The core schema's decimal integers, a sign included (those with leading zeros stay text: LEADING_ZERO). */
const INT = /^[-+]?[0-9]+$/;
/** Digits with a zero before another digit: text, not a number (yaml-tree.ts's scalar() says why). */
export const LEADING_ZERO = /^[-+]?0[0-9]/;
const NULL = /^(~|null|Null|NULL)$/;
const TRUE = /^(true|True|TRUE)$/;
const FALSE = /^(false|False|FALSE)$/;
/** Characters that may not start a plain scalar here (or would start something else). */
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;
/**
 * Carriage returns, form feeds, the line breaks of YAML 1.1 (NEL, LS, PS) and byte order marks
 * anywhere: where the two readers could draw a different line or span, the full parser reads.
 */
const ODD_SPACE = /[\r\v\f\u0085\u2028\u2029\ufeff]/;
/**
 * Tabs are taken on comment lines only (`# - '<tab>'  # Horizontal Tab`, as SigmaHQ writes them), where
 * YAML reads them as comment text; anywhere else (indentation, separation, content) the full parser reads.
 */
const COMMENT_LINE = /^ *#/;
/** A plain scalar may start with `-`, `?` or `:` when a non-space follows (`:\ProgramData'`, `-x`). */
const PLAIN_INDICATOR_START = /^[-?:][^ ]/;
/**
 * Spaces that YAML reads as ordinary characters (no-break, em and the like) but that the `yaml`
 * package may treat otherwise where it trims or separates: the fast reader takes them inside quoted
 * scalars only, which is where rules that look for them (whitespace padding, obfuscation) put them.
 */
const SPECIAL_SPACE = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;
function countSpecialSpaces(text: string): number {
  SPECIAL_SPACE.lastIndex = 0;
  let n = 0;
  while (SPECIAL_SPACE.test(text)) n++;
  return n;
}
/** Nesting deeper than this is left to the full parser, which reports too deep a tree (limits.ts). */
const MAX_DEPTH = MAX_YAML_DEPTH - 2;

interface Line {
  /** Index of the line's first character in the text. */
  start: number;
  text: string;
  indent: number;
  /** Blank or only a comment. */
  empty: boolean;
}

class Reader {
  private readonly lines: Line[];
  /** The next line to read. */
  private i = 0;
  /** The text holds a tab (on comment lines only, or the reader has left). */
  private readonly tabs: boolean;

  /**
   * `specialSpaces`: how many SPECIAL_SPACE characters the text holds. Quoted scalars account for
   * theirs as they are read; any left over at the end lie elsewhere, and the text goes to the full parser.
   */
  constructor(text: string, private specialSpaces: number) {
    this.tabs = text.includes('\t');
    let start = 0;
    this.lines = text.split('\n').map((t) => {
      if (this.tabs && t.includes('\t') && !COMMENT_LINE.test(t)) leave();
      // Document markers and directives: several documents, or a header, are the full parser's.
      const c0 = t.charCodeAt(0);
      if ((c0 === 45 && t.startsWith('---')) || (c0 === 46 && t.startsWith('...')) || c0 === 37) leave();
      let indent = 0;
      while (t.charCodeAt(indent) === 32) indent++;
      const line = { start, text: t, indent, empty: indent === t.length || t[indent] === '#' };
      start += t.length + 1;
      return line;
    });
  }

  document(): LoadedDocument {
    this.skipEmpty();
    const first = this.lines[this.i];
    if (!first) return leave(); // no document: the full parser says what that is
    if (first.indent !== 0) leave();
    const root = this.isSeqItem(first, 0) ? this.seq(0, 0) : this.map(0, 0);
    this.skipEmpty();
    if (this.i < this.lines.length) leave(); // something at a shallower indentation or left over
    if (this.specialSpaces !== 0) leave();
    return { root, pos: root.pos, problems: this.duplicates };
  }

  /** Duplicate keys, reported as yaml-tree.ts reports them (the only problem the fast reader finds itself). */
  private readonly duplicates: LoadedDocument['problems'] = [];

  private at(line: number, col0: number): Position {
    return { line: line + 1, col: col0 + 1 };
  }

  private skipEmpty(): void {
    while (this.i < this.lines.length && this.lines[this.i]!.empty) this.i++;
  }

  private isSeqItem(l: Line, col: number): boolean {
    return l.text[col] === '-' && (l.text.length === col + 1 || l.text[col + 1] === ' ');
  }

  /** A block map whose first key starts at column `col` of the current line. */
  private map(col: number, depth: number): YNode {
    if (depth > MAX_DEPTH) leave();
    const entries: YEntry[] = [];
    let seen: Map<string, Position> | null = null;
    let first = true;
    for (;;) {
      if (!first) {
        this.skipEmpty();
        const l = this.lines[this.i];
        if (!l || l.indent < col) break;
        if (l.indent > col || this.isSeqItem(l, col)) leave();
      }
      first = false;
      const n = this.i;
      const line = this.lines[n]!;
      const t = line.text;
      // The key: a quoted scalar on its line ('|all':), or plain text up to the first ': ' (or a ':' ending the line).
      let key: string;
      let colon: number;
      if (isQuote(t[col])) {
        const q = this.quoted(t, col);
        key = q.value;
        colon = q.end;
        if (t[colon] !== ':' || (colon + 1 < t.length && t[colon + 1] !== ' ')) leave();
      } else {
        colon = t.indexOf(': ', col);
        if (colon < 0) colon = t.endsWith(':') ? t.length - 1 : leave();
        key = t.slice(col, colon);
        if (key === '' || !(plainWordStart(key.charCodeAt(0)) || (!INDICATOR.test(key) && resolvePlain(key) === key)) || key.endsWith(' ') || key.includes(' #')) leave();
      }
      const keyPos = this.at(n, col);
      const keyEnd = this.at(n, colon);
      if (entries.length === SCANNED_KEYS) seen = new Map(entries.map((e) => [e.key, e.keyPos])); // a long map: looked up from here on
      const prev = seen ? seen.get(key) : firstDefinition(entries, key);
      if (prev) this.duplicates.push({ span: { start: keyPos, end: keyEnd }, message: `duplicate key '${key}' (first defined at line ${prev.line})`, code: 'duplicate-key' });
      else seen?.set(key, keyPos);
      let v = colon + 1;
      while (t[v] === ' ') v++;
      let value: YNode;
      if (v >= t.length || t[v] === '#') {
        // Nothing but spaces or a comment after the key on its line: a nested block or a plain
        // scalar below, or an empty value, which starts where the comment or the line's end does.
        this.i++;
        this.skipEmpty();
        const next = this.lines[this.i];
        if (next && next.indent > col) {
          if (this.isSeqItem(next, next.indent)) value = this.seq(next.indent, depth + 1);
          // A quoted start is a quoted key here (`'CommandLine|contains': x`); a quoted scalar alone
          // on the next line is left by map() to the full parser.
          else if (isQuote(next.text[next.indent]) || startsKey(next.text.slice(next.indent))) value = this.map(next.indent, depth + 1);
          // A block scalar header alone below its key has indentation rules of its own: the full parser's.
          else if (next.text[next.indent] === '|' || next.text[next.indent] === '>') value = leave();
          // A plain scalar on the lines below its key, such as a condition written over several lines.
          else value = this.scalar(next.indent, col, depth + 1);
        } else if (next && next.indent === col && this.isSeqItem(next, col)) value = this.seq(col, depth + 1);
        else {
          const p = this.at(n, v);
          value = { kind: 'scalar', value: null, source: '', quoted: false, pos: p, end: p };
        }
      } else {
        value = this.scalar(v, col, depth);
      }
      entries.push({ key, keyPos, keyEnd, value });
    }
    return { kind: 'map', entries, pos: entries[0]!.keyPos, end: entries[entries.length - 1]!.value.end };
  }

  /** A block sequence whose dashes are at column `col`, starting on the current line. */
  private seq(col: number, depth: number): YNode {
    if (depth > MAX_DEPTH) leave();
    const items: YNode[] = [];
    const pos = this.at(this.i, col);
    for (;;) {
      this.skipEmpty();
      const l = this.lines[this.i];
      if (!l || l.indent !== col || !this.isSeqItem(l, col)) {
        if (l && l.indent > col) leave();
        break;
      }
      let v = col + 1;
      while (l.text[v] === ' ') v++;
      if (v >= l.text.length || l.text[v] === '#') leave(); // an item on the next lines, or empty
      if (this.isSeqItem(l, v)) leave(); // a sequence in a sequence
      items.push(startsKey(l.text.slice(v)) ? this.map(v, depth + 1) : this.scalar(v, col, depth + 1));
    }
    return { kind: 'seq', items, pos, end: items[items.length - 1]!.end };
  }

  /**
   * The scalar starting at column `v` of the current line, inside a block whose own indentation is
   * `parent` (continuation lines of a plain scalar and block scalar content are indented further).
   * Leaves the reader on the line after it.
   */
  private scalar(v: number, parent: number, depth: number): YScalar {
    if (depth > MAX_DEPTH) leave();
    const n = this.i;
    const t = this.lines[n]!.text;
    const c = t[v];
    if (c === "'" || c === '"') {
      const { value, end } = this.quoted(t, v);
      this.afterScalar(t, end);
      this.i++;
      return { kind: 'scalar', value, source: value, quoted: true, pos: this.at(n, v), end: this.at(n, end) };
    }
    if (c === '|' || c === '>') return this.blockScalar(v, parent);
    if (INDICATOR.test(t.slice(v)) && !PLAIN_INDICATOR_START.test(t.slice(v, v + 2))) leave();
    // A plain scalar: to a comment or the end of the line, then continuation lines indented further.
    let end = t.indexOf(' #', v);
    const commented = end >= 0;
    if (!commented) end = t.length;
    while (t[end - 1] === ' ') end--;
    const firstText = t.slice(v, end);
    if (firstText.includes(': ') || firstText.endsWith(':')) leave();
    let text = firstText;
    let endLine = n;
    let endCol = end;
    this.i++;
    let blank = 0;
    for (let k = this.i; k < this.lines.length; k++) {
      const l = this.lines[k]!;
      if (l.indent === l.text.length) {
        blank++;
        continue;
      }
      if (l.indent <= parent) break;
      // A more-indented line continues the scalar: unless it is a comment or could be anything else.
      const body = l.text.slice(l.indent).trimEnd();
      if (commented || body.startsWith('#') || body.includes(' #') || body.includes(': ') || body.endsWith(':')) leave();
      text += blank ? '\n'.repeat(blank) : ' ';
      text += body;
      blank = 0;
      endLine = k;
      endCol = l.indent + body.length;
      this.i = k + 1;
    }
    const value = resolvePlain(text);
    return { kind: 'scalar', value, source: text, quoted: false, pos: this.at(n, v), end: this.at(endLine, endCol) };
  }

  /** The quoted scalar at `v` (quotedAt), its special spaces accounted for. */
  private quoted(t: string, v: number): { value: string; end: number } {
    const q = quotedAt(t, v);
    if (this.specialSpaces > 0) this.specialSpaces -= countSpecialSpaces(t.slice(v, q.end));
    return q;
  }

  /** Only spaces, or spaces and a comment, may follow a quoted scalar on its line. */
  private afterScalar(t: string, from: number): void {
    let j = from;
    while (t[j] === ' ') j++;
    if (j < t.length && (t[j] !== '#' || j === from)) leave();
  }

  /** `|` or `>`, clipped or with `-`, its lines indented further than `parent`. */
  private blockScalar(v: number, parent: number): YScalar {
    const n = this.i;
    const t = this.lines[n]!.text;
    const header = t.slice(v).trimEnd();
    if (!/^[|>]-?$/.test(header)) leave(); // kept trailing lines, explicit indentation, a comment: the full parser's
    const literal = header[0] === '|';
    const chomp = header[1] ?? '';
    this.i++;
    // Content: every following line that is blank or indented further than the parent.
    const content: string[] = [];
    let indent = -1;
    let lastText = -1;
    for (let k = this.i; k < this.lines.length; k++) {
      const l = this.lines[k]!;
      if (l.indent === l.text.length) {
        if (l.text.length > (indent < 0 ? parent : indent)) leave(); // spaces past the indentation
        content.push('');
        continue;
      }
      if (l.indent <= parent) break;
      if (this.tabs && l.text.includes('\t')) leave(); // a comment line is content here
      if (indent < 0) indent = l.indent;
      // Less indented than the first line is an error; in folded text, more-indented lines keep their
      // breaks by rules of their own: both the full parser's. A literal block keeps them as they are.
      if (l.indent < indent || (!literal && l.indent !== indent)) leave();
      content.push(l.text.slice(indent));
      lastText = k;
    }
    if (lastText < 0) leave();
    const kept = content.slice(0, lastText - this.i + 1);
    let value: string;
    if (literal) value = kept.join('\n');
    else {
      value = '';
      let blank = 0;
      kept.forEach((s, idx) => {
        if (s === '') {
          blank++;
          return;
        }
        if (idx > 0) value += blank ? '\n'.repeat(blank) : ' ';
        blank = 0;
        value += s;
      });
    }
    if (chomp === '') value += '\n';
    const last = this.lines[lastText]!;
    this.i = lastText + 1;
    return { kind: 'scalar', value, source: value, quoted: true, pos: this.at(n, v), end: this.at(lastText, last.text.trimEnd().length) };
  }
}

const isQuote = (c: string | undefined): boolean => c === "'" || c === '"';

/** Keys of a map looked for by a scan (firstDefinition); past them, a Map. */
const SCANNED_KEYS = 32;

/**
 * Where `key` was first defined among a map's entries so far, or undefined. A scan, not a Map: a
 * rule's maps have a few keys each (a corpus makes hundreds of thousands of them); a map longer
 * than SCANNED_KEYS gets a Map of its keys.
 */
function firstDefinition(entries: readonly YEntry[], key: string): Position | undefined {
  for (let i = 0; i < entries.length; i++) if (entries[i]!.key === key) return entries[i]!.keyPos;
  return undefined;
}

/**
 * A first character after which a plain key is text whatever follows: an ASCII letter (no
 * indicator) that starts none of the core schema's other forms (MAYBE_NOT_TEXT: n, t, f in either
 * case). Nearly every key of a rule starts so; the others take the full checks.
 */
function plainWordStart(c: number): boolean {
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x7a && !MAYBE_NOT_TEXT[c];
}

/**
 * Whether a node that starts with `rest` (a line from the node's first character) is a block map with
 * a plain key: `: ` or a `:` ending the line, both before any comment (`- 4 # a: b` is the scalar 4).
 * A quoted start is not: callers say what it is where they are.
 */
function startsKey(rest: string): boolean {
  if (isQuote(rest[0])) return false;
  const hash = rest.indexOf(' #');
  const head = (hash < 0 ? rest : rest.slice(0, hash)).trimEnd();
  return head.includes(': ') || head.endsWith(':');
}

/**
 * The quoted scalar starting at `v` (its quote) and the index after its closing quote, on one line.
 * Double quotes take YAML's escapes; an unknown or malformed one (`"C:\\*"`), which the full parser
 * reports, and one that would make a lone surrogate, leave.
 */
function quotedAt(t: string, v: number): { value: string; end: number } {
  const q = t[v];
  // The text between escapes is taken in runs: built a character at a time, a value stayed in
  // memory as a chain of one-character pieces for as long as the rule was loaded.
  let value = '';
  let j = v + 1;
  let from = j;
  for (;;) {
    if (j >= t.length) leave(); // runs on to another line
    const ch = t[j]!;
    if (q === '"' && ch === '\\') {
      value += t.slice(from, j);
      const e = t[j + 1];
      const simple = e === undefined ? undefined : SIMPLE_ESCAPES.get(e);
      if (simple !== undefined) {
        value += simple;
        from = j += 2;
        continue;
      }
      const digits = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : leave();
      const hex = t.slice(j + 2, j + 2 + digits);
      if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) leave();
      const code = parseInt(hex, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) leave();
      value += String.fromCodePoint(code);
      from = j += 2 + digits;
      continue;
    }
    if (ch === q) {
      if (q === "'" && t[j + 1] === "'") {
        value += t.slice(from, j + 1); // the run and one quote
        from = j += 2;
        continue;
      }
      return { value: value + t.slice(from, j), end: j + 1 };
    }
    j++;
  }
}

/** YAML 1.2's one-character escapes in double quotes (a backslash before a tab is the full parser's). */
const SIMPLE_ESCAPES = new Map<string, string>([
  ['0', '\0'],
  ['a', '\x07'],
  ['b', '\b'],
  ['t', '\t'],
  ['n', '\n'],
  ['v', '\v'],
  ['f', '\f'],
  ['r', '\r'],
  ['e', '\x1b'],
  [' ', ' '],
  ['"', '"'],
  ['/', '/'],
  ['\\', '\\'],
  ['N', '\u0085'],
  ['_', '\u00a0'],
  ['L', '\u2028'],
  ['P', '\u2029'],
]);

/** First characters (ASCII codes) of the core schema's null, boolean and number forms; anything else starts text. */
const MAYBE_NOT_TEXT = new Uint8Array(128);
for (const c of '0123456789+-.~nNtTfF') MAYBE_NOT_TEXT[c.charCodeAt(0)] = 1;

/**
 * A plain scalar's value under the YAML 1.2 core schema, as yaml-tree.ts keeps it; leaves for floats
 * and special numbers. An integer is what the `yaml` package makes of it (parseInt: '-0' is -0, '+5'
 * is 5), and one past the safe range keeps its digits, as yaml-tree.ts keeps them.
 */
function resolvePlain(s: string): ScalarValue {
  if (!MAYBE_NOT_TEXT[s.charCodeAt(0)]) return s; // most values: no null, boolean or number starts so
  if (NULL.test(s)) return null;
  if (TRUE.test(s)) return true;
  if (FALSE.test(s)) return false;
  if (INT.test(s)) {
    if (LEADING_ZERO.test(s)) return s; // text, as yaml-tree.ts keeps it
    const n = parseInt(s, 10);
    if (!Number.isFinite(n)) leave(); // more than 300 digits: an infinity the full parser keeps as one
    return Number.isSafeInteger(n) ? n : s;
  }
  if (FLOAT.test(s) || SPECIAL_NUMBER.test(s)) leave();
  return s;
}
