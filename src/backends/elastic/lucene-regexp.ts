// Lucene's RegExp flavour, which all three Elastic languages use (query_string `/…/`, ES|QL
// RLIKE, EQL `regex`): a pattern always matches the whole value, there are no anchors, no `\d`-style
// classes in older versions, no inline flags, and `# @ & < > ~ "` are operators. Sigma's `re`
// values are PCRE-flavoured searches, so they are translated here: anchors at the ends of the
// pattern decide whether `.*` pads each side, shorthand classes become explicit ones, and case
// folding (the `i` flag, or a case-insensitive Sigma string) becomes `[aA]` classes. What has no
// exact translation (anchors inside, word boundaries, back-references, look-around, multi-line
// anchors, Unicode classes) is a ConversionError.
import { ConversionError } from '../common/types.js';
import { re2Problem } from '../common/regex.js';
import { isWildcard, type StringPart } from '../../ir/values.js';
import { caseVariants } from '../common/unicode-case.js';

/** Whether a text has characters whose case can differ (so a case-insensitive match needs folding). */
export function hasCase(text: string): boolean {
  for (const c of text) if (c.toLowerCase() !== c.toUpperCase()) return true;
  return false;
}

// Symbols written `\c`: RegExp takes a backslash before any character as that character, and these
// are also the escapes that query_string parsers (Elasticsearch's and the `lucene` package's) pass
// through inside `/…/`. The RegExp operators `.`, `#`, `@`, `<`, `>` are not among them and are
// written as one-character classes `[.]` instead; every other symbol is literal as it is.
const ESCAPED = new Set([...'+-!(){}[]^"?:\\&|\'/~* ']);
const CLASSED = new Set([...'.#@<>']);

const folded = new Map<string, string>();
const plain = new Map<string, string>();

/** One literal character as a Lucene RegExp atom; `[Xx]` when folding case. */
export function regexpChar(c: string, fold: boolean): string {
  // Memoised: every character of every case-insensitive value comes through here.
  const memo = fold ? folded : plain;
  let atom = memo.get(c);
  if (atom === undefined) memo.set(c, (atom = atomOf(c, fold)));
  return atom;
}

function atomOf(c: string, fold: boolean): string {
  const lo = c.toLowerCase();
  const up = c.toUpperCase();
  // Outside ASCII a letter may have more than one other case (ß ẞ, Σ σ): every character the
  // engine's lower-casing takes for it (common/unicode-case.ts).
  if (fold && c.codePointAt(0)! > 0x7f && lo !== up) {
    const all = caseVariants(c);
    if (all.length > 1) return `[${all.map(classChar).join('')}]`;
  }
  if (fold && lo !== up && [...lo].length === 1 && [...up].length === 1) return `[${up}${lo}]`;
  if (ESCAPED.has(c)) return '\\' + c;
  if (CLASSED.has(c)) return `[${c}]`;
  return c;
}

/** A literal text as a RegExp. */
export function regexpLiteral(text: string, fold: boolean): string {
  let out = '';
  for (const c of text) out += regexpChar(c, fold);
  return out;
}

/** A Sigma wildcard string (`*` any run, `?` one character) as a whole-value RegExp. */
export function wildcardRegexp(parts: readonly StringPart[], fold: boolean): string {
  return parts.map((p) => (typeof p === 'string' ? regexpLiteral(p, fold) : isWildcard(p, '*') ? '.*' : isWildcard(p, '?') ? '.' : '')).join('');
}

function unsupported(what: string): never {
  throw new ConversionError('regex-unsupported', `the regular expression uses ${what}, which Lucene's RegExp cannot express exactly`);
}

const WORD = [['0', '9'], ['A', 'Z'], ['a', 'z'], ['_', '_']] as const;
const DIGIT = [['0', '9']] as const;
const SPACE = [[' ', ' '], ['\t', '\r']] as const; // \t \n \v \f \r

type Range = readonly [string, string];

/** Class contents (no brackets) for ranges. */
function rangesText(ranges: readonly Range[]): string {
  return ranges.map(([a, b]) => (a === b ? classChar(a) : `${classChar(a)}-${classChar(b)}`)).join('');
}
function classChar(c: string): string {
  // Inside a class only these are special (and `/` would end a query_string RegExp).
  return /[\]\\\-^[/]/.test(c) ? '\\' + c : c;
}

