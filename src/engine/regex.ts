// The `re` modifier needs a regular-expression engine that cannot backtrack catastrophically.
// The engine takes a factory so that Node can use RE2 and the browser a guarded fallback.

export interface RegexFlags {
  i: boolean;
  m: boolean;
  s: boolean;
}

export type RegexTester = (text: string) => boolean;

/** Returns a tester, or throws an Error whose message says why the pattern cannot be used. */
export type RegexFactory = ((pattern: string, flags: RegexFlags) => RegexTester) & {
  /**
   * Called when every pattern of a rule set has been asked for (rule-set.ts): a factory that
   * remembers the patterns its engine accepted (regex-memo.ts) keeps the new ones then.
   */
  settle?: () => void;
};

/** One key for a pattern and its flags: a memo's, a store's. */
export function regexKey(pattern: string, flags: RegexFlags): string {
  return `${flags.i ? 'i' : ''}${flags.m ? 'm' : ''}${flags.s ? 's' : ''}/${pattern}`;
}

/**
 * JavaScript's own RegExp, for environments without RE2 (the browser playground). Patterns with
 * nested quantifiers, the usual source of catastrophic backtracking, are refused, and subject
 * text is capped, so a hostile pattern cannot hang the page.
 */
export const guardedJsRegex: RegexFactory = (pattern, flags) => {
  if (/\([^)]*[+*][^)]*\)[+*{]/.test(pattern)) throw new Error('nested quantifiers are refused without RE2 (risk of catastrophic backtracking)');
  const re = new RegExp(pattern, 'u' + (flags.i ? 'i' : '') + (flags.m ? 'm' : '') + (flags.s ? 's' : ''));
  return (text) => re.test(text.length > 65536 ? text.slice(0, 65536) : text);
};
