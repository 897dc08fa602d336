// Which regular expressions an RE2-based target (KQL, Elastic, …) can run. Sigma's `re` values are
// PCRE-flavoured; RE2 has no look-around, back-references, atomic groups or possessive quantifiers,
// and a pattern that needs them is an error for its rule rather than a silently different query.

/** The reason an RE2 engine cannot run the pattern, or null when it can. */
export function re2Problem(pattern: string): string | null {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
      if (/[1-9]/.test(n)) return `back-reference \\${n}`;
      if (n === 'k' && pattern[i + 2] === '<') return 'named back-reference \\k<…>';
      if (n === 'Z') return '\\Z (end or before a final newline)';
      if (n === 'G') return '\\G';
      i++;
      continue;
    }
    if (c === '[') {
      // Skip a character class: nothing inside it is a group or a quantifier.
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2, i + 5);
      if (rest.startsWith('=') || rest.startsWith('!')) return 'look-ahead (?=…)/(?!…)';
      if (rest.startsWith('<=') || rest.startsWith('<!')) return 'look-behind (?<=…)/(?<!…)';
      if (rest.startsWith('>')) return 'atomic group (?>…)';
      if (rest.startsWith('(')) return 'conditional (?(…)…)';
    }
    if ((c === '+' || c === '*' || c === '?' || c === '}') && pattern[i + 1] === '+') return 'possessive quantifier';
  }
  return null;
}
