// Sigma's regexes (RE2 flavour, as the engine runs them) rewritten as PostgreSQL's Advanced Regular
// Expressions (ARE), the flavour of `~`. The two differ in ways that change matches, so every
// construct is translated on its own and anything without an exact counterpart is refused:
// - RE2's `.` skips a newline unless `s`; ARE's matches it unless newline-sensitive, and ARE's
//   newline-sensitive modes also stop `[^…]` at newlines, which RE2 does not: `.` is written
//   `[^\n]` and `m` becomes ARE's `w` option (only `^`/`$` newline-sensitive).
// - `\d`, `\w`, `\s` are ASCII in RE2 and locale classes in ARE: written as explicit ASCII sets.
// - `\b`/`\B` are ARE's `\y`/`\Y`; `\z` is ARE's `\Z`; `\xHH` is ARE's `\u00HH` (ARE's `\x` takes
//   any number of hex digits); named groups become plain groups.
// - ARE repeats at most 255 times and takes option letters only at the start of the pattern.
import { ConversionError } from '../../common/types.js';
import type { RegexFlags } from './types.js';

const CLASS_ESC: Record<string, string> = { d: '0-9', w: '0-9A-Za-z_', s: '\\t\\n\\f\\r ' };
const SIMPLE_ESC: Record<string, string> = { n: '\\n', t: '\\t', r: '\\r', f: '\\f', v: '\\v', a: '\\a' };

export function postgresRegex(pattern: string, flags: RegexFlags, where: string): string {
  const refuse = (what: string): never => {
    throw new ConversionError('regex-unsupported', `the regular expression of ${where} uses ${what}, which PostgreSQL's regular expressions cannot say exactly`);
  };
  const f = { ...flags };
  let p = pattern;
  // Leading option groups `(?i)`, `(?ms)` fold into the flags; anywhere else they are refused.
  for (let lead = /^\(\?([ims]+)\)/.exec(p); lead; lead = /^\(\?([ims]+)\)/.exec(p)) {
    for (const c of lead[1]!) f[c as keyof RegexFlags] = true;
    p = p.slice(lead[0].length);
  }
  /** An escape at p[i] (a backslash); returns the ARE text and the length consumed. */
  const escape = (i: number, inClass: boolean): [string, number] => {
    const c = p[i + 1];
    if (c === undefined) return refuse('a trailing backslash');
    if (/[^0-9A-Za-z]/.test(c)) return [`\\${c}`, 2];
    if (c in SIMPLE_ESC) return [SIMPLE_ESC[c]!, 2];
    if (c in CLASS_ESC) return [inClass ? CLASS_ESC[c]! : `[${CLASS_ESC[c]}]`, 2];
    const upper = c.toLowerCase();
    if (upper in CLASS_ESC && c !== upper) {
      if (inClass) return refuse(`\\${c} inside a character class`);
      return [`[^${CLASS_ESC[upper]}]`, 2];
    }
    if (!inClass && c === 'b') return ['\\y', 2];
    if (!inClass && c === 'B') return ['\\Y', 2];
    if (!inClass && c === 'A') return ['\\A', 2];
    if (!inClass && c === 'z') return ['\\Z', 2];
    if (c === 'x') {
      const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(p.slice(i + 2));
      if (braced) return [`\\U${braced[1]!.padStart(8, '0')}`, 2 + braced[0].length];
      const two = /^[0-9A-Fa-f]{2}/.exec(p.slice(i + 2));
      if (two) return [`\\u00${two[0]}`, 4];
    }
    return refuse(`the escape \\${c}`);
  };
  let out = '';
  let i = 0;
  while (i < p.length) {
    const c = p[i]!;
    if (c === '\\') {
      const [text, n] = escape(i, false);
      out += text;
      i += n;
    } else if (c === '[') {
      let j = i + 1;
      let cls = '[';
      if (p[j] === '^') {
        cls += '^';
        j++;
      }
      if (p[j] === ']') {
        cls += '\\]';
        j++;
      }
      for (;;) {
        const d = p[j];
        if (d === undefined) return refuse('an unclosed character class');
        if (d === ']') break;
        if (d === '\\') {
          const [text, n] = escape(j, true);
          cls += text;
          j += n;
        } else if (d === '[') {
          const posix = /^\[:[a-z]+:\]/.exec(p.slice(j));
          if (posix) return refuse(`the POSIX class ${posix[0]} (locale-dependent in PostgreSQL)`);
          // `[.` and `[=` open collating elements in ARE: a literal `[` is escaped.
          cls += '\\[';
          j++;
        } else {
          cls += d;
          j++;
        }
      }
      out += cls + ']';
      i = j + 1;
    } else if (c === '.') {
      out += f.s ? '.' : '[^\\n]';
      i++;
    } else if (c === '(') {
      if (p[i + 1] !== '?') {
        out += '(';
        i++;
        continue;
      }
      if (p.startsWith('(?:', i)) {
        out += '(?:';
        i += 3;
        continue;
      }
      const named = /^\(\?P?<[A-Za-z_][A-Za-z0-9_]*>/.exec(p.slice(i));
      if (!named) return refuse(`the group ${p.slice(i, i + 4)}… (options inside the pattern)`);
      out += '(';
      i += named[0].length;
    } else if (c === '{') {
      const q = /^\{(\d+)(?:,(\d*))?\}/.exec(p.slice(i));
      if (!q) {
        // RE2 reads a brace that opens no repetition as itself.
        out += '\\{';
        i++;
        continue;
      }
      if (Number(q[1]) > 255 || (q[2] && Number(q[2]) > 255)) refuse(`the repetition ${q[0]} (PostgreSQL repeats at most 255 times)`);
      out += q[0];
      i += q[0].length;
    } else if (c === '}') {
      out += '\\}';
      i++;
    } else {
      out += c;
      i++;
    }
  }
  const options = (f.i ? 'i' : '') + (f.m ? 'w' : '');
  return (options ? `(?${options})` : '') + out;
}
