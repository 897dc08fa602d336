// Lexical forms of Lucene's query_string syntax (Kibana's `language: lucene`): escaped field names
// and terms, quoted phrases, and `/…/` regular expressions.

// Characters with a meaning in query_string, escaped with a backslash wherever they are literal.
const RESERVED = /[+\-=&|><!(){}[\]^"~*?:\\/ ]/g;

/** A field name: dots separate object paths and stay; everything reserved is escaped. */
export function luceneField(name: string): string {
  return name.replace(RESERVED, '\\$&');
}

/**
 * A literal text as (part of) a term. Whitespace control characters cannot be escaped portably
 * (parsers disagree on `\` + newline), so callers use a regular expression for text with them.
 */
export function luceneTermText(text: string): string {
  return text.replace(RESERVED, '\\$&');
}

/**
 * Whether a text can be written as a term. Control characters cannot, and neither can `<`, `>`
 * and `=`: Elasticsearch's documentation says `<` and `>` cannot be escaped at all, and the
 * `lucene` package accepts no escape for them; callers write such texts as a RegExp.
 */
export const termSafe = (text: string): boolean => !/[\x00-\x1f\x7f<>=]/.test(text);

/** A whole term: the operators AND, OR, NOT and TO are escaped so they stay words. */
export function luceneTerm(text: string): string {
  if (text === '') return '""';
  const t = luceneTermText(text);
  return /^(AND|OR|NOT|TO)$/.test(t) ? '\\' + t : t;
}

/** A quoted phrase (for IP addresses and CIDR blocks, which contain `:` and `/`). */
export function lucenePhrase(text: string): string {
  return `"${text.replace(/[\\"]/g, '\\$&')}"`;
}

/** A RegExp body between slashes. The body comes from lucene-regexp.ts, which escapes `/`. */
export function luceneRegexp(body: string): string {
  return `/${body}/`;
}