/** The other-case counterparts of a range's letters, so a folded class holds both cases. */
function foldRanges(ranges: readonly Range[]): Range[] {
  const out: Range[] = [...ranges];
  for (const [a, b] of ranges) {
    const lo = a.codePointAt(0)!;
    const hi = b.codePointAt(0)!;
    for (const [base, other] of [[0x61, 0x41], [0x41, 0x61]] as const) {
      const s = Math.max(lo, base);
      const e = Math.min(hi, base + 25);
      if (s <= e) out.push([String.fromCodePoint(s - base + other), String.fromCodePoint(e - base + other)]);
    }
    if (lo === hi && lo > 0x7f) {
      const c = a;
      for (const d of [c.toLowerCase(), c.toUpperCase()]) if (d !== c && [...d].length === 1) out.push([d, d]);
    }
  }
  return out;
}

interface Parsed {
  out: string;
  i: number;
}

/** A parsed alternative: its items, and whether it is anchored at its start (`^`) or end (`$`). */
interface Seq {
  items: Item[];
  start: boolean;
  end: boolean;
}
/** Rendered text, or an unquantified group kept parsed so that padding can move into it. */
type Item = { text: string; group?: undefined } | { group: Seq[]; text?: undefined };

function itemText(item: Item, atStart: boolean, atEnd: boolean): string {
  if (item.text !== undefined) return item.text;
  return `(${item.group.map((a) => renderSeq(a, atStart, atEnd) || '()').join('|')})`;
}

/** Whether some branch of a group is anchored on that side (directly or through a nested group). */
function anchoredAt(alts: Seq[], side: 'start' | 'end'): boolean {
  return alts.some((a) => {
    if (side === 'start' ? a.start : a.end) return true;
    const edge = side === 'start' ? a.items[0] : a.items[a.items.length - 1];
    return edge?.group !== undefined && anchoredAt(edge.group, side);
  });
}

/**
 * An alternative as RegExp. `atStart`/`atEnd`: nothing of the pattern can come before/after it,
 * so it is padded with `.*` there unless anchored; elsewhere an anchor cannot be expressed.
 */
function renderSeq(seq: Seq, atStart: boolean, atEnd: boolean): string {
  if (seq.start && !atStart) unsupported('a start anchor `^` inside the pattern');
  if (seq.end && !atEnd) unsupported('an end anchor `$` inside the pattern');
  const n = seq.items.length;
  const padStart = atStart && !seq.start;
  const padEnd = atEnd && !seq.end;
  if (n === 0) return padStart || padEnd ? '.*' : '';
  // Padding moves into a group that opens (closes) the alternative, so its anchored branches stay anchored.
  const first = seq.items[0]!.group;
  const last = seq.items[n - 1]!.group;
  const firstGroup = padStart && first !== undefined && anchoredAt(first, 'start');
  const lastGroup = padEnd && last !== undefined && anchoredAt(last, 'end');
  const body = seq.items.map((item, k) => itemText(item, k === 0 && firstGroup, k === n - 1 && lastGroup)).join('');
  return (padStart && !firstGroup ? '.*' : '') + body + (padEnd && !lastGroup ? '.*' : '');
}

class Translator {
  private i = 0;
  constructor(
    private readonly p: string,
    private fold: boolean,
    private readonly dotAll: boolean,
  ) {}

  /**
   * The whole pattern. PCRE searches; RegExp matches whole values: each way through the pattern
   * gets `.*` at the start unless it begins with `^`, and at the end unless it ends with `$`.
   * Anchors may stand at the start or end of an alternative of a group that itself starts or ends
   * the pattern (`(^|/)x`, `(^a$)|(^b$)`): the padding is moved into that group's alternatives.
   */
  translate(): string {
    if (this.p.startsWith('(?')) {
      // Leading inline flags `(?i)`, `(?s)`: the only place they are unambiguous.
      const m = /^\(\?([imsx]+)\)/.exec(this.p);
      if (m) {
        if (m[1]!.includes('x') || m[1]!.includes('m')) unsupported(`inline flags (?${m[1]})`);
        if (m[1]!.includes('i')) this.fold = true;
        if (m[1]!.includes('s')) return new Translator(this.p.slice(m[0].length), this.fold, true).translate();
        this.i = m[0].length;
      }
    }
    const alts = this.alternatives();
    if (this.i < this.p.length) unsupported(`an unbalanced ')' at ${this.i}`);
    return alts.map((a) => renderSeq(a, true, true)).join('|');
  }

