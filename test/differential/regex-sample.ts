// A small sampler for the regular expressions Sigma rules use: literals, escapes, classes, `.`,
// groups with alternation and bounded quantifiers. It writes one string the pattern should match
// (the shortest repeat count, the `choice`-th alternative); the caller verifies it with the engine's
// own regex (RE2), so a sample that misses is discarded, never trusted. Look-around and
// back-references are refused with a reason.

export class RegexUnsupported extends Error {}

interface Cursor {
  src: string;
  at: number;
  choice: number;
}

/** One string meant to match `pattern` (as a search, so anchors produce nothing). */
export function sampleRegex(pattern: string, choice = 0): string {
  const c: Cursor = { src: pattern.replace(/^\(\?[imsx]+\)/, ''), at: 0, choice };
  const out = alternation(c);
  if (c.at < c.src.length) throw new RegexUnsupported(`unexpected '${c.src[c.at]}' at ${c.at}`);
  return out;
}

function alternation(c: Cursor): string {
  const branches = [sequence(c)];
  while (c.src[c.at] === '|') {
    c.at++;
    branches.push(sequence(c));
  }
  return branches[c.choice % branches.length]!;
}

function sequence(c: Cursor): string {
  let out = '';
  while (c.at < c.src.length && c.src[c.at] !== '|' && c.src[c.at] !== ')') {
    const atom = atomSample(c);
    const [min] = quantifier(c);
    out += atom.repeat(min);
  }
  return out;
}

/** The quantifier after an atom as [min, max]; [1, 1] when there is none. */
function quantifier(c: Cursor): [number, number] {
  const ch = c.src[c.at];
  let q: [number, number] = [1, 1];
  if (ch === '*') q = [0, Infinity];
  else if (ch === '+') q = [1, Infinity];
  else if (ch === '?') q = [0, 1];
  else if (ch === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(c.src.slice(c.at));
    if (!m) return q; // a literal `{`, read as an atom next time round
    c.at += m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] ? Number(m[3]) : Infinity;
    if (c.src[c.at] === '?') c.at++;
    return [min, max];
  } else return q;
  c.at++;
  if (c.src[c.at] === '?' || c.src[c.at] === '+') c.at++; // lazy or possessive: same strings
  return q;
}

function atomSample(c: Cursor): string {
  const ch = c.src[c.at]!;
  switch (ch) {
    case '(': {
      c.at++;
      if (c.src[c.at] === '?') {
        const m = /^\?(:|<[A-Za-z_]\w*>|P<[A-Za-z_]\w*>)/.exec(c.src.slice(c.at));
        if (!m) throw new RegexUnsupported(`group (${c.src.slice(c.at, c.at + 3)} is not sampled (look-around or flags)`);
        c.at += m[0].length;
      }
      const inner = alternation(c);
      if (c.src[c.at] !== ')') throw new RegexUnsupported('unbalanced group');
      c.at++;
      return inner;
    }
    case '[':
      return classSample(c);
    case '.':
      c.at++;
      return 'a';
    case '^':
    case '$':
      c.at++;
      return '';
    case '\\':
      return escapeSample(c, false);
    case '*':
    case '+':
    case '?':
      throw new RegexUnsupported(`quantifier '${ch}' without an atom at ${c.at}`);
    default:
      c.at++;
      return ch;
  }
}

const CLASS_ESCAPES: Record<string, string> = { d: '0', w: 'a', s: ' ', D: 'a', W: '-', S: 'a', n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' };

function escapeSample(c: Cursor, inClass: boolean): string {
  const n = c.src[c.at + 1];
  if (n === undefined) throw new RegexUnsupported('trailing backslash');
  c.at += 2;
  if (n in CLASS_ESCAPES) return CLASS_ESCAPES[n]!;
  if (n === 'b' && !inClass) return '';
  if (n === 'B' && !inClass) throw new RegexUnsupported('\\B is not sampled');
  if (/[1-9]/.test(n)) throw new RegexUnsupported('back-references are not sampled');
  if (n === 'x') {
    const hex = c.src.slice(c.at, c.at + 2);
    c.at += 2;
    return String.fromCharCode(parseInt(hex, 16));
  }
  if (n === 'u') {
    const hex = c.src.slice(c.at, c.at + 4);
    c.at += 4;
    return String.fromCharCode(parseInt(hex, 16));
  }
  if (/[A-Za-z]/.test(n)) throw new RegexUnsupported(`escape \\${n} is not sampled`);
  return n;
}

/** A character of a class: its first member, or for `[^…]` the first of a few candidates not in it. */
function classSample(c: Cursor): string {
  c.at++;
  const negated = c.src[c.at] === '^';
  if (negated) c.at++;
  const members: Array<[string, string]> = [];
  let first = true;
  while (c.at < c.src.length && (c.src[c.at] !== ']' || first)) {
    first = false;
    let lo: string;
    if (c.src[c.at] === '\\') {
      const esc = c.src[c.at + 1]!;
      lo = escapeSample(c, true);
      // A class escape (\d, \w, \s) stands for a set: its sample is a member, which is what we need.
      if ('dwsDWS'.includes(esc)) {
        members.push([lo, lo]);
        continue;
      }
    } else lo = c.src[c.at++]!;
    if (c.src[c.at] === '-' && c.src[c.at + 1] !== ']' && c.at + 1 < c.src.length) {
      c.at++;
      const hi = c.src[c.at] === '\\' ? escapeSample(c, true) : c.src[c.at++]!;
      members.push([lo, hi]);
    } else members.push([lo, lo]);
  }
  if (c.src[c.at] !== ']') throw new RegexUnsupported('unterminated class');
  c.at++;
  if (!negated) return members[0]?.[0] ?? '';
  const inClass = (ch: string) => members.some(([lo, hi]) => ch >= lo && ch <= hi);
  const pick = ['a', 'x', '0', ' ', '-', '_', 'Z'].find((ch) => !inClass(ch));
  if (pick === undefined) throw new RegexUnsupported('negated class excludes every candidate');
  return pick;
}
