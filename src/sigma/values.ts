// Typed Sigma values. Modifiers are small functions from values to values (see modifiers.ts);
// backends and the engine read these types, never the raw YAML text.

export type Special = { wildcard: '*' } | { wildcard: '?' } | { placeholder: string };
export type StringPart = string | Special;

/** A Sigma string: literal text interleaved with wildcards and placeholders. */
export interface SigmaString {
  type: 'string';
  parts: StringPart[];
  /** 'bytes' once an encoding modifier (utf16*, base64*) turned the text into a byte string (latin1 chars). */
  encoding: 'text' | 'bytes';
}
export interface SigmaNumber {
  type: 'number';
  value: number;
  /** Source text, kept so that `1.0` and `1` render as written. */
  text: string;
}
export interface SigmaBool {
  type: 'bool';
  value: boolean;
}
export interface SigmaNull {
  type: 'null';
}
export interface SigmaRegex {
  type: 're';
  pattern: string;
  flags: { i: boolean; m: boolean; s: boolean };
}
export interface SigmaCidr {
  type: 'cidr';
  text: string;
  version: 4 | 6;
  /** Network address as a bigint and prefix length, for exact containment tests. */
  network: bigint;
  prefix: number;
}
export interface SigmaCompare {
  type: 'compare';
  op: 'lt' | 'lte' | 'gt' | 'gte';
  value: number;
}
export interface SigmaExists {
  type: 'exists';
  value: boolean;
}
export interface SigmaFieldRef {
  type: 'fieldref';
  field: string;
  /** startswith/endswith/contains chained after fieldref compare parts of the other field's value. */
  match: 'equals' | 'startswith' | 'endswith' | 'contains';
}
export type SigmaValue = SigmaString | SigmaNumber | SigmaBool | SigmaNull | SigmaRegex | SigmaCidr | SigmaCompare | SigmaExists | SigmaFieldRef;

export const STAR: Special = Object.freeze({ wildcard: '*' }) as Special;
export const QMARK: Special = Object.freeze({ wildcard: '?' }) as Special;

export function isWildcard(p: StringPart, w?: '*' | '?'): p is { wildcard: '*' | '?' } {
  return typeof p !== 'string' && 'wildcard' in p && (w === undefined || p.wildcard === w);
}
export function isPlaceholder(p: StringPart): p is { placeholder: string } {
  return typeof p !== 'string' && 'placeholder' in p;
}

/**
 * Parses a rule string per the specification's escaping rules: `\` escapes `*`, `?` and `\` itself;
 * a backslash before any other character is literal. With `placeholders`, `%name%` becomes a
 * placeholder and `\%` a literal percent sign (the `expand` modifier).
 */
export function parseSigmaString(raw: string, placeholders = false): SigmaString {
  // Most values hold no `\`, `*` or `?` (nor `%`, with placeholders): one literal part, in an array of its exact length.
  if (!(placeholders ? SPECIAL_WITH_PLACEHOLDERS : SPECIAL_IN_STRING).test(raw)) return { type: 'string', parts: raw ? [raw] : [], encoding: 'text' };
  const parts: StringPart[] = [];
  let buf = '';
  const flush = () => {
    if (buf) parts.push(buf);
    buf = '';
  };
  let i = 0;
  while (i < raw.length) {
    // The run of ordinary characters up to the next `*`, `?`, `%` (with placeholders) or a `\` that
    // escapes one of them, taken whole: a backslash before any other character is itself ordinary,
    // and Windows paths have many (a string built a piece at a time stays in memory as a chain).
    let j = i;
    for (let ch = raw.charCodeAt(j); j < raw.length && ch !== 42 && ch !== 63 && !(ch === 37 && placeholders) && !(ch === 92 && escapes(raw.charCodeAt(j + 1), placeholders)); ch = raw.charCodeAt(++j));
    if (j > i) {
      buf += raw.slice(i, j);
      i = j;
      if (i === raw.length) break;
    }
    const c = raw[i]!;
    if (c === '\\') {
      // The run stopped here, so the backslash escapes the next character: that character is literal.
      buf += raw[i + 1]!;
      i += 2;
    } else if (c === '*') {
      flush();
      parts.push(STAR);
      i++;
    } else if (c === '?') {
      flush();
      parts.push(QMARK);
      i++;
    } else {
      // '%' (a run stops at one only with `expand`): a placeholder when a closing '%' follows, else a literal.
      const end = raw.indexOf('%', i + 1);
      if (end > i + 1) {
        flush();
        parts.push({ placeholder: raw.slice(i + 1, end) });
        i = end + 1;
      } else {
        buf += c;
        i++;
      }
    }
  }
  flush();
  return { type: 'string', parts: parts.slice(), encoding: 'text' }; // the copy has no room to grow (see normalizeParts)
}

