// Renders IR expressions as eval expressions for `| where`, with Sigma's full semantics: strings
// through PCRE `match()` (case-insensitive unless `|cased`, anchored with \z because PCRE's `$`
// also matches before a final newline), numbers through `tonumber()`, CIDR through `cidrmatch()`.
// Eval functions of a missing field give null and `where` drops null like false, but Sigma's `not`
// of a test on a missing field holds: under negation every test that can be null is guarded with
// `isnotnull(…) AND`, which makes it false instead.
import type { Expr, FieldTest } from '../../ir/types.js';
import { isWildcard, type SigmaString } from '../../ir/values.js';
import { chunked } from '../common/chunked.js';
import { isPrintableAscii } from '../common/strings.js';
import { ConversionError } from '../common/types.js';
import { evalField, pcreLiteral, splString } from './literals.js';

type Parent = 'top' | 'and' | 'or' | 'not';

export function whereExpr(e: Expr, parent: Parent = 'top', positive = true): string {
  switch (e.kind) {
    case 'const':
      return e.value ? 'true()' : 'false()';
    case 'and':
    case 'or': {
      if (e.args.length === 0) return e.kind === 'and' ? 'true()' : 'false()';
      const parts = e.args.map((a) => whereExpr(a, e.kind, positive));
      const body = chunked(parts, e.kind === 'and' ? ' AND ' : ' OR ');
      return parent === 'top' || parts.length === 1 ? body : `(${body})`;
    }
    case 'not': {
      const body = whereExpr(e.arg, 'top', !positive);
      return isGroup(body) ? `NOT ${body}` : `NOT (${body})`;
    }
    case 'test':
      return whereTest(e, positive);
  }
}

/** Whether the text is one parenthesised group: its first `(` closes at its last character. */
function isGroup(text: string): boolean {
  if (!text.startsWith('(')) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      // Skip a quoted string or field name, with its backslash escapes.
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i === text.length - 1;
  }
  return false;
}

/** `pred` is null when `x` is; under negation it must be false instead. */
function total(x: string, pred: string, positive: boolean): string {
  return positive ? pred : `(isnotnull(${x}) AND ${pred})`;
}

export function whereTest(t: FieldTest, positive: boolean): string {
  if (t.timePart) throw new ConversionError('unsupported-modifier', `the |${t.timePart} modifier is not rendered to SPL`);
  const v = t.value;
  if (t.field === null) return keyword(t);
  const f = evalField(t.field);
  if (v.type === 'null') return `isnull(${f})`;
  if (v.type === 'exists') return `${v.value ? 'isnotnull' : 'isnull'}(${f})`;
  // `neq`: the field is there and the value test does not hold (null counted as not holding).
  if (t.negate) return `(isnotnull(${f}) AND NOT (${valuePredicate(t, f, false)}))`;
  return valuePredicate(t, f, positive);
}

function valuePredicate(t: FieldTest, f: string, positive: boolean): string {
  const v = t.value;
  switch (v.type) {
    case 'string':
      return total(f, `match(${f}, ${splString(stringRegex(v, t))})`, positive);
    case 'number': {
      const n = /^-?\d+(\.\d+)?$/.test(v.text) ? v.text : String(v.value);
      return total(`tonumber(${f})`, `tonumber(${f})=${n}`, positive);
    }
    case 'bool':
      return total(f, `match(${f}, ${splString(`(?i)^${v.value}\\z`)})`, positive);
    case 'null':
      return `isnull(${f})`;
    case 'exists':
      return `${v.value ? 'isnotnull' : 'isnull'}(${f})`;
    case 're':
      return total(f, `match(${f}, ${splString(regexWithFlags(t))})`, positive);
    case 'cidr':
      return total(f, `cidrmatch(${splString(v.text)}, ${f})`, positive);
    case 'compare':
      return total(`tonumber(${f})`, `tonumber(${f})${{ lt: '<', lte: '<=', gt: '>', gte: '>=' }[v.op]}${v.value}`, positive);
    case 'fieldref': {
      if (v.match !== 'equals')
        throw new ConversionError('unsupported-modifier', `|fieldref|${v.match} of ${t.field}: eval has no substring test against another field's value that treats its characters literally`);
      const g = evalField(v.field);
      const cmp = t.cased ? `${f}==${g}` : `lower(${f})==lower(${g})`;
      // A missing other field is no match in Sigma.
      return `(isnotnull(${f}) AND isnotnull(${g}) AND ${cmp})`;
    }
  }
}

/** A Sigma string as a PCRE pattern with the flags its shape needs. */
export function stringRegex(v: SigmaString, t: FieldTest): string {
  if (v.encoding === 'bytes' && !v.parts.every((p) => typeof p !== 'string' || isPrintableAscii(p)))
    throw new ConversionError('binary-value', `the value of ${t.field ?? 'a keyword'} is a byte string (${t.origin.item.modifiers.join('|')}) that Splunk's text fields cannot hold`);
  const parts = v.parts;
  const star = (i: number) => parts[i] !== undefined && typeof parts[i] !== 'string' && isWildcard(parts[i]!, '*');
  // Leading and trailing `*` become an unanchored end rather than `.*`.
  const lo = star(0) ? 1 : 0;
  const hi = parts.length > lo && star(parts.length - 1) ? parts.length - 1 : parts.length;
  const body = parts
    .slice(lo, hi)
    .map((p) => (typeof p === 'string' ? pcreLiteral(p) : isWildcard(p, '*') ? '.*' : '.'))
    .join('');
  const wild = parts.slice(lo, hi).some((p) => typeof p !== 'string');
  const flags = (t.cased ? '' : 'i') + (wild ? 's' : '');
  return `${flags ? `(?${flags})` : ''}${lo ? '' : '^'}${body}${hi < parts.length ? '' : '\\z'}`;
}

function regexWithFlags(t: FieldTest): string {
  const v = t.value;
  if (v.type !== 're') throw new Error('not a regex');
  // Splunk runs PCRE, a superset of the RE2 syntax Sigma rules are written for: passed as written.
  const flags = (v.flags.i ? 'i' : '') + (v.flags.m ? 'm' : '') + (v.flags.s ? 's' : '');
  return (flags ? `(?${flags})` : '') + v.pattern;
}

/** A keyword: the value searched for in the raw event text. */
function keyword(t: FieldTest): string {
  const v = t.value;
  // The engine's keyword null never matches (it looks at values, and null is none).
  if (v.type === 'null') return 'false()';
  if (t.negate) throw new ConversionError('unsupported-keyword', 'a neq keyword cannot be searched for in the raw event');
  switch (v.type) {
    case 'string':
      return `match(_raw, ${splString(stringRegex(v, t))})`;
    case 're':
      return `match(_raw, ${splString(regexWithFlags(t))})`;
    case 'number':
      return `match(_raw, ${splString(pcreLiteral(v.text))})`;
    default:
      throw new ConversionError('unsupported-keyword', `a ${v.type} keyword cannot be searched for in the raw event`);
  }
}
