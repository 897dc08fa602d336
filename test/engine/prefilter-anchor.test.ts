// The prefilter's anchors (findAnchor): every group must be a NECESSARY condition of the rule (an
// anchor that under-selects is a silent miss), and an OR whose branches are conjunctions is
// anchored on clauses drawn from every branch, so that a common literal of one part (a registry
// event's `EventType: SetValue`) does not wake the rule alone. Checked against the detector's
// plain path on written cases and on seeded random conditions of ANDs, ORs and NOTs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { Detector } from '../../src/engine/detector.js';
import { EventView } from '../../src/engine/event-access.js';
import { findAnchor } from '../../src/engine/prefilter.js';
import { prepareRules } from '../../src/engine/rulebook.js';
import { parseSigmaText, emptyCollection, addParsedFile, checkCollection } from '../../src/sigma/load.js';
import { rng } from '../seeded-random.js';

function ruleSet(yaml: string) {
  const col = emptyCollection();
  addParsedFile(col, parseSigmaText(yaml, 'rules.yml'));
  checkCollection(col);
  const set = prepareRules(col, { pipelines: [], regex: re2Regex }).set;
  assert.equal(set.notRunnable.length, 0);
  return set;
}

const OR_OF_ANDS = `title: set value and details, or the service key
logsource: {product: test}
detection:
  selection1:
    TargetObject|contains: '\\Services\\HybridConnectionManager'
  selection2:
    EventType: SetValue
    Details|contains: 'Microsoft.HybridConnectionManager.Listener.exe'
  condition: selection1 or selection2
---
title: path traversal
logsource: {product: test}
detection:
  selection_1:
    Image|contains: '\\Windows\\'
    CommandLine|contains: ['\\..\\Windows\\', '\\..\\System32\\', '\\..\\..\\']
  selection_2:
    CommandLine|contains: '.exe\\..\\'
  filter:
    CommandLine|contains: '\\Google\\Drive\\googledrivesync.exe\\..\\'
  condition: 1 of selection_* and not filter
---
title: three branches, two of them conjunctions
logsource: {product: test}
detection:
  selection1:
    EventType: SetValue
    TargetObject|endswith: 'shell\\open\\command\\SymbolicLinkValue'
    Details|contains: '\\Software\\Classes\\{'
  selection2:
    TargetObject|endswith: 'shell\\open\\command\\DelegateExecute'
  selection3:
    EventType: SetValue
    TargetObject|endswith: ['ms-settings\\shell\\open\\command\\(Default)', 'exefile\\shell\\open\\command\\(Default)']
  filter_sel3:
    Details: '(Empty)'
  condition: selection1 or selection2 or (selection3 and not filter_sel3)
`;

