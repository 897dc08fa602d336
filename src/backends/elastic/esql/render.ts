// Renders the query IR as an ES|QL query: `FROM <index> | WHERE <condition>`. ES|QL compares
// keyword values exactly, so a case-insensitive Sigma test lower-cases the field (TO_LOWER) and
// the value; wildcards become LIKE, regular expressions RLIKE (Lucene's RegExp, whole value).
// ES|QL is three-valued: a test on a missing field is null, which WHERE drops and NOT keeps null,
// while Sigma's `not` of such a test holds; under a negation every test is made total with
// COALESCE(…, FALSE). ES|QL is typed: numeric and IP fields (ecs-types.ts) are compared as
// such, or through TO_STRING where Sigma compares their text.
import type { Expr, FieldTest } from '../../../ir/types.js';
import type { SigmaString } from '../../../ir/values.js';
import { and } from '../../../ir/lower.js';
import { chunked } from '../../common/chunked.js';
import { ConversionError, type ConvertInput } from '../../common/types.js';
import { isPrintableAscii, stringShape } from '../../common/strings.js';
import { esType, NUMBER_TEXT } from '../ecs-types.js';
import { hasCase, sigmaRegexToLucene } from '../lucene-regexp.js';
import { indexPatterns } from '../state.js';
import { esqlField, esqlIndex, esqlString, likePattern } from './syntax.js';

type Parent = 'top' | 'and' | 'or' | 'not';

export function renderEsqlQuery({ ir, state }: ConvertInput): string {
  const where = renderExpr(and([...(ir.guard ? [ir.guard] : []), ir.detection]));
  return `FROM ${indexPatterns(state).map(esqlIndex).join(', ')}\n| WHERE ${where}`;
}

export function renderExpr(e: Expr, parent: Parent = 'top', positive = true): string {
  switch (e.kind) {
    case 'const':
      return e.value ? 'TRUE' : 'FALSE';
    case 'and':
    case 'or': {
      if (e.args.length === 0) return e.kind === 'and' ? 'TRUE' : 'FALSE';
      const body = chunked(
        e.args.map((a) => renderExpr(a, e.kind, positive)),
        e.kind === 'and' ? ' AND ' : ' OR ',
      );
      return parent === 'top' || e.args.length === 1 ? body : `(${body})`;
    }
    case 'not': {
      const inner = renderExpr(e.arg, 'not', !positive);
      return `NOT ${inner.startsWith('(') && inner.endsWith(')') && balanced(inner) ? inner : `(${inner})`}`;
    }
    case 'test':
      return renderTest(e, positive);
  }
}

/** Whether the outer parentheses of `s` enclose all of it. */
function balanced(s: string): boolean {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0 && i < s.length - 1) return false;
  }
  return true;
}

/** Under an odd number of negations a test that may be null must be false instead. */
const total = (pred: string, positive: boolean) => (positive ? pred : `COALESCE(${pred}, FALSE)`);

export function renderTest(t: FieldTest, positive: boolean): string {
  if (t.timePart) throw new ConversionError('unsupported-modifier', `the |${t.timePart} modifier is not rendered to ES|QL yet`);
  if (t.field === null) throw new ConversionError('unsupported-keyword', 'ES|QL has no search of every field for a keyword');
  const f = esqlField(t.field);
  const v = t.value;
  if (v.type === 'null') return `${f} IS NULL`;
  if (v.type === 'exists') return `${f} IS ${v.value ? 'NOT ' : ''}NULL`;
  // `neq`: the field is there and its value does not match.
  if (t.negate) return `(${f} IS NOT NULL AND NOT COALESCE(${predicate(t, t.field, f)}, FALSE))`;
  if (v.type === 'string' && stringShape(v).kind === 'any') return `${f} IS NOT NULL`;
  return total(predicate(t, t.field, f), positive);
}

function predicate(t: FieldTest, name: string, f: string): string {
  const v = t.value;
  const type = esType(name);
  const text = type === 'keyword' ? f : `TO_STRING(${f})`;
  switch (v.type) {
    case 'string':
      return stringPredicate(v, t, name, f, text, type);
    case 'number':
      if (type === 'long') return `${f} == ${String(v.value)}`;
      return `${text} == ${esqlString(v.text)}`;
    case 'bool':
      return `TO_LOWER(${text}) == ${esqlString(String(v.value))}`;
    case 'null':
      return `${f} IS NULL`;
    case 'exists':
      return `${f} IS ${v.value ? 'NOT ' : ''}NULL`;
    case 're':
      return `${text} RLIKE ${esqlString(sigmaRegexToLucene(v.pattern, v.flags))}`;
    case 'cidr':
      return `CIDR_MATCH(${type === 'ip' ? f : `TO_IP(${f})`}, ${esqlString(v.text)})`;
    case 'compare': {
      const op = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[v.op];
      return `${type === 'long' ? f : `TO_DOUBLE(${f})`} ${op} ${String(v.value)}`;
    }
    case 'fieldref': {
      const g = esqlField(v.field);
      const gt = esType(v.field) === 'keyword' ? g : `TO_STRING(${g})`;
      const a = t.cased ? text : `TO_LOWER(${text})`;
      const b = t.cased ? gt : `TO_LOWER(${gt})`;
      const cmp = { equals: `${a} == ${b}`, startswith: `STARTS_WITH(${a}, ${b})`, endswith: `ENDS_WITH(${a}, ${b})`, contains: `LOCATE(${a}, ${b}) > 0` }[v.match];
      // An empty or missing other field is no match in Sigma; in ES|QL STARTS_WITH(x, "") holds.
      return `(${g} IS NOT NULL AND ${gt} != "" AND ${cmp})`;
    }
  }
}

function stringPredicate(v: SigmaString, t: FieldTest, name: string, f: string, text: string, type: string): string {
  const shape = stringShape(v);
  const texts = v.parts.filter((p): p is string => typeof p === 'string');
  if (v.encoding === 'bytes' && !texts.every(isPrintableAscii))
    throw new ConversionError('binary-value', `the value of ${name} is a byte string (${t.origin.item.modifiers.join('|')}) that a keyword field cannot hold`);
  if (shape.kind === 'any') return `${f} IS NOT NULL`;
  if (type === 'long' && shape.kind === 'equals' && NUMBER_TEXT.test(shape.text)) return `${f} == ${shape.text}`;
  const fold = !t.cased && texts.some(hasCase);
  const x = fold ? `TO_LOWER(${text})` : text;
  const lc = (s: string) => (fold ? s.toLowerCase() : s);
  switch (shape.kind) {
    case 'equals':
      return `${x} == ${esqlString(lc(shape.text))}`;
    case 'startswith':
      return `STARTS_WITH(${x}, ${esqlString(lc(shape.text))})`;
    case 'endswith':
      return `ENDS_WITH(${x}, ${esqlString(lc(shape.text))})`;
    case 'contains':
    case 'pattern':
      return `${x} LIKE ${esqlString(likePattern(v.parts, lc))}`;
  }
}
