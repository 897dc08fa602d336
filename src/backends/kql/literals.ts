// KQL lexical forms: string literals and identifiers.

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A double-quoted KQL string literal; control characters are written as \uXXXX. */
export function kqlString(text: string): string {
  // Fast paths for the common texts (most hold backslashes, few a control character): a native
  // replacement instead of a callback per character to escape.
  if (!CONTROL.test(text)) return '"' + (QUOTE_OR_BACKSLASH.test(text) ? text.replace(QUOTES_AND_BACKSLASHES, '\\$&') : text) + '"';
  return (
    '"' +
    text.replace(/[\\"\n\r\t]|[\x00-\x1f\x7f]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) +
    '"'
  );
}

const CONTROL = /[\x00-\x1f\x7f]/;
const QUOTE_OR_BACKSLASH = /[\\"]/;
const QUOTES_AND_BACKSLASHES = /[\\"]/g;

// Words that cannot stand as a bare column name in an expression.
const RESERVED = new Set(['and', 'or', 'not', 'true', 'false', 'null', 'by', 'on', 'with', 'where', 'let', 'in', 'has', 'contains', 'between', 'to', 'of', 'typeof', 'dynamic', 'datetime', 'timespan', 'bool', 'int', 'long', 'real', 'string', 'guid', 'decimal', 'double', 'time', 'date']);

/** A column name, bracket-quoted (`['cs-host']`) when it is not a plain identifier. */
export function kqlIdent(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name.toLowerCase())) return name;
  return `['${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

/** A member of a dynamic value: `.Name` when plain, `['odd-name']` otherwise. */
export function kqlMember(name: string): string {
  const id = kqlIdent(name);
  return id.startsWith('[') ? id : '.' + id;
}
