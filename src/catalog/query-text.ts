// The search box's text as terms: plain words (all must match) and `key:value` terms
// (`level:high`, `tag:t1197`, `field:cs-host`, `author:"Florian Roth"`). The last word is a prefix
// while the user is still typing it, i.e. when the text does not end with a space or closing quote.
import { tokenize } from './tokens.js';

export type QueryTerm = { kind: 'word'; word: string; prefix: boolean } | { kind: 'key'; key: string; value: string; prefix: boolean };

/** Keys understood before a colon; any other `x:y` is searched as text (URLs, `C:\…`). */
export const QUERY_KEYS: readonly string[] = [
  'level', 'status', 'type', 'product', 'category', 'service', 'tactic', 'technique', 'author', 'year', 'modified', 'kind', 'correlation', 'root',
  'tag', 'field', 'id',
];

/** The start of a UUID that goes past its first group: `9eb68894-7476…`. */
const UUID_PART = /^[0-9a-f]{8}-[0-9a-f-]*$/i;

const TERM = /([A-Za-z]+):(?:"([^"]*)("?)|(\S*))|"([^"]*)("?)|(\S+)/g;

export function parseQueryText(text: string): QueryTerm[] {
  const terms: QueryTerm[] = [];
  const typing = text.length > 0 && !/\s$/.test(text);
  for (const m of text.matchAll(TERM)) {
    const end = m.index! + m[0].length;
    const atEnd = typing && end === text.length;
    const key = m[1]?.toLowerCase();
    if (key !== undefined && QUERY_KEYS.includes(key)) {
      const quoted = m[2] !== undefined;
      const value = (quoted ? m[2]! : m[4]!).trim().toLowerCase();
      if (!value) continue; // `level:` alone: the user has not typed the value yet
      terms.push({ kind: 'key', key, value, prefix: atEnd && !(quoted && m[3] === '"') });
      continue;
    }
    const raw = m[5] ?? m[7] ?? m[0];
    if (UUID_PART.test(raw)) {
      // A pasted (or partly typed) rule id: matched against ids, not split into words.
      terms.push({ kind: 'key', key: 'id', value: raw.toLowerCase(), prefix: true });
      continue;
    }
    const closed = m[5] !== undefined && m[6] === '"';
    const words = tokenize(raw);
    words.forEach((word, i) => terms.push({ kind: 'word', word, prefix: atEnd && !closed && i === words.length - 1 && lastWordIsTail(raw, word) }));
  }
  return terms;
}

/** `powershell-` ends with a separator: its last word is complete even though no space follows. */
function lastWordIsTail(raw: string, word: string): boolean {
  return raw.toLowerCase().endsWith(word);
}
