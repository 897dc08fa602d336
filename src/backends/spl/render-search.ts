// Renders IR expressions in the search language (the query's first part, before any pipe):
// `field="value"` terms, which Splunk matches case-insensitively with `*` as a wildcard, `NOT`,
// `OR` and implicit AND. A test this language cannot say exactly (a regex, `?`, a literal `*`,
// `|cased`, a field reference) makes its whole expression unsearchable: the caller renders that
// part as a `| where` expression instead (render-where.ts), so nothing is weakened or dropped.
import type { Expr, FieldTest } from '../../ir/types.js';
import { isWildcard, type SigmaString } from '../../ir/values.js';
import { chunked } from '../common/chunked.js';
import { isPrintableAscii } from '../common/strings.js';
import { ConversionError } from '../common/types.js';
import { searchField, searchTermProblem, splString } from './literals.js';

type Parent = 'top' | 'and' | 'or' | 'not';

/** The expression as search terms, or null when some test needs `| where`. */
export function searchExpr(e: Expr, parent: Parent = 'top'): string | null {
  switch (e.kind) {
    case 'const':
      // The search language has no literal for true or false.
      return null;
    case 'and':
    case 'or': {
      const parts: string[] = [];
      for (const a of e.args) {
        const s = searchExpr(a, e.kind);
        if (s === null) return null;
        parts.push(s);
      }
      if (parts.length === 0) return null;
      // Splunk evaluates OR before the implicit AND: every nested group gets parentheses.
      const body = chunked(parts, e.kind === 'and' ? ' ' : ' OR ');
      return parent === 'top' || parts.length === 1 ? body : `(${body})`;
    }
    case 'not': {
      const s = searchExpr(e.arg, 'not');
      return s === null ? null : `NOT ${s}`;
    }
    case 'test': {
      const s = searchTest(e);
      // `NOT NOT x` reads badly and parses doubtfully: the inner negation gets its own group.
      return s !== null && parent === 'not' && s.startsWith('NOT ') ? `(${s})` : s;
    }
  }
}

/** One field test as search terms, or null. */
export function searchTest(t: FieldTest): string | null {
  if (t.timePart) throw new ConversionError('unsupported-modifier', `the |${t.timePart} modifier is not rendered to SPL`);
  const v = t.value;
  if (t.field === null) return keywordTerm(t);
  const f = searchField(t.field);
  if (t.negate) {
    // `neq`: the field is there and its value does not match.
    const inner = valueTerm(t, f);
    return inner === null ? null : `(${f}=* NOT ${inner})`;
  }
  if (v.type === 'null') return `NOT ${f}=*`;
  if (v.type === 'exists') return v.value ? `${f}=*` : `NOT ${f}=*`;
  return valueTerm(t, f);
}

function valueTerm(t: FieldTest, f: string): string | null {
  const v = t.value;
  switch (v.type) {
    case 'string': {
      const pattern = wildcardTerm(v, t);
      return pattern === null ? null : `${f}=${pattern}`;
    }
    case 'number':
      return `${f}=${/^-?\d+(\.\d+)?$/.test(v.text) ? v.text : String(v.value)}`;
    case 'bool':
      return `${f}=${String(v.value)}`;
    case 'cidr':
      // The search command matches an IP field against a CIDR range given as the value.
      return `${f}=${splString(v.text)}`;
    case 'compare':
      return `${f}${{ lt: '<', lte: '<=', gt: '>', gte: '>=' }[v.op]}${v.value}`;
    case 'null':
    case 'exists':
      // Under neq: the value test itself.
      return v.type === 'null' || !v.value ? `NOT ${f}=*` : `${f}=*`;
    case 're':
    case 'fieldref':
      return null;
  }
}

/**
 * A Sigma string as a quoted search value with `*` wildcards, or null when the search language
 * cannot say it: case-sensitive (`|cased`), a `?` wildcard, a literal `*` (no escape exists for it
 * in a search term) or a control character.
 */
export function wildcardTerm(v: SigmaString, t: FieldTest): string | null {
  if (t.cased) return null;
  if (v.encoding === 'bytes' && !v.parts.every((p) => typeof p !== 'string' || isPrintableAscii(p)))
    throw new ConversionError('binary-value', `the value of ${t.field ?? 'a keyword'} is a byte string (${t.origin.item.modifiers.join('|')}) that Splunk's text fields cannot hold`);
  let out = '';
  for (const p of v.parts) {
    if (typeof p === 'string') {
      if (p.includes('*') || searchTermProblem(p)) return null;
      out += p;
    } else if (isWildcard(p, '*')) out += '*';
    else return null;
  }
  return splString(out);
}

/** A keyword: a bare quoted term, which Splunk looks for in the raw event text. */
function keywordTerm(t: FieldTest): string | null {
  const v = t.value;
  if (v.type === 'string') return wildcardTerm(v, t);
  return null;
}
