// Compiles Sigma strings (literals, `*`, `?`) to matchers that run in linear time per segment,
// with no regular expression and so no backtracking.
import { isWildcard, type SigmaString } from '../ir/values.js';

export type StringMatcher = (s: string) => boolean;

/** `text` must already be lower-cased by the caller when `lower` is true. */
export function compileSigmaString(value: SigmaString, lower: boolean): StringMatcher {
  const segs = segmentsOf(value, lower);
  if (segs === null) return () => false; // unresolved placeholder: rules with one are reported as not runnable before this
  if (segs.length === 1) {
    const s = segs[0]!;
    if (s.plain !== null) {
      const lit = s.plain;
      return (t) => t === lit;
    }
    return (t) => t.length === s.length && s.matchAt(t, 0);
  }
  const first = segs[0]!;
  const last = segs[segs.length - 1]!;
  const middle = segs.slice(1, -1).filter((s) => s.length > 0);
  if (segs.length === 2 && first.plain !== null && last.plain !== null) {
    const a = first.plain;
    const b = last.plain;
    if (a === '' && b === '') return () => true;
    if (b === '') return (t) => t.startsWith(a);
    if (a === '') return (t) => t.endsWith(b);
    return (t) => t.length >= a.length + b.length && t.startsWith(a) && t.endsWith(b);
  }
  const m = containedIn(segs);
  if (m !== null) return (t) => t.includes(m);
  const minLength = segs.reduce((n, s) => n + s.length, 0);
  return (t) => {
    if (t.length < minLength) return false;
    if (!first.matchAt(t, 0)) return false;
    const end = t.length - last.length;
    if (end < first.length || !last.matchAt(t, end)) return false;
    // Greedy leftmost placement of the middle segments is optimal for `*`-separated globs.
    let pos = first.length;
    for (const s of middle) {
      const at = s.find(t, pos, end);
      if (at < 0) return false;
      pos = at + s.length;
    }
    return true;
  };
}

/**
 * The segments between `*`; each is a list of literal chunks (lower-cased when `lower`) and `?`
 * (null). Null for a string with an unresolved placeholder.
 */
function segmentsOf(value: SigmaString, lower: boolean): Segment[] | null {
  const segments: Array<Array<string | null>> = [[]];
  for (const p of value.parts) {
    if (typeof p === 'string') segments[segments.length - 1]!.push(lower ? p.toLowerCase() : p);
    else if (isWildcard(p, '*')) segments.push([]);
    else if (isWildcard(p, '?')) segments[segments.length - 1]!.push(null);
    else return null;
  }
  return segments.map(toSegment);
}

/** The text of a `*text*` string (the `contains` modifier), as its matcher compares it; null for any other shape. */
function containedIn(segs: Segment[]): string | null {
  if (segs.length !== 3 || segs[0]!.length !== 0 || segs[2]!.length !== 0 || segs[1]!.length === 0) return null;
  return segs[1]!.plain;
}

/**
 * For a `contains` value (`*text*`), a `startswith` value (`text*`) or an `endswith` value (`*text`),
 * the text its matcher compares (lower-cased when `lower`) and the shape, exactly as
 * compileSigmaString's matcher compares it; null for any other value (an empty text included). A
 * matcher of many such values may search them all at once or look their ends up in sets
 * (compile.ts) and stay exact.
 */
export function plainShape(value: SigmaString, lower: boolean): { shape: 'contains' | 'start' | 'end'; text: string } | null {
  const segs = segmentsOf(value, lower);
  if (segs === null) return null;
  const contained = containedIn(segs);
  if (contained !== null) return { shape: 'contains', text: contained };
  if (segs.length !== 2) return null;
  const [first, last] = segs as [Segment, Segment];
  if (first.plain === null || last.plain === null) return null;
  if (first.plain === '' && last.plain !== '') return { shape: 'end', text: last.plain };
  if (last.plain === '' && first.plain !== '') return { shape: 'start', text: first.plain };
  return null;
}

interface Segment {
  length: number;
  /** The literal text when the segment has no `?`. */
  plain: string | null;
  matchAt(t: string, at: number): boolean;
  /** First index >= from where the segment fits entirely before `limit`, or -1. */
  find(t: string, from: number, limit: number): number;
}

function toSegment(chunks: Array<string | null>): Segment {
  const length = chunks.reduce((n, c) => n + (c === null ? 1 : c.length), 0);
  if (chunks.every((c) => c !== null)) {
    const plain = (chunks as string[]).join('');
    return {
      length,
      plain,
      matchAt: (t, at) => t.startsWith(plain, at),
      find: (t, from, limit) => {
        const i = t.indexOf(plain, from);
        return i >= 0 && i + length <= limit ? i : -1;
      },
    };
  }
  const matchAt = (t: string, at: number) => {
    let i = at;
    for (const c of chunks) {
      if (c === null) i++;
      else {
        if (!t.startsWith(c, i)) return false;
        i += c.length;
      }
    }
    return i <= t.length;
  };
  return {
    length,
    plain: null,
    matchAt,
    find: (t, from, limit) => {
      for (let i = from; i + length <= limit; i++) if (matchAt(t, i)) return i;
      return -1;
    },
  };
}