/** Whether `\` escapes the character with this code: `*`, `?`, `\` itself, and `%` with placeholders. */
function escapes(code: number, placeholders: boolean): boolean {
  return code === 42 || code === 63 || code === 92 || (placeholders && code === 37);
}
const SPECIAL_IN_STRING = /[\\*?]/;
const SPECIAL_WITH_PLACEHOLDERS = /[\\*?%]/;

export function plainString(text: string): SigmaString {
  return { type: 'string', parts: text ? [text] : [], encoding: 'text' };
}

/**
 * Merges adjacent literal parts so that renderers and matchers see canonical strings. The result is
 * a new array of its exact length: rules keep their values for the whole run, and an array grown by
 * `push` keeps room for sixteen more elements (a corpus's values took several MB more for it).
 */
export function normalizeParts(parts: readonly StringPart[]): StringPart[] {
  if (isNormal(parts)) return parts.slice();
  const out: StringPart[] = [];
  for (const p of parts) {
    if (typeof p === 'string') {
      if (!p) continue;
      const last = out[out.length - 1];
      if (typeof last === 'string') out[out.length - 1] = last + p;
      else out.push(p);
    } else if (isWildcard(p, '*') && out.length && isWildcard(out[out.length - 1]!, '*')) {
      continue; // `**` means the same as `*`
    } else out.push(p);
  }
  return out.slice();
}

function isNormal(parts: readonly StringPart[]): boolean {
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const prev = parts[i - 1];
    if (typeof p === 'string' ? p === '' || typeof prev === 'string' : i > 0 && isWildcard(p, '*') && isWildcard(prev!, '*')) return false;
  }
  return true;
}

export function hasWildcards(s: SigmaString): boolean {
  return s.parts.some((p) => isWildcard(p));
}
export function hasPlaceholders(s: SigmaString): boolean {
  return s.parts.some(isPlaceholder);
}
export function literalText(s: SigmaString): string | null {
  if (s.parts.some((p) => typeof p !== 'string')) return null;
  return s.parts.join('');
}

/** Renders a Sigma string back to Sigma syntax (escaping literal wildcards and backslashes before them). */
export function sigmaStringToText(s: SigmaString): string {
  return s.parts
    .map((p) => {
      if (typeof p === 'string') return p.replace(/\\(?=[*?\\]|$)/g, '\\\\').replace(/([*?])/g, '\\$1');
      if (isWildcard(p)) return p.wildcard;
      return `%${p.placeholder}%`;
    })
    .join('');
}

export function describeValue(v: SigmaValue): string {
  switch (v.type) {
    case 'string':
      return sigmaStringToText(v);
    case 'number':
      return v.text;
    case 'bool':
      return String(v.value);
    case 'null':
      return 'null';
    case 're':
      return `/${v.pattern}/${v.flags.i ? 'i' : ''}${v.flags.m ? 'm' : ''}${v.flags.s ? 's' : ''}`;
    case 'cidr':
      return v.text;
    case 'compare':
      return `${v.op} ${v.value}`;
    case 'exists':
      return `exists=${v.value}`;
    case 'fieldref':
      return `field ${v.field}`;
  }
}