  /** Alternatives up to `)` or the end. */
  private alternatives(): Seq[] {
    const alts: Seq[] = [];
    for (;;) {
      alts.push(this.sequence());
      if (this.p[this.i] !== '|') return alts;
      this.i++;
    }
  }

  /** Items with their quantifiers up to `|`, `)` or the end; `^` first and `$` last are anchors. */
  private sequence(): Seq {
    const seq: Seq = { items: [], start: false, end: false };
    if (this.p[this.i] === '^') {
      seq.start = true;
      this.i++;
    }
    while (this.i < this.p.length) {
      const c = this.p[this.i]!;
      if (c === '|' || c === ')') break;
      if (c === '$') {
        this.i++;
        const next = this.p[this.i];
        if (next === undefined || next === '|' || next === ')') {
          seq.end = true;
          break;
        }
        unsupported('an end anchor `$` inside the pattern');
      }
      if (c === '^') unsupported('a start anchor `^` inside the pattern');
      const item = this.atom();
      const q = this.quantifier();
      // A repeated group is a unit: anchors inside it cannot be resolved.
      seq.items.push(q ? { text: itemText(item, false, false) + q } : item);
    }
    return seq;
  }

  private quantifier(): string {
    const c = this.p[this.i];
    let q = '';
    if (c === '*' || c === '+' || c === '?') {
      q = c;
      this.i++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i));
      if (!m) return '';
      q = m[0];
      this.i += m[0].length;
    } else return '';
    // A lazy quantifier matches the same values as a greedy one (only the match span differs).
    if (this.p[this.i] === '?') this.i++;
    if (this.p[this.i] === '+') unsupported('a possessive quantifier');
    return q;
  }

  private atom(): Item {
    const c = this.p[this.i]!;
    if (c === '(') return { group: this.group() };
    if (c === '[') return { text: this.charClass() };
    if (c === '.') {
      this.i++;
      // PCRE's `.` stops at a newline unless the `s` flag is set; RegExp's `.` does not.
      return { text: this.dotAll ? '.' : '[^\n]' };
    }
    if (c === '\\') return { text: this.escape() };
    if (c === '*' || c === '+' || c === '?') unsupported(`a quantifier '${c}' with nothing before it at ${this.i}`);
    if (c === '{' && /^\{\d+(,\d*)?\}/.test(this.p.slice(this.i))) unsupported(`a quantifier with nothing before it at ${this.i}`);
    const cp = this.p.codePointAt(this.i)!;
    const ch = String.fromCodePoint(cp);
    this.i += ch.length;
    return { text: regexpChar(ch, this.fold) };
  }

  private group(): Seq[] {
    this.i++;
    if (this.p[this.i] === '?') {
      const rest = this.p.slice(this.i + 1);
      if (rest.startsWith(':')) this.i += 2;
      else if (/^P?<[A-Za-z_]\w*>/.test(rest)) this.i += 1 + /^P?<[A-Za-z_]\w*>/.exec(rest)![0].length;
      else unsupported(`the group (?${rest.slice(0, 2)}…)`);
    }
    const alts = this.alternatives();
    if (this.p[this.i] !== ')') unsupported('an unclosed group');
    this.i++;
    return alts;
  }

  /** A backslash escape outside a class. */
  private escape(): string {
    const n = this.p[this.i + 1];
    if (n === undefined) unsupported('a trailing backslash');
    const shorthand = this.shorthand(n);
    if (shorthand) {
      this.i += 2;
      return `[${shorthand.negated ? '^' : ''}${rangesText(shorthand.ranges)}]`;
    }
    const ch = this.escapedChar();
    return regexpChar(ch, this.fold);
  }

  private shorthand(n: string): { ranges: readonly Range[]; negated: boolean } | null {
    switch (n) {
      case 'd':
        return { ranges: DIGIT, negated: false };
      case 'D':
        return { ranges: DIGIT, negated: true };
      case 'w':
        return { ranges: WORD, negated: false };
      case 'W':
        return { ranges: WORD, negated: true };
      case 's':
        return { ranges: SPACE, negated: false };
      case 'S':
        return { ranges: SPACE, negated: true };
      default:
        return null;
    }
  }

  /** The character an escape (at this.i, a backslash) stands for; advances past it. */
  private escapedChar(): string {
    const n = this.p[this.i + 1]!;
    const simple: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v', e: '\x1b', a: '\x07', '0': '\0' };
    if (Object.hasOwn(simple, n)) {
      this.i += 2;
      return simple[n]!;
    }
    if (n === 'x' || n === 'u') {
      const m = (n === 'x' ? /^\\x(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{2}))/ : /^\\u([0-9a-fA-F]{4})/).exec(this.p.slice(this.i));
      if (!m) unsupported(`a malformed \\${n} escape`);
      this.i += m[0].length;
      return String.fromCodePoint(parseInt(m[1] ?? m[2]!, 16));
    }
    if (/[A-Za-z0-9]/.test(n)) unsupported(`the escape \\${n}`);
    const cp = this.p.codePointAt(this.i + 1)!;
    const ch = String.fromCodePoint(cp);
    this.i += 1 + ch.length;
    return ch;
  }

  private charClass(): string {
    this.i++;
    let negated = false;
    if (this.p[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const ranges: Range[] = [];
    let first = true;
    for (;;) {
      if (this.i >= this.p.length) unsupported('an unclosed character class');
      const c = this.p[this.i]!;
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && this.p[this.i + 1] === ':') unsupported('a POSIX class [:…:]');
      let lo: string;
      if (c === '\\') {
        const sh = this.shorthand(this.p[this.i + 1] ?? '');
        if (sh) {
          if (sh.negated) unsupported(`\\${this.p[this.i + 1]} inside a character class`);
          ranges.push(...sh.ranges);
          this.i += 2;
          continue;
        }
        if (this.p[this.i + 1] === 'b') {
          lo = '\b';
          this.i += 2;
        } else lo = this.escapedChar();
      } else {
        const cp = this.p.codePointAt(this.i)!;
        lo = String.fromCodePoint(cp);
        this.i += lo.length;
      }
      if (this.p[this.i] === '-' && this.p[this.i + 1] !== undefined && this.p[this.i + 1] !== ']') {
        this.i++;
        let hi: string;
        if (this.p[this.i] === '\\') {
          if (this.shorthand(this.p[this.i + 1] ?? '')) unsupported('a range ending in a shorthand class');
          hi = this.escapedChar();
        } else {
          const cp = this.p.codePointAt(this.i)!;
          hi = String.fromCodePoint(cp);
          this.i += hi.length;
        }
        if (hi.codePointAt(0)! < lo.codePointAt(0)!) unsupported(`an inverted range ${lo}-${hi}`);
        ranges.push([lo, hi]);
      } else ranges.push([lo, lo]);
    }
    this.i++;
    const all = this.fold ? foldRanges(ranges) : ranges;
    return `[${negated ? '^' : ''}${rangesText(all)}]`;
  }
}

/**
 * A Sigma `re` value as a Lucene RegExp that matches a whole value exactly when the PCRE pattern
 * finds a match in it. `fold` adds case folding (the `i` flag, or a case-insensitive language
 * wrapper that lacks one).
 */
export function sigmaRegexToLucene(pattern: string, flags: { i: boolean; m: boolean; s: boolean }, fold = flags.i): string {
  const problem = re2Problem(pattern);
  if (problem) unsupported(problem);
  if (flags.m && /(^|[^\\])[\^$]/.test(pattern)) unsupported('multi-line anchors (the m flag)');
  if (/\\[bBAzZGpPQEKkgR]/.test(pattern.replace(/\\\\/g, ''))) {
    const m = /\\([bBAzZGpPQEKkgR])/.exec(pattern.replace(/\\\\/g, ''))!;
    unsupported(`the escape \\${m[1]}`);
  }
  return new Translator(pattern, fold, flags.s).translate();
}
