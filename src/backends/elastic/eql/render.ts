// Renders the query IR as an EQL query: `<event category> where <condition>`, the category from
// the pipeline state (`process`, `network`, …) or `any`. Case-insensitive Sigma strings use EQL's
// `:` (case-insensitive, `*` and `?` wildcards), `|cased` ones `==` or `like`. A value with a
// backslash or a literal `*`/`?` is written as a RegExp instead (`regex~`, `regex`), because
// backslash escaping inside wildcard patterns is not part of EQL's documented syntax. Under a
// negation each test is guarded with `field != null` so that a missing field counts as no match.
import type { Expr, FieldTest } from '../../../ir/types.js';
import { isWildcard, parseIp, type SigmaString } from '../../../ir/values.js';
import { and } from '../../../ir/lower.js';
import { chunked } from '../../common/chunked.js';
import { ConversionError, type ConvertInput } from '../../common/types.js';
import { isPrintableAscii, stringShape } from '../../common/strings.js';
import { esType, ipv4PrefixCidr, NUMBER_TEXT } from '../ecs-types.js';
import { sigmaRegexToLucene, wildcardRegexp } from '../lucene-regexp.js';
import { hasNonAsciiCase } from '../../common/unicode-case.js';
import { eqlCategory } from '../state.js';
import { eqlField, eqlString } from './syntax.js';

type Parent = 'top' | 'and' | 'or' | 'not';

export function renderEqlQuery({ ir, state }: ConvertInput): string {
  const where = renderExpr(and([...(ir.guard ? [ir.guard] : []), ir.detection]));
  return `${eqlCategory(state)} where ${where}`;
}

export function renderExpr(e: Expr, parent: Parent = 'top', positive = true): string {
  switch (e.kind) {
    case 'const':
      return e.value ? 'true' : 'false';
    case 'and':
    case 'or': {
      if (e.args.length === 0) return e.kind === 'and' ? 'true' : 'false';
      const body = chunked(
        e.args.map((a) => renderExpr(a, e.kind, positive)),
        ` ${e.kind} `,
      );
      return parent === 'top' || e.args.length === 1 ? body : `(${body})`;
    }
    case 'not':
      return `not (${renderExpr(e.arg, 'top', !positive)})`;
    case 'test': {
      const s = renderTest(e, positive);
      return parent === 'top' || !/ (and|or) /.test(s) || s.startsWith('(') ? s : `(${s})`;
    }
  }
}

export function renderTest(t: FieldTest, positive: boolean): string {
  if (t.timePart) throw new ConversionError('unsupported-modifier', `the |${t.timePart} modifier is not rendered to EQL yet`);
  if (t.field === null) throw new ConversionError('unsupported-keyword', 'EQL has no search of every field for a keyword');
  const f = eqlField(t.field);
  const v = t.value;
  if (v.type === 'null') return `${f} == null`;
  if (v.type === 'exists') return `${f} ${v.value ? '!=' : '=='} null`;
  if (v.type === 'string' && stringShape(v).kind === 'any') return `${f} != null`;
  const pred = predicate(t, t.field, f);
  // `neq`, or a test under a negation: a missing field is no match, whatever EQL makes of null.
  if (t.negate) return `(${f} != null and not (${pred}))`;
  return positive ? pred : `(${f} != null and ${pred})`;
}

