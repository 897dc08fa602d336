// The characters a case-insensitive Sigma match treats as one: the engine lower-cases the event
// text and the value (JavaScript's toLowerCase) and compares, so a value character c stands for
// every character whose lower case is c's. Outside ASCII that set is not always a pair (`ß`/`ẞ`,
// `k`'s Kelvin sign K, Greek `Σ`/`σ`), and Elasticsearch folds case for ASCII only (`:` in EQL,
// `case_insensitive` queries), so non-ASCII letters are written as classes of these characters.
// A character whose lower case is two characters (`İ` → `i̇`) is in no class: the engine's match
// of such text has no one-character form (a known difference, rare in logs).

let byLower: Map<string, string[]> | undefined;

/** Every character (code point) whose lower case is the single character `lower`. */
function withLower(lower: string): readonly string[] {
  if (!byLower) {
    // Built once from all code points: about a million calls, well under a second.
    byLower = new Map();
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      const lo = c.toLowerCase();
      if (lo === c && c.toUpperCase() === c) continue;
      const list = byLower.get(lo);
      if (list) list.push(c);
      else byLower.set(lo, [c]);
    }
  }
  return byLower.get(lower) ?? [];
}

/** The characters the engine's case-insensitive match takes for `c` (c itself included), in code point order. */
export function caseVariants(c: string): string[] {
  const lo = c.toLowerCase();
  const out = new Set<string>([c]);
  if ([...lo].length === 1) for (const d of withLower(lo)) out.add(d);
  return [...out].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
}

/** Whether a text has a non-ASCII character whose case can differ (ASCII-only folding misses it). */
export function hasNonAsciiCase(text: string): boolean {
  // Nearly every value of a corpus is ASCII: one native search answers for it, where the loop by
  // code point cost a conversion of the whole corpus ~10 ms.
  if (!NON_ASCII.test(text)) return false;
  for (const c of text) if (c.codePointAt(0)! > 0x7f && c.toLowerCase() !== c.toUpperCase()) return true;
  return false;
}

const NON_ASCII = /[^\x00-\x7f]/;