test('an OR of conjunctions: every event the plain path matches is woken, and a common part alone wakes nothing', () => {
  const set = ruleSet(OR_OF_ANDS);
  const fast = new Detector(set, { regex: re2Regex, explain: false });
  const plain = new Detector(set, { regex: re2Regex, explain: false, prefilter: false });
  // event, the rules (by index) it matches, the rules the prefilter may wake at most
  const cases: Array<[Record<string, unknown>, number[], number[]]> = [
    [{ TargetObject: 'HKLM\\System\\CurrentControlSet\\Services\\HybridConnectionManager\\x', EventType: 'CreateKey' }, [0], [0]],
    [{ TargetObject: 'HKLM\\Software\\x', EventType: 'SetValue', Details: 'C:\\p\\Microsoft.HybridConnectionManager.Listener.exe' }, [0], [0]],
    // EventType alone (every registry event holds one): no rule wakes.
    [{ TargetObject: 'HKLM\\Software\\x', EventType: 'SetValue', Details: 'DWORD (0x00000001)' }, [], []],
    [{ Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c ..\\..\\x' }, [], []],
    [{ Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c C:\\x\\..\\..\\evil.exe' }, [1], [1]],
    [{ Image: 'C:\\Tools\\x.exe', CommandLine: 'x C:\\a\\..\\..\\b' }, [], [1]],
    [{ Image: 'C:\\Tools\\x.exe', CommandLine: 'run C:\\a\\b.exe\\..\\c' }, [1], [1]],
    [{ Image: 'C:\\Windows\\x.exe', CommandLine: 'C:\\Google\\Drive\\googledrivesync.exe\\..\\x' }, [], [1]],
    // The Image of selection_1 alone: no rule wakes.
    [{ Image: 'C:\\Windows\\explorer.exe', CommandLine: 'explorer.exe' }, [], []],
    [{ EventType: 'SetValue', TargetObject: 'HKCU\\Software\\Classes\\ms-settings\\shell\\open\\command\\SymbolicLinkValue', Details: '\\Software\\Classes\\{x}' }, [2], [2]],
    [{ EventType: 'CreateKey', TargetObject: 'HKCU\\Software\\Classes\\ms-settings\\shell\\open\\command\\DelegateExecute' }, [2], [2]],
    [{ EventType: 'SetValue', TargetObject: 'HKCU\\Software\\Classes\\exefile\\shell\\open\\command\\(Default)', Details: 'evil.exe' }, [2], [2]],
    [{ EventType: 'SetValue', TargetObject: 'HKCU\\Software\\Classes\\exefile\\shell\\open\\command\\(Default)', Details: '(Empty)' }, [], [2]],
    [{ EventType: 'SetValue', TargetObject: 'HKCU\\Software\\Run\\x', Details: 'x' }, [], []],
  ];
  for (const [event, matches, mayWake] of cases) {
    const want = plain.next(structuredClone(event)).matches.map((m) => m.rule.index);
    assert.deepEqual(want, matches, `plain path on ${JSON.stringify(event)}`);
    assert.deepEqual(fast.next(structuredClone(event)).matches.map((m) => m.rule.index), want, JSON.stringify(event));
    const woken = set.prefilter.scan(new EventView(structuredClone(event))).woken;
    for (const r of woken) assert.ok(mayWake.includes(r), `rule ${r} woken by ${JSON.stringify(event)}`);
  }
});

test('an OR of conjunctions is anchored by clauses drawn from each branch, the most selective first', () => {
  const set = ruleSet(OR_OF_ANDS);
  const groups = (i: number) => findAnchor(set.rules[i]!.ir.detection)!.groups.map((g) => g.map((n) => `${n.field}=${n.literal}`));
  // selection1 or (EventType and Details): EventType's group comes after the Details one.
  assert.deepEqual(groups(0), [
    ['TargetObject=ctionmanager', 'Details=listener.exe'],
    ['TargetObject=ctionmanager', 'EventType=setvalue'],
  ]);
  // (Image and CommandLine list) or CommandLine: both clauses, so Image alone wakes nothing.
  assert.deepEqual(groups(1), [
    ['Image=\\windows\\', 'CommandLine=.exe\\..\\'],
    ['CommandLine=\\..\\windows\\', 'CommandLine=..\\system32\\', 'CommandLine=\\..\\..\\', 'CommandLine=.exe\\..\\'],
  ]);
});

/**
 * A random rule over fields A, B, C: selections of one or two fields, each a `contains` list of
 * one or two words, under a condition of ANDs, ORs and NOTs up to three deep.
 */
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golfclub', 'hotelroom', 'xy'];
const FIELDS = ['A', 'B', 'C'];

function randomRule(rnd: () => number, n: number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const selections: string[] = [];
  for (let s = 0; s < 4; s++) {
    const fields = rnd() < 0.5 ? [pick(FIELDS)] : [...new Set([pick(FIELDS), pick(FIELDS)])];
    const body = fields.map((f) => `    ${f}|contains: [${(rnd() < 0.5 ? [pick(WORDS)] : [pick(WORDS), pick(WORDS)]).map((w) => `'${w}'`).join(', ')}]`);
    selections.push(`  sel${s}:\n${body.join('\n')}`);
  }
  const expr = (depth: number): string => {
    const r = rnd();
    if (depth >= 3 || r < 0.3) return `sel${Math.floor(rnd() * 4)}`;
    if (r < 0.4) return `not ${expr(depth + 1)}`;
    const op = r < 0.7 ? 'or' : 'and';
    const parts = Array.from({ length: 2 + Math.floor(rnd() * 2) }, () => expr(depth + 1));
    return `(${parts.join(` ${op} `)})`;
  };
  return `title: random ${n}\nlogsource: {product: test}\ndetection:\n${selections.join('\n')}\n  condition: ${expr(0)}\n`;
}

test('random conditions: the prefilter path gives the plain path detections on random events (an anchor that under-selects fails here)', () => {
  const rnd = rng(20261207);
  const rules = Array.from({ length: 300 }, (_, n) => randomRule(rnd, n));
  const set = ruleSet(rules.join('---\n'));
  const anchored = set.prefilter.anchored.filter(Boolean).length;
  assert.ok(anchored > 150, `${anchored} rules anchored`);
  // With several groups: the OR-of-AND anchors are exercised.
  const multi = set.rules.filter((r) => (findAnchor(r.ir.detection)?.groups.length ?? 0) > 1).length;
  assert.ok(multi > 50, `${multi} rules anchored by more than one group`);
  for (const buildAfter of [0, Infinity]) {
    set.prefilter.buildAfter = buildAfter;
    const fast = new Detector(set, { regex: re2Regex, explain: false });
    const plain = new Detector(set, { regex: re2Regex, explain: false, prefilter: false });
    let total = 0;
    for (let i = 0; i < 600; i++) {
      const event: Record<string, unknown> = {};
      for (const f of FIELDS) {
        if (rnd() < 0.2) continue;
        let v = '';
        for (let k = Math.floor(rnd() * 4); k > 0; k--) v += (rnd() < 0.5 ? ' ' : '') + (rnd() < 0.3 ? WORDS[Math.floor(rnd() * WORDS.length)]!.toUpperCase() : WORDS[Math.floor(rnd() * WORDS.length)]);
        event[f] = v;
      }
      const want = plain.next(structuredClone(event)).matches.map((m) => m.rule.index);
      assert.deepEqual(fast.next(structuredClone(event)).matches.map((m) => m.rule.index), want, `event ${i}: ${JSON.stringify(event)}`);
      total += want.length;
    }
    assert.ok(total > 2000, `${total} detections`);
  }
});

test('a value shorter than every literal of its field is not scanned, unless its lower case is longer (İ)', () => {
  // `İ` (U+0130) lower-cases to `i̇` (i and U+0307): "İa" is two code units, its lower case three,
  // and holds the three-unit literal `i̇a`.
  const set = ruleSet(`title: dotted i
logsource: {product: test}
detection:
  sel: {CommandLine|contains: 'i\u0307a'}
  condition: sel
---
title: long literal
logsource: {product: test}
detection:
  sel: {CommandLine|contains: 'mimikatz'}
  condition: sel
`);
  for (const buildAfter of [0, Infinity]) {
    set.prefilter.buildAfter = buildAfter;
    const fast = new Detector(set, { regex: re2Regex, explain: false });
    const plain = new Detector(set, { regex: re2Regex, explain: false, prefilter: false });
    for (const CommandLine of ['\u0130a', 'x\u0130a', '\u0130', 'ia', 'mimi', 'MIMIKATZ', '', 'a']) {
      const want = plain.next({ CommandLine }).matches.map((m) => m.rule.index);
      assert.deepEqual(fast.next({ CommandLine }).matches.map((m) => m.rule.index), want, JSON.stringify(CommandLine));
    }
    assert.deepEqual(plain.next({ CommandLine: '\u0130a' }).matches.map((m) => m.rule.index), [0], 'the plain path matches İa');
  }
});

test('a value made of identifier characters alone is searched only for literals made of them (GUIDs, times, hex ids)', () => {
  // `kiwi` has letters no GUID or time has: a GUID value needs no search for it. `deadbeef`,
  // `-0d08-`, `23:34` and `44c` are made of such characters: values like them are still searched.
  const rules = `title: keyword with other letters
logsource: {product: test}
detection:
  keywords: ['kiwi', 'lsadump::']
  condition: keywords
---
title: keyword made of hex letters
logsource: {product: test}
detection:
  keywords: ['deadbeef']
  condition: keywords
---
title: guid part
logsource: {product: test}
detection:
  sel: {ProcessGuid|contains: '-0D08-'}
  condition: sel
---
title: time part
logsource: {product: test}
detection:
  sel: {UtcTime|contains: '23:34'}
  condition: sel
---
title: hex id tail
logsource: {product: test}
detection:
  sel: {LogonId|endswith: '44c'}
  condition: sel
---
title: path
logsource: {product: test}
detection:
  sel: {Image|endswith: '\\\\cmd.exe'}
  condition: sel
`;
  const values = ['{5AA13A44-0D08-68FC-DC1D-000000004002}', '5AA13A44-0D09-68FC', '2025-10-24 23:34:34.634', '2025-10-24T23:35:34.640670Z', '0x3144C', '0x3144d', 'DEADBEEF', 'x-deadbeef', 'KIWI', '0xKIWI', 'kiwi-0d08-23:34', 'LSADUMP::', '1234', 'C:\\Windows\\cmd.exe', 'A:B'];
  const events: Array<Record<string, unknown>> = [];
  for (const v of values) for (const field of ['ProcessGuid', 'UtcTime', 'LogonId', 'Image', 'Other']) events.push({ [field]: v });
  events.push({ ProcessGuid: values[0], UtcTime: values[2], LogonId: values[4], Other: { nested: 'KIWI' } });
  // With and without the hex keyword: the keyword literals' automaton with and without a literal made of identifier characters.
  const withoutHexKeyword = rules.replace(/title: keyword made of hex letters[^]*?---\n/, '');
  assert.notEqual(withoutHexKeyword, rules);
  for (const [yaml, buildAfter] of [[rules, 0], [rules, Infinity], [withoutHexKeyword, 0], [withoutHexKeyword, Infinity]] as const) {
    const set = ruleSet(yaml);
    set.prefilter.buildAfter = buildAfter;
    const fast = new Detector(set, { regex: re2Regex, explain: false });
    const plain = new Detector(set, { regex: re2Regex, explain: false, prefilter: false });
    const matched = new Set<number>();
    for (const event of events) {
      const want = plain.next(structuredClone(event)).matches.map((m) => m.rule.index);
      for (const r of want) matched.add(r);
      assert.deepEqual(fast.next(structuredClone(event)).matches.map((m) => m.rule.index), want, JSON.stringify(event));
    }
    assert.equal(matched.size, set.rules.length, 'every rule matches some event');
  }
});
