// Event-side semantics: nested JSON, arrays, numbers, big integers, and regexes that cannot stall.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matches, parseRule, ruleWith } from '../helpers.js';
import { lowerRule } from '../../src/ir/lower.js';
import { compileRuleSet } from '../../src/engine/rule-set.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { EventView } from '../../src/engine/event-access.js';

const m = (detection: string, events: Array<Record<string, unknown>>) => matches(ruleWith(detection + '\ncondition: selection'), events);

test('dotted field names reach into nested JSON, through arrays', () => {
  const evs = [{ process: { parent: { name: 'winword.exe' } } }, { process: { parent: [{ name: 'excel.exe' }, { name: 'WINWORD.EXE' }] } }, { 'process.parent.name': 'winword.exe' }, { process: {} }];
  assert.deepEqual(m("selection:\n    process.parent.name: 'winword.exe'", evs), [0, 1, 2]);
});

test('an array field matches when one element does', () => {
  const evs = [{ Tags: ['a', 'mimikatz', 'b'] }, { Tags: ['a'] }, { Tags: [] }];
  assert.deepEqual(m("selection:\n    Tags: 'mimikatz'", evs), [0]);
});

test('field names match without regard to case or spaces (Defender "Source Name" is SourceName)', () => {
  const evs = [{ 'Source Name': 'Real-Time Protection' }, { sourcename: 'Real-Time Protection' }, { Source: 'x' }];
  assert.deepEqual(m("selection:\n    SourceName: 'Real-Time Protection'", evs), [0, 1]);
});

test('numbers: integers, floats, numeric strings and big integers kept exact', () => {
  const evs: Array<Record<string, unknown>> = [{ V: 18446744073709551615n }, { V: '18446744073709551615' }, { V: 18446744073709551614n }, { V: 1.5 }, { V: '1.50' }];
  assert.deepEqual(m("selection:\n    V: '18446744073709551615'", evs), [0, 1]);
  assert.deepEqual(m('selection:\n    V: 1.5', evs), [3, 4]);
});

test('booleans match booleans and their text', () => {
  assert.deepEqual(m('selection:\n    Signed: false', [{ Signed: false }, { Signed: 'false' }, { Signed: 'FALSE' }, { Signed: true }, {}]), [0, 1, 2]);
});

test('a catastrophic-backtracking pattern runs in linear time under RE2', () => {
  const evil = 'a'.repeat(50_000) + '!';
  assert.deepEqual(m("selection:\n    CommandLine|re: '^(a+)+$'", [{ CommandLine: evil }, { CommandLine: 'aaaa' }]), [1]);
});

test('a pattern RE2 cannot express makes the rule not runnable, with the reason', () => {
  const { rule } = parseRule(ruleWith("selection:\n    CommandLine|re: '(?<=powershell)\\s-enc'\ncondition: selection"));
  assert.ok(rule);
  const set = compileRuleSet([lowerRule(rule)], { regex: re2Regex });
  assert.equal(set.rules.length, 0);
  assert.match(set.notRunnable[0]!.reason, /cannot be used/);
});

test('keyword searches look at every value, nested ones too, not at field names', () => {
  const r = `title: kw
logsource:
    product: test
detection:
    keywords:
        - 'Invoke-Mimikatz'
    condition: keywords
`;
  assert.deepEqual(matches(r, [{ a: { b: ['x', 'powershell Invoke-Mimikatz -DumpCreds'] } }, { 'Invoke-Mimikatz': 'field name only' }, { n: 42 }]), [0]);
});

test('the engine and an EventView never read inherited properties of an event', () => {
  const set = compileRuleSet([lowerRule(parseRule(ruleWith("selection:\n    constructor: 'x'\ncondition: selection")).rule!)], { regex: re2Regex });
  assert.equal(set.rules[0]!.detection(new EventView({})), false);
});

test('an EventView reads own values only, whatever the prototype, and an own __proto__ key of parsed JSON', () => {
  const empty = new EventView({});
  for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) assert.equal(empty.get(name), undefined, name);
  assert.equal(new EventView(JSON.parse('{"__proto__": "x", "constructor": "y"}') as Record<string, unknown>).get('__proto__'), 'x');
  assert.equal(new EventView(JSON.parse('{"constructor": "y"}') as Record<string, unknown>).get('constructor'), 'y');
  const inherited = Object.create({ Image: 'C:\\inherited.exe' }) as Record<string, unknown>;
  inherited.CommandLine = 'own';
  assert.equal(new EventView(inherited).get('Image'), undefined);
  assert.equal(new EventView(inherited).get('CommandLine'), 'own');
  const bare = Object.create(null) as Record<string, unknown>;
  bare.Image = 'x';
  assert.equal(new EventView(bare).get('image'), 'x');
});

test('field names in another case are found in events of the same keys, in another order, and of other keys', () => {
  // The index of an event's keys by normalised name is kept per key list: events of the same keys
  // must find their own values, and a different order or key set must not reuse another's index.
  const seen = [
    [{ IMAGE: 'a', Other: 1 }, 'a'],
    [{ IMAGE: 'b', Other: 2 }, 'b'],
    [{ Other: 3, IMAGE: 'c' }, 'c'],
    [{ Other: 4, image: 'd', IMAGE: 'e' }, 'd'],
    [{ Other: 5, IMAGE: 'f', image: 'g' }, 'f'],
    [{ Other: 6 }, undefined],
    [{ IMAGE: 'h', Other: 7 }, 'h'],
  ] as const;
  for (const [event, want] of seen) assert.equal(new EventView({ ...event }).get('Image'), want, JSON.stringify(event));
});
