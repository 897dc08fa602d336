// Renders the query IR as a Lucene query_string query over ECS fields. Sigma compares strings
// case-insensitively, keyword fields in Elasticsearch compare them exactly, and query_string has no
// case-insensitive term: a case-insensitive test of a text with letters becomes a RegExp whose
// letters are `[Aa]` classes, which is exact on keyword and wildcard fields (README.md). Values
// without letters, and `|cased` values, stay plain (wildcard) terms. Lucene's boolean logic is
// two-valued over documents (`NOT f:x` holds for a document without f), which is Sigma's.
import type { Expr, FieldTest } from '../../../ir/types.js';
import { parseIp, type SigmaString } from '../../../ir/values.js';
import { and } from '../../../ir/lower.js';
import { chunked } from '../../common/chunked.js';
import { ConversionError, type ConvertInput } from '../../common/types.js';
import { isPrintableAscii, stringShape } from '../../common/strings.js';
import { esType, ipv4PrefixCidr, NUMBER_TEXT } from '../ecs-types.js';
import { hasCase, regexpLiteral, sigmaRegexToLucene, wildcardRegexp } from '../lucene-regexp.js';
import { luceneField, lucenePhrase, luceneRegexp, luceneTerm, luceneTermText, termSafe } from './syntax.js';
import { isWildcard } from '../../../ir/values.js';

type Parent = 'top' | 'and' | 'or' | 'not';

const MATCH_ALL = '*:*';

export function renderLuceneQuery({ ir }: ConvertInput): string {
  return renderExpr(and([...(ir.guard ? [ir.guard] : []), ir.detection]));
}

export function renderExpr(e: Expr, parent: Parent = 'top'): string {
  switch (e.kind) {
    case 'const':
      return e.value ? MATCH_ALL : wrap(`NOT ${MATCH_ALL}`, parent);
    case 'and':
    case 'or': {
      if (e.args.length === 0) return renderExpr({ kind: 'const', value: e.kind === 'and' }, parent);
      const body = chunked(
        e.args.map((a) => renderExpr(a, e.kind)),
        e.kind === 'and' ? ' AND ' : ' OR ',
      );
      return parent === 'top' || e.args.length === 1 ? body : `(${body})`;
    }
    case 'not':
      return wrap(`NOT ${renderExpr(e.arg, 'not')}`, parent);
    case 'test':
      return renderTest(e, parent);
  }
}

const wrap = (s: string, parent: Parent) => (parent === 'top' ? s : `(${s})`);

export function renderTest(t: FieldTest, parent: Parent): string {
  if (t.timePart) throw new ConversionError('unsupported-modifier', `the |${t.timePart} modifier has no Lucene form`);
  if (t.field === null) return renderKeyword(t, parent);
  const f = luceneField(t.field);
  if (t.negate) return `(_exists_:${f} AND NOT ${valueQuery(t, t.field, f, 'not')})`;
  return valueQuery(t, t.field, f, parent);
}

/** The query for the test's value on field `name` (escaped `f`). */
function valueQuery(t: FieldTest, name: string, f: string, parent: Parent): string {
  const v = t.value;
  const type = esType(name);
  const at = (q: string) => `${f}:${q}`;
  switch (v.type) {
    case 'string':
      return stringQuery(v, t, name, type, at, parent);
    case 'number':
      if (type === 'ip') throw new ConversionError('type-mismatch', `${name} is an IP field; the number ${v.text} cannot match it`);
      return at(luceneTerm(type === 'long' ? String(v.value) : v.text));
    case 'bool':
      if (type !== 'keyword') throw new ConversionError('type-mismatch', `${name} is a ${type} field; the boolean ${v.value} cannot match it`);
      // The engine compares a boolean with a text value case-insensitively (`True` matches true).
      return at(luceneRegexp(regexpLiteral(String(v.value), true)));
    case 'null':
      return wrap(`NOT _exists_:${f}`, parent);
    case 'exists':
      return v.value ? `_exists_:${f}` : wrap(`NOT _exists_:${f}`, parent);
    case 're':
      if (type !== 'keyword') throw new ConversionError('type-mismatch', `${name} is a ${type} field; Lucene runs regular expressions on keyword fields only`);
      return at(luceneRegexp(sigmaRegexToLucene(v.pattern, v.flags)));
    case 'cidr':
      if (type !== 'ip') throw new ConversionError('cidr-keyword', `${name} is not an IP field (src/backends/elastic/ecs-types.ts), and query_string matches a CIDR block (${v.text}) only on IP fields`);
      return at(lucenePhrase(v.text));
    case 'compare': {
      if (type !== 'long') throw new ConversionError('compare-keyword', `${name} is a keyword field, on which a Lucene range compares text, not numbers (${v.op} ${v.value})`);
      const n = luceneTerm(String(v.value));
      const range = { gt: `{${n} TO *}`, gte: `[${n} TO *]`, lt: `{* TO ${n}}`, lte: `[* TO ${n}]` }[v.op];
      return at(range);
    }
    case 'fieldref':
      throw new ConversionError('fieldref-unsupported', `Lucene cannot compare ${name} with another field (${v.field})`);
  }
}

