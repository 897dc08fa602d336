// EQL lexical forms: string literals and field names (backtick-quoted when not plain).
import { ConversionError } from '../../common/types.js';

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A double-quoted EQL string literal (escapes \\ \" \n \r \t). */
export function eqlString(text: string): string {
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text)) throw new ConversionError('binary-value', 'a value with control characters cannot be written as an EQL string literal');
  return '"' + text.replace(/[\\"\n\r\t]/g, (c) => ESCAPES[c]!) + '"';
}

const KEYWORDS = new Set(['and', 'or', 'not', 'where', 'sequence', 'sample', 'by', 'with', 'in', 'like', 'regex', 'true', 'false', 'null', 'until', 'join', 'of', 'any', 'maxspan', 'runs', 'size']);

/** A field name: plain when every dot-separated part is an identifier, backtick-quoted otherwise. */
export function eqlField(name: string): string {
  const plain = name.split('.').every((p) => /^[A-Za-z_@][A-Za-z0-9_@]*$/.test(p) && !KEYWORDS.has(p.toLowerCase()));
  return plain ? name : '`' + name.replace(/`/g, '``') + '`';
}
