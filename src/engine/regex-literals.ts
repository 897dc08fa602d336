// Literal text a regular expression cannot match without: lets the prefilter wake a `|re` rule
// only for events that contain it, instead of running the regex on every candidate event.
//
// The reading is deliberately partial and errs one way: anything it does not fully understand
// (groups, classes, escapes of letters, quantifiers) ends a literal run, and a pattern it cannot
// split safely gives no literal at all. A run it returns must occur in every text the pattern
// matches, lower-cased (the prefilter compares lower-cased text, so a case-sensitive literal is
// still found).

/** Characters with a meaning of their own outside a class. */
const META = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);

/** Escapes that stand for one character class or a zero-width assertion, and nothing more. */
const SIMPLE_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S', 'b', 'B', 'A', 'z', 'Z', 'n', 'r', 't', 'f', 'v']);

/**
 * For each top-level alternative of `pattern`, its longest required literal (lower-cased); null
 * when some alternative has none or the pattern is not plainly understood.
 *
 * `caseInsensitive`: Unicode case folding (RE2's, and JavaScript's with the `u` flag) lets `k`
 * match the Kelvin sign and `s` the long s (ſ), which lower-casing does not turn into ASCII, so
 * a case-insensitive run never includes those two letters.
 */
export function requiredLiterals(pattern: string, caseInsensitive: boolean): string[] | null {
  // Inline flags (`(?i)`) may switch case-insensitivity on anywhere; class syntax that RE2 and
  // JavaScript read differently (`[]…]`, `[^]…]`) is not worth the risk.
  const ci = caseInsensitive || pattern.includes('(?');
  if (pattern.includes('[]') || pattern.includes('[^]') || pattern.includes('\\Q')) return null;
  const branches = splitTopLevel(pattern);
  if (!branches) return null;
  const out: string[] = [];
  for (const b of branches) {
    const lit = longestRun(b, ci);
    if (!lit) return null;
    out.push(lit);
  }
  return out;
}

/** The pattern split at `|` outside groups and classes; null when brackets do not balance. */
function splitTopLevel(p: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') i++;
    else if (c === '[') {
      const end = classEnd(p, i);
      if (end < 0) return null;
      i = end;
    } else if (c === '(') depth++;
    else if (c === ')') {
      if (--depth < 0) return null;
    } else if (c === '|' && depth === 0) {
      out.push(p.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return null;
  out.push(p.slice(start));
  return out;
}

/** Index of the `]` closing the class opened at `open`, or -1. */
function classEnd(p: string, open: number): number {
  for (let i = open + 1; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === ']') return i;
  }
  return -1;
}

/** Index just past the group opened at `open` (which balances: splitTopLevel checked). */
function groupEnd(p: string, open: number): number {
  let depth = 0;
  for (let i = open; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(p, i);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return p.length;
}

/** The longest run of literal characters that one alternative requires, lower-cased. */
function longestRun(b: string, ci: boolean): string {
  let best = '';
  let run = '';
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    let lit: string | null = null;
    let next = i + 1;
    if (c === '\\') {
      const e = b[i + 1];
      if (e === undefined) break;
      // An escaped ASCII punctuation mark is that character; a one-letter class or anchor is
      // stepped over; any other escaped letter or digit (a code like \x41, a property like \pL,
      // a back-reference) has a length of its own: the rest of the alternative is not read.
      if (e.charCodeAt(0) < 128 && !/[A-Za-z0-9]/.test(e)) lit = e;
      else if (!SIMPLE_ESCAPES.has(e)) break;
      next = i + 2;
    } else if (c === '{') {
      const close = b.indexOf('}', i);
      next = close < 0 ? b.length : close + 1;
    } else if (c === '(') {
      next = groupEnd(b, i);
    } else if (c === '[') {
      next = classEnd(b, i) + 1;
    } else if (!META.has(c) && c.charCodeAt(0) < 128) lit = c;
    if (next <= i) return ''; // malformed: read nothing
    const q = b[next];
    if (lit !== null && (q === '*' || q === '?' || q === '{')) lit = null; // optional (or a count that may be zero)
    if (lit === null || (ci && (lit === 'k' || lit === 'K' || lit === 's' || lit === 'S'))) end();
    else {
      run += lit.toLowerCase();
      if (q === '+') end(); // what follows a repeated character is not adjacent to this run
    }
    i = next;
  }
  end();
  return best;
}
