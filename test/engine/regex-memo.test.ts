// The memo of the patterns the regex engine accepted (src/engine/regex-memo.ts): a remembered pattern
// is compiled only when its tester is first used, and tests the same texts alike; a refused pattern is
// never remembered, so a rule holding it is still reported before the hunt; a store that cannot be
// trusted (damaged, another engine) is ignored. Every memo lives in a temporary folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_REMEMBERED, regexMemoFile, rememberingRegex } from '../../src/engine/regex-memo.js';
import { re2Regex, re2RegexCached } from '../../src/engine/regex-re2.js';
import type { RegexFactory, RegexFlags } from '../../src/engine/regex.js';
import { compileRuleSet } from '../../src/engine/rule-set.js';
import { Detector } from '../../src/engine/detector.js';
import { lowerRule } from '../../src/ir/lower.js';
import { parseSigmaText } from '../../src/sigma/collection.js';
import type { SigmaRule } from '../../src/sigma/model.js';
import { tempFolders } from '../helpers.js';

const temp = tempFolders();
const NO_FLAGS: RegexFlags = { i: false, m: false, s: false };
const I: RegexFlags = { i: true, m: false, s: false };

/** RE2 counting the patterns it compiles. */
function countingRe2(): RegexFactory & { compiled: string[] } {
  const compiled: string[] = [];
  return Object.assign((pattern: string, flags: RegexFlags) => (compiled.push(pattern), re2Regex(pattern, flags)), { compiled });
}

test('a remembered pattern is compiled at its first test, and tests as the engine does', () => {
  const file = regexMemoFile(temp('quarry-regex-memo-'));
  const first = countingRe2();
  const a = rememberingRegex(first, file, 'engine 1', { write: true });
  const testers = [a('^c:\\\\windows\\\\.*\\.exe$', I), a('(?:-enc|-e)\\s+[A-Za-z0-9+/=]{20,}', NO_FLAGS)];
  assert.equal(first.compiled.length, 2, 'unknown patterns are compiled at once');
  assert.equal(a.stats.compiled, 2);
  a.settle?.();
  assert.ok(a.stats.written && existsSync(file), 'the accepted patterns are kept');

  const second = countingRe2();
  const b = rememberingRegex(second, file, 'engine 1', { write: true });
  assert.equal(b.stats.state, 'used');
  const again = [b('^c:\\\\windows\\\\.*\\.exe$', I), b('(?:-enc|-e)\\s+[A-Za-z0-9+/=]{20,}', NO_FLAGS)];
  assert.equal(second.compiled.length, 0, 'a remembered pattern is not compiled before it is used');
  assert.equal(b.stats.remembered, 2);
  const texts = ['C:\\Windows\\System32\\cmd.exe', 'c:\\windows\\x.dll', 'powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBi', 'powershell -e abc', ''];
  for (const t of texts) {
    assert.deepEqual(
      again.map((tester) => tester(t)),
      testers.map((tester) => tester(t)),
      t,
    );
  }
  assert.equal(second.compiled.length, 2, 'each compiled once, at its first test');
  again[0]!('C:\\Windows\\notepad.exe');
  assert.equal(second.compiled.length, 2, 'and not again');
  // The same pattern with other flags is another pattern.
  b('^c:\\\\windows\\\\.*\\.exe$', NO_FLAGS);
  assert.equal(second.compiled.length, 3);
});

test('a pattern the engine refuses is never remembered: every run reports it at once', () => {
  const file = regexMemoFile(temp('quarry-regex-memo-'));
  for (let run = 0; run < 2; run++) {
    const memo = rememberingRegex(re2Regex, file, 'engine 1', { write: true });
    assert.throws(() => memo('(?<=a)b', NO_FLAGS), /./, `run ${run}: a lookbehind is refused by RE2`);
    memo('ok', NO_FLAGS);
    memo.settle?.();
  }
  const memo = rememberingRegex(countingRe2(), file, 'engine 1', { write: true });
  assert.equal(memo.stats.remembered, 0);
  memo('ok', NO_FLAGS);
  assert.equal(memo.stats.remembered, 1, 'the accepted one is remembered');
});

