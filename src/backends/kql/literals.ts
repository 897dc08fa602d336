// KQL lexical forms: string literals and identifiers.

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A double-quoted KQL string literal; control characters are written as \uXXXX. */
export function kqlString(text: string): string {
  return (
    '"' +
    text.replace(/[\\"\n\r\t]|[\x00-\x1f\x7f]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) +
    '"'
  );
}

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
