// The tokens of an SPL query, for Quarry's structural validator: double-quoted strings (with `\`
// escapes), single-quoted field names, parentheses, pipes, comparison and arithmetic operators,
// commas, and words (everything else up to a space or one of those). Each keeps its offset.

export type TokenKind = 'string' | 'qfield' | 'lparen' | 'rparen' | 'pipe' | 'op' | 'comma' | 'word';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Offset of the token's first character in the query. */
  at: number;
}

export interface Tokens {
  tokens: Token[];
  problems: Array<{ at: number; message: string }>;
}

const OPS = ['==', '!=', '<=', '>=', '=', '<', '>', '+', '-', '*', '/', '%', '.'];
const WORD_END = /[\s"'()|=<>!,]/;

export function tokenize(query: string): Tokens {
  const tokens: Token[] = [];
  const problems: Tokens['problems'] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      let j = i + 1;
      let closed = false;
      while (j < query.length) {
        if (query[j] === '\\') j += 2;
        else if (query[j] === c) {
          closed = true;
          break;
        } else j++;
      }
      if (!closed) {
        problems.push({ at: start, message: `unterminated ${c === '"' ? 'string' : 'quoted field name'}` });
        return { tokens, problems };
      }
      tokens.push({ kind: c === '"' ? 'string' : 'qfield', text: query.slice(start, j + 1), at: start });
      i = j + 1;
      continue;
    }
    const single: Record<string, TokenKind> = { '(': 'lparen', ')': 'rparen', '|': 'pipe', ',': 'comma' };
    if (single[c]) {
      tokens.push({ kind: single[c]!, text: c, at: i });
      i++;
      continue;
    }
    if (/[=<>!]/.test(c)) {
      const op = OPS.find((o) => query.startsWith(o, i))!;
      if (!op) {
        problems.push({ at: i, message: `'${c}' is not an operator` });
        i++;
        continue;
      }
      tokens.push({ kind: 'op', text: op, at: i });
      i += op.length;
      continue;
    }
    let j = i;
    while (j < query.length && !WORD_END.test(query[j]!)) j++;
    tokens.push({ kind: 'word', text: query.slice(i, j), at: i });
    i = j;
  }
  return { tokens, problems };
}

/** The text of a double-quoted string token without quotes and escapes. */
export function unquote(t: Token): string {
  return t.text.slice(1, -1).replace(/\\(.)/gs, '$1');
}
