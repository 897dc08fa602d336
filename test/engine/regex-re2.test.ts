// re2Regex hands RE2 the UTF-8 bytes of the last text it saw (shared by every regex): each answer
// must be RE2's own answer on the string, whatever the order of texts and regexes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { re2Regex } from '../../src/engine/regex-re2.js';

const RE2 = createRequire(import.meta.url)('re2') as new (p: string, f: string) => { test(s: string): boolean };

test('re2Regex answers as RE2 on the string itself: non-ASCII, lone surrogates, texts and regexes interleaved', () => {
  const patterns: Array<[string, { i: boolean; m: boolean; s: boolean }]> = [
    ['powershell(\\.exe)?\\s+-e(nc)?\\s', { i: true, m: false, s: false }],
    ['^c:\\\\windows\\\\', { i: true, m: false, s: false }],
    ['\u212a', { i: false, m: false, s: false }],
    ['k.?s', { i: true, m: false, s: false }],
    ['\ufffd', { i: false, m: false, s: false }],
    ['\u{1F600}$', { i: false, m: false, s: false }],
    ['^line2', { i: false, m: true, s: false }],
    ['a.b', { i: false, m: false, s: true }],
    ['é{2}', { i: false, m: false, s: false }],
  ];
  const texts = [
    'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\PowerShell.exe -enc SQBFAFgA',
    'c:\\windows\\temp\\x',
    'Kelvin \u212a and \u017f',
    'ks',
    'éé', // as long as the text before it: a cache keyed on anything less than the text would fail
    'lone \ud800 surrogate',
    'smile \u{1F600}',
    'line1\nline2',
    'a\nb',
    '',
    'ascii only',
  ];
  const testers = patterns.map(([p, f]) => re2Regex(p, f));
  const plain = patterns.map(([p, f]) => new RE2(p, 'u' + (f.i ? 'i' : '') + (f.m ? 'm' : '') + (f.s ? 's' : '')));
  let matches = 0;
  // Every text against every regex, then every regex against every text: both orders of reuse.
  for (let t = 0; t < texts.length; t++)
    for (let r = 0; r < patterns.length; r++) {
      const want = plain[r]!.test(texts[t]!);
      assert.equal(testers[r]!(texts[t]!), want, `/${patterns[r]![0]}/ on ${JSON.stringify(texts[t])}`);
      matches += want ? 1 : 0;
    }
  for (let r = 0; r < patterns.length; r++)
    for (let t = 0; t < texts.length; t++) assert.equal(testers[r]!(texts[t]!), plain[r]!.test(texts[t]!), `/${patterns[r]![0]}/ on ${JSON.stringify(texts[t])}`);
  assert.ok(matches >= 9, `${matches} matches`);
});