function predicate(t: FieldTest, name: string, f: string): string {
  const v = t.value;
  const type = esType(name);
  switch (v.type) {
    case 'string':
      return stringPredicate(v, t, name, f, type);
    case 'number':
      if (type === 'ip') throw new ConversionError('type-mismatch', `${name} is an IP field; the number ${v.text} cannot match it`);
      return type === 'long' ? `${f} == ${String(v.value)}` : `${f} == ${eqlString(v.text)}`;
    case 'bool':
      if (type !== 'keyword') throw new ConversionError('type-mismatch', `${name} is a ${type} field; the boolean ${v.value} cannot match it`);
      return `${f} : ${eqlString(String(v.value))}`;
    case 'null':
      return `${f} == null`;
    case 'exists':
      return `${f} ${v.value ? '!=' : '=='} null`;
    case 're':
      if (type !== 'keyword') throw new ConversionError('type-mismatch', `${name} is a ${type} field; EQL runs regular expressions on keyword fields only`);
      // regex~ folds ASCII only: letters beyond it are folded into classes, matched case-sensitively.
      if (v.flags.i && hasNonAsciiCase(v.pattern)) return `${f} regex ${eqlString(sigmaRegexToLucene(v.pattern, v.flags, true))}`;
      return `${f} ${v.flags.i ? 'regex~' : 'regex'} ${eqlString(sigmaRegexToLucene(v.pattern, v.flags, false))}`;
    case 'cidr':
      if (type !== 'ip') throw new ConversionError('cidr-keyword', `${name} is not an IP field (src/backends/elastic/ecs-types.ts), and EQL's cidrMatch takes IP fields only (${v.text})`);
      return `cidrMatch(${f}, ${eqlString(v.text)})`;
    case 'compare': {
      const op = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[v.op];
      return `${type === 'long' ? f : `number(${f})`} ${op} ${String(v.value)}`;
    }
    case 'fieldref':
      throw new ConversionError('fieldref-unsupported', `EQL cannot compare ${name} with another field (${v.field}) outside a sequence's join keys`);
  }
}

function stringPredicate(v: SigmaString, t: FieldTest, name: string, f: string, type: string): string {
  const shape = stringShape(v);
  const texts = v.parts.filter((p): p is string => typeof p === 'string');
  if (v.encoding === 'bytes' && !texts.every(isPrintableAscii))
    throw new ConversionError('binary-value', `the value of ${name} is a byte string (${t.origin.item.modifiers.join('|')}) that a keyword field cannot hold`);
  if (type === 'long') {
    if (shape.kind === 'equals' && NUMBER_TEXT.test(shape.text)) return `${f} == ${shape.text}`;
    throw new ConversionError('type-mismatch', `${name} is a numeric field; '${shape.kind === 'pattern' ? 'a pattern' : (shape as { text?: string }).text}' (${shape.kind}) has no EQL form on it`);
  }
  if (type === 'ip') {
    if (shape.kind === 'equals' && parseIp(shape.text)) return `${f} == ${eqlString(shape.text)}`;
    const cidr = shape.kind === 'startswith' ? ipv4PrefixCidr(shape.text) : null;
    if (cidr) return `cidrMatch(${f}, ${eqlString(cidr)})`;
    throw new ConversionError('type-mismatch', `${name} is an IP field; '${shape.kind === 'pattern' ? 'a pattern' : (shape as { text?: string }).text}' (${shape.kind}) is neither an address nor a whole-octet prefix`);
  }
  const wild = v.parts.some((p) => isWildcard(p));
  // `:` and `regex~` fold ASCII letters only: a value with others is a case-sensitive RegExp whose letters are
  // classes of every case the engine takes for them (common/unicode-case.ts).
  if (!t.cased && texts.some(hasNonAsciiCase)) return `${f} regex ${eqlString(wildcardRegexp(v.parts, true))}`;
  // Backslashes and literal wildcard characters: only a RegExp says them unambiguously.
  if (texts.some((s) => /[\\*?]/.test(s))) return `${f} ${t.cased ? 'regex' : 'regex~'} ${eqlString(wildcardRegexp(v.parts, false))}`;
  const pattern = v.parts.map((p) => (typeof p === 'string' ? p : isWildcard(p, '*') ? '*' : '?')).join('');
  if (!t.cased) return `${f} : ${eqlString(pattern)}`;
  return wild ? `${f} like ${eqlString(pattern)}` : `${f} == ${eqlString(pattern)}`;
}
