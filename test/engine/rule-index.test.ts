// The index files a rule under the event ids its detection requires as well as its guard's (a
// Sysmon rule of `EventID: 16` is no candidate for a process creation): a Windows event must
// still meet every rule that can match it, whatever form its event id takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addParsedFile, checkCollection, emptyCollection, parseSigmaText } from '../../src/sigma/load.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { prepareRules } from '../../src/engine/rulebook.js';
import { Detector } from '../../src/engine/detector.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { EventView } from '../../src/engine/event-access.js';
import { RuleIndex, type CompiledRule } from '../../src/engine/rule-set.js';
import { factsOf } from '../../src/engine/rule-facts.js';
import type { Expr, RuleIR } from '../../src/ir/types.js';

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

function rule(id: string, detection: string): string {
  return `title: Rule ${id}
id: 00000000-0000-4000-8000-0000000000${id}
logsource:
    product: windows
    service: sysmon
detection:
${detection}
`;
}

test('a rule whose detection names its event ids is a candidate for those ids only, in every form the id takes, and matches there', () => {
  const col = emptyCollection();
  addParsedFile(col, parseSigmaText(rule('01', '    selection:\n        EventID: 16\n    condition: selection'), 'a.yml'));
  addParsedFile(col, parseSigmaText(rule('02', '    selection:\n        EventID:\n            - 16\n            - 255\n        Details|contains: x\n    filter:\n        Details: xx\n    condition: selection and not filter'), 'b.yml'));
  addParsedFile(col, parseSigmaText(rule('03', '    selection:\n        Details|contains: x\n    condition: selection'), 'c.yml'));
  checkCollection(col);
  const set = prepareRules(col, { pipelines: [builtinPipeline('windows')!], regex: re2Regex }).set;
  assert.equal(set.rules.length, 3);
  const candidates = (e: Record<string, unknown>) => set.index.candidates(new EventView(e)).map((r) => r.ir.rule.title);
  const detected = (e: Record<string, unknown>) => new Detector(set, { regex: re2Regex, explain: false }).next(e).matches.map((m) => m.rule.ir.rule.title);
  for (const id of [16, '16', 16n, [1, 16], ['16']]) {
    const e = { Channel: SYSMON, EventID: id, Details: 'x' };
    assert.deepEqual(candidates(e), ['Rule 01', 'Rule 02', 'Rule 03'], String(id));
    assert.deepEqual(detected(e), ['Rule 01', 'Rule 02', 'Rule 03'], String(id));
  }
  assert.deepEqual(candidates({ Channel: SYSMON, EventID: 255, Details: 'x' }), ['Rule 02', 'Rule 03']);
  assert.deepEqual(candidates({ Channel: SYSMON, EventID: 1, Details: 'x' }), ['Rule 03']);
  assert.deepEqual(candidates({ Channel: SYSMON, Details: 'x' }), ['Rule 03']);
});

test('an event id test whose text is not the number as it reads (0x10 for 16) leaves the rule filed under every id', () => {
  // The test holds on an event whose value is that very text, which reads as no number: filed
  // under 16 alone, the rule would never meet it.
  const test16 = (text: string): Expr => ({ kind: 'test', field: 'EventID', value: { type: 'number', value: 16, text }, cased: false, negate: false, origin: { selection: 's', item: {} as never } });
  const channel: Expr = { kind: 'test', field: 'Channel', value: { type: 'string', parts: [SYSMON] } as never, cased: false, negate: false, origin: { selection: 'pipeline', item: {} as never } };
  const compiled = (index: number, text: string): CompiledRule => {
    const ir = { rule: { logsource: { product: 'windows', service: 'sysmon' } } as never, guard: channel, detection: test16(text), selections: new Map(), failures: [], applied: [] } satisfies RuleIR;
    return { index, ir, facts: factsOf(ir), guard: () => true, detection: () => true };
  };
  const index = new RuleIndex([compiled(0, '16'), compiled(1, '0x10')]);
  const of = (e: Record<string, unknown>) => index.candidates(new EventView(e)).map((r) => r.index);
  assert.deepEqual(of({ Channel: SYSMON, EventID: '0x10' }), [1]);
  assert.deepEqual(of({ Channel: SYSMON, EventID: 16 }), [0, 1]);
  assert.deepEqual(of({ Channel: SYSMON, EventID: 1 }), [1]);
});
