import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonSyntaxError, parseJson, parseJsonExact } from '../../src/json/parse-exact.js';

const SAME_AS_JSON_PARSE = [
  '{}',
  '[]',
  '{"a":[1,-2,3.5,-0.25e-3,1E+2,0],"b":{"c":null,"d":true,"e":false},"s":"x\\"y\\\\z\\n\\u00e9\\ud83d\\ude00"}',
  ' \t\r\n{ "k" : "v" , "k" : "last wins" } ',
  '{"unicode":"é€😀","empty":"","slash":"\\/"}',
  '"just a string"',
  '123456789012345',
  '[9007199254740991,-9007199254740991,1.5e300]',
];

test('the exact parser agrees with JSON.parse where integers are safe', () => {
  for (const text of SAME_AS_JSON_PARSE) {
    assert.deepEqual(parseJsonExact(text), JSON.parse(text), text);
    assert.deepEqual(parseJson(text), JSON.parse(text), text);
  }
});

test('unsafe integers become bigint; floats and number-like strings are left alone', () => {
  assert.deepEqual(parseJson('{"a":18446744073709551615,"b":[-9007199254740993]}'), { a: 18446744073709551615n, b: [-9007199254740993n] });
  assert.equal(parseJson('9007199254740993'), 9007199254740993n);
  assert.equal(parseJson('9007199254740992'), 9007199254740992n); // 2^53 is not safe: it could be 2^53+1 rounded
  assert.deepEqual(parseJson('{"s":"a:12345678901234567"}'), { s: 'a:12345678901234567' });
  assert.deepEqual(parseJson('{"f":12345678901234567.0,"e":1e300,"g":-2e20}'), { f: 12345678901234567, e: 1e300, g: -2e20 });
});

test('malformed JSON is rejected by both paths, with a position from the exact one', () => {
  const bad = ['{', '{"a":1,}', '{"a" 1}', '[1 2]', '{"a":01}', '{"a":tru}', '{"a":"\t"}', '{"a":"\\x"}', '{a:1}', '{"a":1} x', '', '{"a":-}', '{"a":"unterminated'];
  for (const text of bad) {
    assert.throws(() => JSON.parse(text), SyntaxError, `JSON.parse accepts ${text}`);
    assert.throws(() => parseJsonExact(text), JsonSyntaxError, text);
  }
  assert.throws(() => parseJsonExact('{"big":18446744073709551615,}'), /Expected a property name but found character "}" at position 28/);
});

test('depth is capped on both paths', () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  assert.deepEqual(parseJson(`{"a":${deep(10)}}`, 11), { a: JSON.parse(deep(10)) });
  assert.throws(() => parseJson(`{"a":${deep(11)}}`, 11), /Nesting deeper than 11/);
  assert.throws(() => parseJson(`{"n":18446744073709551615,"a":${deep(11)}}`, 11), /Nesting deeper than 11/);
  // brackets inside strings do not count
  assert.deepEqual(parseJson(`{"s":"${deep(20)}"}`, 2), { s: deep(20) });
  assert.throws(() => parseJson(deep(200_000)), /Nesting deeper than 128/);
});
