// Renders IR expressions as SQL boolean expressions over the flat event table (see README.md in
// this folder): every column text, NULL when the event has no such field. Each field test becomes
// one predicate with the engine's semantics (src/engine/compile.ts): strings compared lower-cased
// unless `cased`, wildcards as LIKE, numbers through a guarded cast, and negation as `IS NOT TRUE`
// (or the dialect's equivalent), because SQL's NOT NULL is NULL, which WHERE drops, while the
// engine's `not` of a test on a missing field holds. What differs between DuckDB, PostgreSQL and
// ClickHouse is asked of the dialect (./dialects).
import type { Expr, FieldTest } from '../../ir/types.js';
import { isWildcard, type SigmaCidr, type SigmaString, type SigmaValue } from '../../ir/values.js';
import { ConversionError } from '../common/types.js';
import { isPrintableAscii, stringShape } from '../common/strings.js';
import { re2Problem } from '../common/regex.js';
import { chunked } from '../common/chunked.js';
import type { SqlDialect } from './dialects/types.js';

type Parent = 'top' | 'and' | 'or' | 'not';

/** What a rendering needs besides the expression: the dialect and the table's name as written in FROM. */
export interface SqlContext {
  dialect: SqlDialect;
  table: string;
}

export function renderExpr(cx: SqlContext, e: Expr, parent: Parent = 'top'): string {
  switch (e.kind) {
    case 'const':
      return e.value ? cx.dialect.true : cx.dialect.false;
    case 'and':
    case 'or': {
      if (e.args.length === 0) return e.kind === 'and' ? cx.dialect.true : cx.dialect.false;
      const parts = e.kind === 'or' ? renderOrArgs(cx, e.args) : e.args.map((a) => renderExpr(cx, a, e.kind));
      const body = chunked(parts, e.kind === 'and' ? ' AND ' : ' OR ');
      return parent === 'top' ? body : `(${body})`;
    }
    case 'not':
      // A test on a NULL column is NULL, which must count as false (the engine's test on a
      // missing field) before it is negated. AND and OR are monotone and WHERE drops NULL like
      // false, so no other place needs a coalesce.
      return cx.dialect.isNotTrue(renderExpr(cx, e.arg, 'top'));
    case 'test':
      return renderTest(cx, e);
  }
}

/**
 * The arguments of an OR, where the `|cidr` tests of one field (a rule's list of networks) become
 * one test in the place of the first: the address is read once for all its networks.
 */
function renderOrArgs(cx: SqlContext, args: readonly Expr[]): string[] {
  const nets = new Map<string, SigmaCidr[]>();
  const isCidr = (a: Expr): a is FieldTest & { field: string; value: SigmaCidr } => a.kind === 'test' && a.field !== null && a.value.type === 'cidr' && !a.negate && !a.timePart;
  for (const a of args) if (isCidr(a)) nets.set(a.field, [...(nets.get(a.field) ?? []), a.value]);
  const out: string[] = [];
  for (const a of args) {
    if (!isCidr(a)) out.push(renderExpr(cx, a, 'or'));
    else if (nets.has(a.field)) {
      out.push(cx.dialect.cidr(cx.dialect.ident(a.field), nets.get(a.field)!, `the value of ${a.field}`, false));
      nets.delete(a.field);
    }
  }
  return out;
}

/** One field test. */
export function renderTest(cx: SqlContext, t: FieldTest): string {
  if (t.timePart) throw new ConversionError('unsupported-modifier', `the |${t.timePart} modifier is not rendered to SQL yet`);
  const v = t.value;
  if (t.field === null) return renderKeyword(cx, t);
  const col = cx.dialect.ident(t.field);
  if (v.type === 'exists') return `(${col} IS ${v.value ? 'NOT ' : ''}NULL)`;
  // `neq`: the field is there, not null, and its value does not match.
  if (t.negate) return `(${col} IS NOT NULL AND ${cx.dialect.isNotTrue(valuePredicate(cx, v, t, col))})`;
  if (v.type === 'null') return `(${col} IS NULL)`;
  return valuePredicate(cx, v, t, col);
}

