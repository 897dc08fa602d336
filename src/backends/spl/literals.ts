// SPL lexical forms. Two languages share one query: the search language (the first part of a
// query: `field="value"` terms, case-insensitive, `*` always a wildcard) and the eval expression
// language of `| where` (functions, single-quoted field names, double-quoted strings). Both
// unescape `\\` and `\"` inside a double-quoted string once, before any matching or regex engine.

/** A double-quoted string (search term or eval literal): backslash and quote escaped. */
export function splString(text: string): string {
  return '"' + text.replace(/[\\"]/g, '\\$&') + '"';
}

/** Characters a search term cannot carry exactly: control characters (the term is one line). */
export function searchTermProblem(text: string): string | null {
  return /[\x00-\x1f\x7f]/.test(text) ? 'a control character' : null;
}

/**
 * A field name in the search language: bare when it is word characters and dots (`EventCode`,
 * `Web.url`), double-quoted otherwise (`"cs-host"`), as Splunk accepts for names with spaces or dashes.
 */
export function searchField(name: string): string {
  return /^[A-Za-z_][\w.]*$/.test(name) && !RESERVED.has(name.toUpperCase()) ? name : splString(name);
}

// Words that are operators, not field names, when they stand bare.
const RESERVED = new Set(['AND', 'OR', 'NOT', 'XOR', 'LIKE', 'TRUE', 'FALSE', 'NULL', 'IN']);

/**
 * A field name in an eval expression (`| where`): bare only for a plain identifier, otherwise in
 * single quotes. A dot must be quoted: in eval it is the string concatenation operator.
 */
export function evalField(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name.toUpperCase()) ? name : `'${name.replace(/[\\']/g, '\\$&')}'`;
}

/**
 * Text as a PCRE pattern that matches itself: metacharacters escaped, control characters as \xHH
 * (so that the pattern, and the eval string holding it, stays on one line).
 */
export function pcreLiteral(text: string): string {
  return text
    .replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')
    .replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
