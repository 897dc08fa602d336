// Renders IR expressions as KQL boolean expressions. Each field test becomes one comparison with
// Sigma's semantics: case-insensitive operators unless `cased`, regexes for wildcards inside a
// value, null-safe forms under negation (KQL's `not(null)` is null, which `where` drops, while
// Sigma's `not` of a test on a missing field holds).
import type { Expr, FieldTest } from '../../ir/types.js';
import type { SigmaValue } from '../../ir/values.js';
import { ConversionError } from '../common/types.js';
import { isPrintableAscii, stringShape, wildcardRegex, type StringShape } from '../common/strings.js';
import { hasNonAsciiCase } from '../common/unicode-case.js';
import { re2Problem } from '../common/regex.js';
import type { FieldRef, FieldScope } from './fields.js';
import { kqlString } from './literals.js';
import { isNumericType } from './schema.js';
import { chunked } from '../common/chunked.js';

type Parent = 'top' | 'and' | 'or' | 'not';

export function renderExpr(e: Expr, scope: FieldScope, parent: Parent = 'top', positive = true): string {
  switch (e.kind) {
    case 'const':
      return String(e.value);
    case 'and':
    case 'or': {
      const parts = e.args.map((a) => renderExpr(a, scope, e.kind, positive));
      const body = chunked(parts, ` ${e.kind} `);
      return parent === 'top' ? body : `(${body})`;
    }
    case 'not': {
      const body = `not(${renderExpr(e.arg, scope, 'not', !positive)})`;
      return parent === 'and' || parent === 'or' ? `(${body})` : body;
    }
    case 'test': {
      const body = renderTest(e, scope, positive);
      return parent === 'not' && /^\(.*\)$/.test(body) ? body.slice(1, -1) : body;
    }
  }
}

/** One field test. `positive` is false under an odd number of negations. */
export function renderTest(t: FieldTest, scope: FieldScope, positive: boolean): string {
  if (t.timePart) throw new ConversionError('unsupported-modifier', `the |${t.timePart} modifier is not rendered to KQL yet`);
  if (t.field === null) return renderKeyword(t);
  const f = scope.resolve(t.field);
  if (t.negate) {
    // `neq`: the field is there and differs from the value.
    return `(${present(f, true)} and not(${renderValue(t, f, scope, false)}))`;
  }
  return renderValue(t, f, scope, positive);
}

function present(f: FieldRef, yes: boolean): string {
  if (f.type === 'string') return `${yes ? 'isnotempty' : 'isempty'}(${f.expr})`;
  return `${yes ? 'isnotnull' : 'isnull'}(${f.expr})`;
}

/** KQL's `where` drops null like false; only under negation must a predicate that can be null be made total. */
function total(pred: string, positive: boolean): string {
  return positive ? pred : `coalesce(${pred}, false)`;
}

const asText = (f: FieldRef): string => (f.type === 'string' ? f.expr : `tostring(${f.expr})`);

