// Shapes of Sigma strings as query languages see them: most values are an exact text, a prefix, a
// suffix or a substring; anything else (a wildcard inside, `?`) needs a pattern or a regex.
import { isPlaceholder, isWildcard, type SigmaString, type StringPart } from '../../ir/values.js';

export type StringShape =
  | { kind: 'equals' | 'startswith' | 'endswith' | 'contains'; text: string }
  /** `*` alone (or `**`): any value. */
  | { kind: 'any' }
  /** Wildcards elsewhere: only a pattern language can say it. */
  | { kind: 'pattern'; parts: StringPart[] };

export function stringShape(s: SigmaString): StringShape {
  const parts = s.parts;
  if (parts.some(isPlaceholder)) throw new Error('placeholders must be resolved before rendering'); // lowering lists them as failures
  const star = (p: StringPart | undefined) => p !== undefined && isWildcard(p, '*');
  const lit = (p: StringPart | undefined): p is string => typeof p === 'string';
  if (parts.length === 0) return { kind: 'equals', text: '' };
  if (parts.length === 1 && star(parts[0])) return { kind: 'any' };
  if (parts.length === 1 && lit(parts[0])) return { kind: 'equals', text: parts[0] };
  if (parts.length === 2 && lit(parts[0]) && star(parts[1])) return { kind: 'startswith', text: parts[0] };
  if (parts.length === 2 && star(parts[0]) && lit(parts[1])) return { kind: 'endswith', text: parts[1] };
  if (parts.length === 3 && star(parts[0]) && lit(parts[1]) && star(parts[2])) return { kind: 'contains', text: parts[1] };
  return { kind: 'pattern', parts };
}

/** Escapes text for RE2 (and PCRE, Java, .NET) so that it matches itself. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * A Sigma wildcard string as an anchored regular expression body: `*` any run of characters
 * (newlines included: callers add the `s` flag), `?` exactly one.
 */
export function wildcardRegex(parts: readonly StringPart[]): string {
  const body = parts.map((p) => (typeof p === 'string' ? escapeRegex(p) : isWildcard(p, '*') ? '.*' : isWildcard(p, '?') ? '.' : '')).join('');
  return `^${body}$`;
}

/** True when every character of a byte string (an encoding modifier's output) is printable ASCII. */
export function isPrintableAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}