function stringQuery(v: SigmaString, t: FieldTest, name: string, type: string, at: (q: string) => string, parent: Parent): string {
  const shape = stringShape(v);
  const texts = v.parts.filter((p): p is string => typeof p === 'string');
  if (v.encoding === 'bytes' && !texts.every(isPrintableAscii))
    throw new ConversionError('binary-value', `the value of ${name} is a byte string (${t.origin.item.modifiers.join('|')}) that a keyword field cannot hold`);
  if (shape.kind === 'any') return `_exists_:${luceneField(name)}`;
  if (type === 'long') {
    if (shape.kind === 'equals' && NUMBER_TEXT.test(shape.text)) return at(luceneTerm(shape.text));
    throw new ConversionError('type-mismatch', `${name} is a numeric field; '${shape.kind === 'pattern' ? 'a pattern' : shape.text}' (${shape.kind}) has no Lucene form on it`);
  }
  if (type === 'ip') {
    if (shape.kind === 'equals' && parseIp(shape.text)) return at(lucenePhrase(shape.text));
    const cidr = shape.kind === 'startswith' ? ipv4PrefixCidr(shape.text) : null;
    if (cidr) return at(lucenePhrase(cidr));
    throw new ConversionError('type-mismatch', `${name} is an IP field; '${shape.kind === 'pattern' ? 'a pattern' : shape.text}' (${shape.kind}) is neither an address nor a whole-octet prefix`);
  }
  const fold = !t.cased && texts.some(hasCase);
  if (fold || !texts.every(termSafe)) return at(luceneRegexp(wildcardRegexp(v.parts, fold)));
  if (shape.kind === 'equals') return at(luceneTerm(shape.text));
  void parent;
  return at(v.parts.map((p) => (typeof p === 'string' ? luceneTermText(p) : isWildcard(p, '*') ? '*' : '?')).join(''));
}

/** A keyword: the value searched for in the default fields (`index.query.default_field`, all by default). */
function renderKeyword(t: FieldTest, parent: Parent): string {
  const v = t.value;
  // A null keyword never matches in the engine: it looks at values, and null is none.
  if (v.type === 'null') return wrap(`NOT ${MATCH_ALL}`, parent);
  if (v.type !== 'string') throw new ConversionError('unsupported-keyword', `a ${v.type} keyword cannot be searched for in every field`);
  if (t.negate) throw new ConversionError('unsupported-keyword', 'a neq keyword cannot be searched for in every field');
  const texts = v.parts.filter((p): p is string => typeof p === 'string');
  if (v.encoding === 'bytes' && !texts.every(isPrintableAscii)) throw new ConversionError('binary-value', 'a byte-string keyword cannot be searched for in keyword fields');
  const shape = stringShape(v);
  if (shape.kind === 'any') return MATCH_ALL;
  const fold = !t.cased && texts.some(hasCase);
  if (fold || !texts.every(termSafe)) return luceneRegexp(wildcardRegexp(v.parts, fold));
  if (shape.kind === 'equals') return luceneTerm(shape.text);
  return v.parts.map((p) => (typeof p === 'string' ? luceneTermText(p) : isWildcard(p, '*') ? '*' : '?')).join('');
}
