// Renders IR expressions as DuckDB SQL boolean expressions over the flat event table (see
// README.md in this folder): every column VARCHAR, NULL when the event has no such field. Each
// field test becomes one predicate with the engine's semantics (src/engine/compile.ts): strings
// compared lower-cased unless `cased`, wildcards as LIKE with an ESCAPE clause, numbers through a
// guarded TRY_CAST, and negation as `IS NOT TRUE`, because SQL's NOT NULL is NULL, which WHERE
// drops, while the engine's `not` of a test on a missing field holds.
import type { Expr, FieldTest } from '../../ir/types.js';
import { isWildcard, type SigmaString, type SigmaValue } from '../../ir/values.js';
import { ConversionError } from '../common/types.js';
import { isPrintableAscii, stringShape } from '../common/strings.js';
import { re2Problem } from '../common/regex.js';
import { sqlIdent, sqlNumber, sqlString } from './literals.js';
import { chunked } from '../common/chunked.js';

type Parent = 'top' | 'and' | 'or' | 'not';

/**
 * The engine's numeric text (event-access.ts NUMERIC), checked before TRY_CAST because DuckDB's
 * cast also accepts forms the engine does not (`1_000`, `inf`).
 */
export const NUMERIC_RE = '^\\s*[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?\\s*$';

export function renderExpr(e: Expr, parent: Parent = 'top', positive = true): string {
  switch (e.kind) {
    case 'const':
      return e.value ? 'TRUE' : 'FALSE';
    case 'and':
    case 'or': {
      if (e.args.length === 0) return e.kind === 'and' ? 'TRUE' : 'FALSE';
      const parts = e.args.map((a) => renderExpr(a, e.kind, positive));
      const body = chunked(parts, e.kind === 'and' ? ' AND ' : ' OR ');
      return parent === 'top' ? body : `(${body})`;
    }
    case 'not':
      // `IS NOT TRUE`, not NOT: a test on a NULL column is NULL, which must count as false (the
      // engine's test on a missing field) before it is negated; and DuckDB refuses NOT over *COLUMNS.
      return `(${renderExpr(e.arg, 'top', !positive)}) IS NOT TRUE`;
    case 'test':
      return renderTest(e, positive);
  }
}

/**
 * A test may be NULL (its column is); AND and OR are monotone, WHERE drops NULL like false, and
 * every negation is `IS NOT TRUE`, so NULL acts as false everywhere without a coalesce per test.
 */
function total(pred: string, _positive: boolean): string {
  return pred;
}

/** One field test. `positive` is false under an odd number of negations. */
export function renderTest(t: FieldTest, positive: boolean): string {
  if (t.timePart) throw new ConversionError('unsupported-modifier', `the |${t.timePart} modifier is not rendered to SQL yet`);
  const v = t.value;
  if (t.field === null) return renderKeyword(t);
  const col = sqlIdent(t.field);
  if (v.type === 'exists') return `(${col} IS ${v.value ? 'NOT ' : ''}NULL)`;
  if (t.negate) {
    // `neq`: the field is there, not null, and its value does not match.
    return `(${col} IS NOT NULL AND (${valuePredicate(v, t, col)}) IS NOT TRUE)`;
  }
  if (v.type === 'null') return `(${col} IS NULL)`;
  return total(valuePredicate(v, t, col), positive);
}

/** A keyword: the value test over every column of the row (`[*COLUMNS(*)]`, all VARCHAR). */
function renderKeyword(t: FieldTest): string {
  const v = t.value;
  // The engine's keyword `null` never matches (it looks at values, and null is none).
  if (v.type === 'null') return 'FALSE';
  if (v.type === 'exists' || v.type === 'fieldref') throw new ConversionError('unsupported-keyword', `a ${v.type} keyword cannot be searched for in every column`);
  if (t.negate) throw new ConversionError('unsupported-keyword', 'a neq keyword cannot be searched for in every column');
  return `(len(list_filter([*COLUMNS(*)], lambda _v: ${valuePredicate(v, t, '_v')})) > 0)`;
}