/** A keyword: the value test over every column of the row. */
function renderKeyword(cx: SqlContext, t: FieldTest): string {
  const v = t.value;
  // The engine's keyword `null` never matches (it looks at values, and null is none).
  if (v.type === 'null') return cx.dialect.false;
  if (v.type === 'exists' || v.type === 'fieldref') throw new ConversionError('unsupported-keyword', `a ${v.type} keyword cannot be searched for in every column`);
  if (t.negate) throw new ConversionError('unsupported-keyword', 'a neq keyword cannot be searched for in every column');
  return cx.dialect.anyColumn(cx.table, (x) => valuePredicate(cx, v, t, x));
}

/** The test of one non-NULL value `x` (a column or a lambda variable); may be NULL when x is NULL. */
function valuePredicate(cx: SqlContext, v: SigmaValue, t: FieldTest, x: string): string {
  const d = cx.dialect;
  const where = t.field === null ? 'a keyword' : `the value of ${t.field}`;
  switch (v.type) {
    case 'string':
      return stringPredicate(d, v, t, x, where);
    case 'number':
      // The engine: the very text written, or a numeric text of the same value.
      return `(${x} = ${d.string(v.text)} OR ${d.number(x)} = ${sqlNumber(v.value)})`;
    case 'bool':
      return `${d.lower(x)} = ${d.string(String(v.value))}`;
    case 'null':
      return `(${x} IS NULL)`;
    case 're': {
      const problem = re2Problem(v.pattern);
      if (problem) throw new ConversionError('regex-unsupported', `the regular expression of ${where} uses ${problem}, which ${d.product}'s regex engine cannot run`);
      return d.regex(x, v.pattern, v.flags, where);
    }
    case 'cidr':
      return d.cidr(x, [v], where, t.field === null);
    case 'compare': {
      const op = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[v.op];
      return `(${d.number(x)} ${op} ${sqlNumber(v.value)})`;
    }
    case 'fieldref': {
      const y = d.ident(v.field);
      const a = t.cased ? x : d.lower(x);
      const b = t.cased ? y : d.lower(y);
      switch (v.match) {
        case 'equals':
          return `${a} = ${b}`;
        case 'startswith':
          return d.startsWith(a, b);
        case 'endswith':
          return d.endsWith(a, b);
        case 'contains':
          return d.contains(a, b);
      }
    }
    // falls through (unreachable)
    case 'exists':
      throw new ConversionError('unsupported-value', 'exists is rendered before value tests');
  }
}

function stringPredicate(d: SqlDialect, v: SigmaString, t: FieldTest, x: string, where: string): string {
  const shape = stringShape(v);
  const texts = shape.kind === 'pattern' ? shape.parts.filter((p): p is string => typeof p === 'string') : shape.kind === 'any' ? [] : [shape.text];
  if (v.encoding === 'bytes' && !texts.every(isPrintableAscii))
    throw new ConversionError('binary-value', `${where} is a byte string (${t.origin.item.modifiers.join('|')}) that a text column cannot hold`);
  if (shape.kind === 'any') return `(${x} IS NOT NULL)`;
  const lc = (s: string) => (t.cased ? s : s.toLowerCase());
  const col = t.cased ? x : d.lower(x);
  switch (shape.kind) {
    case 'equals':
      return `${col} = ${d.string(lc(shape.text))}`;
    case 'startswith':
      return d.startsWith(col, d.string(lc(shape.text)));
    case 'endswith':
      return d.endsWith(col, d.string(lc(shape.text)));
    case 'contains':
      return d.contains(col, d.string(lc(shape.text)));
    case 'pattern':
      return d.like(col, likePattern(shape.parts, lc));
  }
}

/** A finite number as a SQL numeric literal (the same in every dialect). */
export function sqlNumber(n: number): string {
  if (!Number.isFinite(n)) throw new ConversionError('unsupported-number', `the number ${n} has no SQL literal`);
  return String(n);
}

/** A Sigma wildcard string as a LIKE pattern: `*` → `%`, `?` → `_`, and `%`, `_`, `\` escaped with `\`. */
export function likePattern(parts: SigmaString['parts'], lc: (s: string) => string = (s) => s): string {
  return parts
    .map((p) => (typeof p === 'string' ? lc(p).replace(/[\\%_]/g, '\\$&') : isWildcard(p, '*') ? '%' : isWildcard(p, '?') ? '_' : ''))
    .join('');
}
