// Word splitting shared by the search index and queries: the same function on both sides, so what
// a rule says and what a user types meet. Case-insensitive; letters and digits form words, everything
// else separates them (`\bitsadmin.exe` → bitsadmin, exe; `cs-host` → cs, host).

const WORD_CHAR = /[\p{L}\p{N}]/u;
/** Longer runs (base64 blobs, hashes) are cut: nobody types more, and the dictionary stays small. */
export const MAX_TOKEN = 40;

/** A character scan rather than a Unicode regex: this runs over every value of every rule at page load. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const s = text.toLowerCase();
  let start = -1;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 32;
    const word = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c > 127 && isWordChar(s, i));
    if (word) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push(i - start > MAX_TOKEN ? s.slice(start, start + MAX_TOKEN) : s.slice(start, i));
      start = -1;
    }
  }
  return out;
}

function isWordChar(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  // A surrogate pair is one character: test both halves together.
  if (c >= 0xd800 && c <= 0xdbff) return WORD_CHAR.test(s.slice(i, i + 2));
  if (c >= 0xdc00 && c <= 0xdfff) return WORD_CHAR.test(s.slice(i - 1, i + 1));
  return WORD_CHAR.test(s[i]!);
}

/** First index in a sorted array whose item is >= key. */
export function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index range [from, to) of the items of a sorted array that start with prefix. */
export function prefixRange(sorted: readonly string[], prefix: string): [number, number] {
  const from = lowerBound(sorted, prefix);
  let to = from;
  // Walking is fine: a range is exactly the words the loop must visit anyway.
  while (to < sorted.length && sorted[to]!.startsWith(prefix)) to++;
  return [from, to];
}