/** The test of one non-NULL value `x` (a column or a lambda variable); may be NULL when x is NULL. */
function valuePredicate(v: SigmaValue, t: FieldTest, x: string): string {
  const where = t.field === null ? 'a keyword' : `the value of ${t.field}`;
  switch (v.type) {
    case 'string':
      return stringPredicate(v, t, x, where);
    case 'number': {
      // The engine: the number itself, or a numeric text of the same value, or the very text written.
      const n = sqlNumber(v.value);
      return `(${x} = ${sqlString(v.text)} OR (regexp_full_match(${x}, ${sqlString(NUMERIC_RE)}) AND TRY_CAST(${x} AS DOUBLE) = ${n}))`;
    }
    case 'bool':
      return `lower(${x}) = ${sqlString(String(v.value))}`;
    case 'null':
      return `(${x} IS NULL)`;
    case 're': {
      const problem = re2Problem(v.pattern);
      if (problem) throw new ConversionError('regex-unsupported', `the regular expression of ${where} uses ${problem}, which DuckDB's RE2 engine cannot run`);
      const flags = (v.flags.i ? 'i' : '') + (v.flags.m ? 'm' : '') + (v.flags.s ? 's' : '');
      return `regexp_matches(${x}, ${sqlString((flags ? `(?${flags})` : '') + v.pattern)})`;
    }
    case 'cidr':
      throw new ConversionError('cidr-unsupported', 'cidr not supported in the SQL target (DuckDB\'s inet extension is not available offline)');
    case 'compare': {
      const op = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[v.op];
      return `(regexp_full_match(${x}, ${sqlString(NUMERIC_RE)}) AND TRY_CAST(${x} AS DOUBLE) ${op} ${sqlNumber(v.value)})`;
    }
    case 'fieldref': {
      const y = sqlIdent(v.field);
      const a = t.cased ? x : `lower(${x})`;
      const b = t.cased ? y : `lower(${y})`;
      switch (v.match) {
        case 'equals':
          return `${a} = ${b}`;
        case 'startswith':
          return `starts_with(${a}, ${b})`;
        case 'endswith':
          return `suffix(${a}, ${b})`;
        case 'contains':
          return `contains(${a}, ${b})`;
      }
    }
    // falls through (unreachable)
    case 'exists':
      throw new ConversionError('unsupported-value', 'exists is rendered before value tests');
  }
}

function stringPredicate(v: SigmaString, t: FieldTest, x: string, where: string): string {
  const shape = stringShape(v);
  const texts = shape.kind === 'pattern' ? shape.parts.filter((p): p is string => typeof p === 'string') : shape.kind === 'any' ? [] : [shape.text];
  if (v.encoding === 'bytes' && !texts.every(isPrintableAscii))
    throw new ConversionError('binary-value', `${where} is a byte string (${t.origin.item.modifiers.join('|')}) that a text column cannot hold`);
  if (shape.kind === 'any') return `(${x} IS NOT NULL)`;
  const lc = (s: string) => (t.cased ? s : s.toLowerCase());
  const col = t.cased ? x : `lower(${x})`;
  switch (shape.kind) {
    case 'equals':
      return `${col} = ${sqlString(lc(shape.text))}`;
    case 'startswith':
      return `starts_with(${col}, ${sqlString(lc(shape.text))})`;
    case 'endswith':
      return `suffix(${col}, ${sqlString(lc(shape.text))})`;
    case 'contains':
      return `contains(${col}, ${sqlString(lc(shape.text))})`;
    case 'pattern':
      return `${col} LIKE ${sqlString(likePattern(shape.parts, lc))} ESCAPE '\\'`;
  }
}

/** A Sigma wildcard string as a LIKE pattern: `*` → `%`, `?` → `_`, and `%`, `_`, `\` escaped with `\`. */
export function likePattern(parts: SigmaString['parts'], lc: (s: string) => string = (s) => s): string {
  return parts
    .map((p) => (typeof p === 'string' ? lc(p).replace(/[\\%_]/g, '\\$&') : isWildcard(p, '*') ? '%' : isWildcard(p, '?') ? '_' : ''))
    .join('');
}
