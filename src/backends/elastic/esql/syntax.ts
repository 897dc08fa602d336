// ES|QL lexical forms: string literals, field names (backtick-quoted when not plain), index
// patterns of FROM, and LIKE patterns.
import { ConversionError } from '../../common/types.js';
import { isWildcard, type StringPart } from '../../../ir/values.js';

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A double-quoted string literal. ES|QL has escapes for \\ \" \n \r \t only. */
export function esqlString(text: string): string {
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text)) throw new ConversionError('binary-value', 'a value with control characters cannot be written as an ES|QL string literal');
  return '"' + text.replace(/[\\"\n\r\t]/g, (c) => ESCAPES[c]!) + '"';
}

// Words of the language that cannot stand as a bare name part.
const KEYWORDS = new Set(['and', 'or', 'not', 'is', 'null', 'like', 'rlike', 'in', 'true', 'false', 'as', 'by', 'asc', 'desc', 'nulls', 'first', 'last', 'on', 'with', 'metadata', 'from', 'where', 'eval', 'row', 'stats', 'limit', 'keep', 'drop', 'sort', 'rename', 'dissect', 'grok', 'enrich', 'mv_expand', 'lookup', 'show', 'info']);

/** A field name: plain when every dot-separated part is an identifier, backtick-quoted otherwise. */
export function esqlField(name: string): string {
  const plain = name.split('.').every((p) => /^[A-Za-z][A-Za-z0-9_]*$/.test(p) && !KEYWORDS.has(p.toLowerCase()));
  return plain ? name : '`' + name.replace(/`/g, '``') + '`';
}

/** An index pattern of FROM: bare when it has only pattern characters, quoted otherwise. */
export function esqlIndex(pattern: string): string {
  return /^[A-Za-z0-9_.*\-:]+$/.test(pattern) && !/^[-_]/.test(pattern) ? pattern : esqlString(pattern);
}

/** A Sigma wildcard string as a LIKE pattern (`*`, `?`; literal `*`, `?` and `\` escaped with `\`). */
export function likePattern(parts: readonly StringPart[], lc: (s: string) => string): string {
  return parts.map((p) => (typeof p === 'string' ? lc(p).replace(/[\\*?]/g, '\\$&') : isWildcard(p, '*') ? '*' : '?')).join('');
}