test('a damaged store, another engine or a reader that may not write: every pattern compiled, nothing wrong kept', () => {
  const dir = temp('quarry-regex-memo-');
  const file = regexMemoFile(dir);
  const write = rememberingRegex(re2Regex, file, 'engine 1', { write: true });
  write('abc+', NO_FLAGS);
  write.settle?.();

  const other = countingRe2();
  const otherEngine = rememberingRegex(other, file, 'engine 2', { write: true });
  assert.equal(otherEngine.stats.state, 'other-build');
  otherEngine('abc+', NO_FLAGS);
  assert.deepEqual(other.compiled, ['abc+'], "another engine's memo is not trusted");

  const bytes = readFileSync(file);
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 3) ^ 0xff, bytes.length - 3);
  writeFileSync(file, bytes);
  const damaged = countingRe2();
  const afterDamage = rememberingRegex(damaged, file, 'engine 1', { write: true });
  assert.equal(afterDamage.stats.state, 'corrupt');
  afterDamage('abc+', NO_FLAGS);
  assert.deepEqual(damaged.compiled, ['abc+']);

  const readOnly = rememberingRegex(re2Regex, regexMemoFile(temp('quarry-regex-memo-')), 'engine 1', { write: false });
  readOnly('abc+', NO_FLAGS);
  readOnly.settle?.();
  assert.equal(readOnly.stats.written, false, 'a worker thread never writes the memo');
});

test('the memo keeps at most MAX_REMEMBERED patterns', () => {
  const file = regexMemoFile(temp('quarry-regex-memo-'));
  const cheap: RegexFactory = (pattern) => (text) => text === pattern;
  const memo = rememberingRegex(cheap, file, 'fake', { write: true });
  for (let i = 0; i < MAX_REMEMBERED + 50; i++) memo(`p${i}`, NO_FLAGS);
  memo.settle?.();
  const next = rememberingRegex(cheap, file, 'fake', { write: true });
  let remembered = 0;
  for (let i = 0; i < MAX_REMEMBERED + 50; i++) {
    next(`p${i}`, NO_FLAGS);
    if (next.stats.remembered > remembered) remembered++;
  }
  assert.equal(remembered, MAX_REMEMBERED);
});

function rule(yaml: string): SigmaRule {
  const doc = parseSigmaText(yaml, 'memo.yml').documents[0]!;
  assert.ok(doc.document?.kind === 'rule', JSON.stringify(doc.diagnostics));
  return doc.document;
}

test('a rule set compiled with the memo: the same rules refused and the same matches as without it', () => {
  const dir = temp('quarry-regex-memo-');
  const rules = [
    rule('title: Encoded\nlogsource: {product: windows}\ndetection:\n  sel:\n    CommandLine|re: \'\\s-(e|en|enc)\\s+[A-Za-z0-9+/=]{16,}\'\n  condition: sel\n'),
    rule("title: Lookbehind\nlogsource: {product: windows}\ndetection:\n  sel:\n    CommandLine|re: '(?<=cmd)\\.exe'\n  condition: sel\n"),
    rule("title: Case\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image|re|i: '\\\\(cmd|powershell)\\.exe$'\n  condition: sel\n"),
  ];
  const events = [
    { CommandLine: 'powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBi', Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\PowerShell.exe' },
    { CommandLine: 'cmd.exe /c dir', Image: 'C:\\Windows\\System32\\CMD.EXE' },
    { CommandLine: 'notepad', Image: 'C:\\Windows\\notepad.exe' },
  ];
  const outcome = (regex: RegexFactory) => {
    const set = compileRuleSet(rules.map(lowerRule), { regex });
    const detector = new Detector(set, { regex, explain: false });
    return {
      refused: set.notRunnable.map((n) => `${n.ir.rule.title}: ${n.reason}`),
      matches: events.map((ev) => detector.next({ ...ev }).matches.map((m) => m.rule.ir.rule.title)),
    };
  };
  const plain = outcome(re2Regex);
  assert.equal(plain.refused.length, 1, 'the lookbehind rule cannot run');
  assert.deepEqual(plain.matches, [['Encoded', 'Case'], ['Case'], []]);
  // A fresh factory per "run" (re2RegexCached keeps one per folder in a process, as a command does).
  const firstRun = rememberingRegex(re2Regex, regexMemoFile(dir), 're2 test', { write: true });
  assert.deepEqual(outcome(firstRun), plain);
  assert.ok(firstRun.stats.written, 'compileRuleSet settles the factory: the memo is written');
  const secondRun = rememberingRegex(re2Regex, regexMemoFile(dir), 're2 test', { write: true });
  assert.deepEqual(outcome(secondRun), plain);
  assert.equal(secondRun.stats.remembered, 2, 'the two accepted patterns came from the memo');
  assert.equal(secondRun.stats.compiled, 1, 'the refused one was compiled (and refused) again');
  assert.equal(re2RegexCached(null), re2Regex, 'no cache folder: plain RE2');
});