function renderValue(t: FieldTest, f: FieldRef, scope: FieldScope, positive: boolean): string {
  const v: SigmaValue = t.value;
  switch (v.type) {
    case 'string': {
      const shape = stringShape(v);
      const texts = shape.kind === 'pattern' ? shape.parts.filter((p): p is string => typeof p === 'string') : shape.kind === 'any' ? [] : [shape.text];
      if (v.encoding === 'bytes' && !texts.every(isPrintableAscii))
        throw new ConversionError('binary-value', `the value of ${t.field} is a byte string (${t.origin.item.modifiers.join('|')}) that a text column cannot hold`);
      if (shape.kind === 'any') return present(f, true);
      if (shape.kind === 'equals' && isNumericType(f.type) && /^-?\d+(\.\d+)?$/.test(shape.text)) return `${f.expr} == ${shape.text}`;
      if (shape.kind === 'equals' && f.type === 'bool' && /^(true|false)$/i.test(shape.text)) return `${f.expr} == ${shape.text.toLowerCase()}`;
      const x = asText(f);
      if (!t.cased && texts.some(hasNonAsciiCase)) return unicodeFolded(shape, x);
      const cs = t.cased ? '_cs' : '';
      switch (shape.kind) {
        case 'equals':
          return `${x} ${t.cased ? '==' : '=~'} ${kqlString(shape.text)}`;
        case 'startswith':
        case 'endswith':
        case 'contains':
          return `${x} ${shape.kind}${cs} ${kqlString(shape.text)}`;
        case 'pattern':
          return `${x} matches regex ${kqlString((t.cased ? '(?s)' : '(?is)') + wildcardRegex(shape.parts))}`;
      }
    }
    // falls through (unreachable)
    case 'number': {
      const text = /^-?\d+(\.\d+)?$/.test(v.text) ? v.text : String(v.value);
      if (isNumericType(f.type)) return `${f.expr} == ${text}`;
      return `${asText(f)} == ${kqlString(text)}`;
    }
    case 'bool':
      if (f.type === 'bool') return `${f.expr} == ${v.value}`;
      return `${asText(f)} =~ ${kqlString(String(v.value))}`;
    case 'null':
      return present(f, false);
    case 'exists':
      return present(f, v.value);
    case 're': {
      const problem = re2Problem(v.pattern);
      if (problem) throw new ConversionError('regex-unsupported', `the regular expression of ${t.field} uses ${problem}, which KQL's RE2 engine cannot run`);
      const flags = (v.flags.i ? 'i' : '') + (v.flags.m ? 'm' : '') + (v.flags.s ? 's' : '');
      return `${asText(f)} matches regex ${kqlString((flags ? `(?${flags})` : '') + v.pattern)}`;
    }
    case 'cidr': {
      const fn = v.version === 4 ? 'ipv4_is_in_range' : 'ipv6_is_in_range';
      return total(`${fn}(${asText(f)}, ${kqlString(v.text)})`, positive);
    }
    case 'compare': {
      const op = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[v.op];
      const x = isNumericType(f.type) ? f.expr : `todouble(${f.expr})`;
      return total(`${x} ${op} ${v.value}`, positive);
    }
    case 'fieldref': {
      const g = scope.resolve(v.field);
      const a = asText(f);
      const b = asText(g);
      const cs = t.cased ? '_cs' : '';
      const cmp = v.match === 'equals' ? `${a} ${t.cased ? '==' : '=~'} ${b}` : `${a} ${v.match}${cs} ${b}`;
      // An empty or missing other field is no match in Sigma; in KQL `x startswith ""` holds.
      return `(${present(g, true)} and ${cmp})`;
    }
  }
}

/**
 * A case-insensitive test of a value with non-ASCII letters. Kusto's case-insensitive operators
 * (`=~`, `contains`, `startswith`, `endswith`, `* contains`) fold ASCII letters only, as its
 * documentation says, and points to tolower() for the rest: both sides are lower-cased, as the
 * engine does, and compared with the case-sensitive operators.
 */
function unicodeFolded(shape: Exclude<StringShape, { kind: 'any' }>, x: string): string {
  const lx = `tolower(${x})`;
  switch (shape.kind) {
    case 'equals':
      return `${lx} == ${kqlString(shape.text.toLowerCase())}`;
    case 'startswith':
    case 'endswith':
    case 'contains':
      return `${lx} ${shape.kind}_cs ${kqlString(shape.text.toLowerCase())}`;
    case 'pattern':
      return `${lx} matches regex ${kqlString('(?s)' + wildcardRegex(shape.parts.map((p) => (typeof p === 'string' ? p.toLowerCase() : p))))}`;
  }
}

/** A keyword: a substring of any column's value (`where * contains`). */
function renderKeyword(t: FieldTest): string {
  const v = t.value;
  if (v.type !== 'string') throw new ConversionError('unsupported-keyword', `a ${v.type} keyword cannot be searched for in every column`);
  const shape = stringShape(v);
  if (v.encoding === 'bytes' && shape.kind !== 'any' && shape.kind !== 'pattern' && !isPrintableAscii(shape.text))
    throw new ConversionError('binary-value', 'a byte-string keyword cannot be searched for in text columns');
  // `* contains` folds ASCII only, and there is no tolower() of every column.
  if (!t.cased && shape.kind !== 'any' && shape.kind !== 'pattern' && hasNonAsciiCase(shape.text))
    throw new ConversionError('unicode-case', `keyword '${shape.text}' has letters beyond ASCII, which KQL's case-insensitive \`* contains\` does not fold`);
  if (shape.kind === 'contains') return `* contains${t.cased ? '_cs' : ''} ${kqlString(shape.text)}`;
  if (shape.kind === 'any') return 'true';
  throw new ConversionError('unsupported-keyword', `keyword '${shape.kind === 'pattern' ? 'with a wildcard inside' : shape.text}' cannot be searched for in every column: KQL's \`* contains\` takes a plain substring`);
}
