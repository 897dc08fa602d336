import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSigmaString, sigmaStringToText, type StringPart } from '../../src/sigma/values.js';

const show = (parts: StringPart[]) => parts.map((p) => (typeof p === 'string' ? JSON.stringify(p) : 'wildcard' in p ? p.wildcard : `%${p.placeholder}%`)).join(' ');

// The escaping rules of the specification's "Escape Character" section, one row each.
const cases: Array<[string, string]> = [
  ['C:\\Windows\\cmd.exe', '"C:\\\\Windows\\\\cmd.exe"'], // plain backslashes stay
  ['C:\\\\Windows', '"C:\\\\Windows"'], // a double backslash not before a wildcard is one backslash
  ['prog?.exe', '"prog" ? ".exe"'],
  ['*\\cmd.exe', '* "\\\\cmd.exe"'],
  ['\\*literal', '"*literal"'], // escaped wildcard
  ['\\?', '"?"'],
  ['dir\\\\*', '"dir\\\\" *'], // escaped backslash, then a wildcard
  ['dir\\\\\\*', '"dir\\\\*"'], // three backslashes: backslash and a literal star
  ['a\\\\\\\\b', '"a\\\\\\\\b"'], // four backslashes are two
  ['', ''],
  ['C:\\', '"C:\\\\"'], // a backslash at the end is literal
  ['50%\\d', '"50%\\\\d"'], // '%' is ordinary without placeholders
  ['\\x\\*y\\?', '"\\\\x*y?"'], // a literal backslash run, then escaped wildcards
  ['*\\Temp\\*\\x.exe', '* "\\\\Temp*\\\\x.exe"'], // `\*` is a literal star, even after a path
  ['a**b', '"a" * * "b"'], // not merged when parsed (normalizeParts does that where the modifiers apply)
];

test('wildcards and backslash escaping follow the specification', () => {
  for (const [raw, expected] of cases) assert.equal(show(parseSigmaString(raw).parts), expected, raw);
});

test('placeholders are parsed only with expand, and \\% escapes them', () => {
  assert.equal(show(parseSigmaString('%Servers%').parts), '"%Servers%"');
  assert.equal(show(parseSigmaString('%Servers%', true).parts), '%Servers%');
  assert.equal(show(parseSigmaString('\\%plain%name%', true).parts), '"%plain" %name%');
});

test('rendering a parsed string back gives an equivalent Sigma string', () => {
  for (const [raw] of cases) {
    const once = parseSigmaString(raw);
    assert.deepEqual(parseSigmaString(sigmaStringToText(once)), once, raw);
  }
});
