// The condition tree of `quarry explain`: every node from the engine's compiled predicates, each
// leaf true, false or missing-field, the fields the event lacks listed; and, over SigmaHQ's
// regression events, the tree never disagrees with the detector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseSigmaText, emptyCollection, addParsedFile, checkCollection, loadSigmaPaths } from '../../src/sigma/load.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { createExplainer, type ExplainNode, type ExplainedEvent } from '../../src/hunt/explain-events.js';
import type { SourceProblem } from '../../src/sources/types.js';
import { explainedEventText } from '../../src/report/explain-text.js';
import { REGRESSION } from '../hunt/sigmahq-layout.js';

const RULE = `title: Encoded PowerShell Not From The Updater
id: 7a0c1b2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d
logsource:
    product: windows
    category: process_creation
detection:
    selection_img:
        Image|endswith: '\\powershell.exe'
    selection_cli:
        CommandLine|contains:
            - ' -enc '
            - ' -EncodedCommand '
    filter_updater:
        ParentImage|endswith: '\\updater.exe'
    condition: all of selection_* and not 1 of filter_*
`;

function explainer(yaml: string) {
  const col = emptyCollection();
  addParsedFile(col, parseSigmaText(yaml, 'rule.yml'));
  checkCollection(col);
  assert.equal(col.rejected.length, 0);
  return createExplainer(col, { pipelines: [builtinPipeline('windows')!], regex: re2Regex });
}

const SYSMON = { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1 };

function find(n: ExplainNode, pred: (n: ExplainNode) => boolean): ExplainNode[] {
  const kids = 'children' in n ? n.children : 'child' in n ? [n.child] : [];
  return [...(pred(n) ? [n] : []), ...kids.flatMap((k) => find(k, pred))];
}
const selection = (n: ExplainNode, name: string) => find(n, (x) => x.kind === 'selection' && x.name === name)[0]!;

test('a matching event: every selection true, the filter false, its value shown', () => {
  const [ev] = explainer(RULE).explainEvents([{ ...SYSMON, Image: 'C:\\Windows\\System32\\powershell.exe', CommandLine: 'powershell.exe -enc SQBFAFgA', ParentImage: 'C:\\Windows\\explorer.exe' }], 'inline');
  const r = ev!.rules[0]!;
  assert.equal(r.detected, true);
  assert.equal(r.explanation.matched, true);
  assert.equal(r.explanation.condition.result, true);
  assert.equal(selection(r.explanation.condition, 'selection_img').result, true);
  assert.equal(selection(r.explanation.condition, 'filter_updater').result, false);
  const cli = find(selection(r.explanation.condition, 'selection_cli'), (n) => n.kind === 'test');
  assert.deepEqual(cli.map((n) => n.kind === 'test' && n.state), ['true', 'false']);
  assert.deepEqual(r.explanation.missingFields, []);
  const text = explainedEventText(ev!).join('\n');
  assert.match(text, /MATCHED/);
  assert.match(text, /\[true\] +CommandLine\|contains \* -enc \*   \(event: "powershell\.exe -enc SQBFAFgA"\)/);
  assert.match(text, /\[false\] +1 of filter_\*/);
});

test('an event without the command line: missing-field leaves and the missing fields listed', () => {
  const [ev] = explainer(RULE).explainEvents([{ ...SYSMON, Image: 'C:\\Windows\\System32\\powershell.exe' }], 'inline');
  const r = ev!.rules[0]!;
  assert.equal(r.detected, false);
  assert.equal(r.explanation.condition.result, false);
  const leaves = find(selection(r.explanation.condition, 'selection_cli'), (n) => n.kind === 'test');
  assert.deepEqual(leaves.map((n) => n.kind === 'test' && n.state), ['missing-field', 'missing-field']);
  assert.deepEqual(r.explanation.missingFields, ['CommandLine', 'ParentImage or ParentProcessName']);
  assert.match(explainedEventText(ev!).join('\n'), /\[missing\] CommandLine\|contains \* -enc \*   \(event has no such field\)/);
});

test('the updater filter turns a match off, and the tree says which part', () => {
  const [ev] = explainer(RULE).explainEvents([{ ...SYSMON, Image: 'C:\\x\\powershell.exe', CommandLine: 'powershell -EncodedCommand AAA', ParentImage: 'C:\\Program Files\\updater.exe' }], 'inline');
  const r = ev!.rules[0]!;
  assert.equal(r.detected, false);
  assert.equal(selection(r.explanation.condition, 'filter_updater').result, true);
  const not = find(r.explanation.condition, (n) => n.kind === 'not')[0]!;
  assert.equal(not.result, false);
});

test('an event of another log source: the detection holds, the guard does not, the detector is silent', () => {
  const [ev] = explainer(RULE).explainEvents([{ Channel: 'Microsoft-Windows-PowerShell/Operational', EventID: 4104, Image: 'C:\\x\\powershell.exe', CommandLine: 'powershell -enc AAA' }], 'inline');
  const r = ev!.rules[0]!;
  assert.equal(ev!.routing, 'windows');
  assert.equal(r.detected, false);
  assert.equal(r.explanation.matched, true);
  assert.equal(r.explanation.guard!.result, false);
  assert.match(explainedEventText(ev!).join('\n'), /the detection holds, but the event is not of the rule's log source/);
});

test('a long OR list shows the tests that hold and counts the rest', () => {
  const hashes = Array.from({ length: 40 }, (_, i) => `        - 'SHA256=${i.toString(16).padStart(64, '0')}'`).join('\n');
  const yaml = `title: Hashes\nid: 1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    selection:\n        Hashes|contains:\n${hashes}\n    condition: selection\n`;
  const [ev] = explainer(yaml).explainEvents([{ ...SYSMON, Hashes: `MD5=1,SHA256=${(7).toString(16).padStart(64, '0')}` }], 'inline');
  const text = explainedEventText(ev!).join('\n');
  assert.equal(ev!.rules[0]!.detected, true);
  assert.match(text, /… 39 more \(39 false\)/);
  assert.equal(text.split('\n').filter((l) => l.includes('Hashes|contains')).length, 1);
});

test("over SigmaHQ's regression events the tree agrees with the detector on every rule and event", async () => {
  let events = 0;
  let detected = 0;
  for (const c of readdirSync(REGRESSION).filter((d) => !d.endsWith('.tsv')).sort()) {
    const dir = join(REGRESSION, c);
    const ex = createExplainer(loadSigmaPaths([join(dir, 'rule.yml')]), { pipelines: [builtinPipeline('windows')!], regex: re2Regex });
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
      const problems: SourceProblem[] = [];
      for await (const ev of ex.explainFile(join(dir, f), problems) as AsyncIterable<ExplainedEvent>) {
        events++;
        for (const r of ev.rules) {
          const e = r.explanation;
          // The root verdict is the compiled detection; the condition tree (with what the pipelines
          // added) must reach the same value, and a detection needs both and the guard on Windows events.
          assert.equal(e.condition.result && (e.pipeline?.result ?? true), e.matched, `${c} ${f}: tree and detection disagree`);
          assert.equal(r.detected, e.matched && (ev.routing !== 'windows' || (e.guard?.result ?? true)), `${c} ${f}: verdicts disagree`);
          if (r.detected) detected++;
        }
      }
      assert.deepEqual(problems, []);
    }
  }
  assert.equal(events, 167); // the JSON renderings hold 167 events (the EVTX files hold more)
  assert.ok(detected >= 140, `${detected} detected events`);
});

test("the playground gives each event the same trees as quarry explain, and renders them with the same text", async () => {
  const { runPlayground } = await import('../../src/playground/run.js');
  const events = [
    { ...SYSMON, Image: 'C:\\Windows\\System32\\powershell.exe', CommandLine: 'powershell.exe -enc SQBFAFgA', ParentImage: 'C:\\Windows\\explorer.exe' },
    { ...SYSMON, Image: 'C:\\Windows\\System32\\powershell.exe' },
  ];
  const result = runPlayground({ yaml: RULE, events: events.map((e) => JSON.stringify(e)).join('\n'), pipelines: ['windows'] });
  const cli = explainer(RULE).explainEvents(events, 'inline');
  assert.equal(result.explanations.length, 2);
  for (const [i, e] of result.explanations.entries()) {
    assert.deepEqual(e.rules.map((r) => [r.detected, r.explanation]), cli[i]!.rules.map((r) => [r.detected, r.explanation]));
  }
  assert.deepEqual(result.matches.map((m) => m.length), [1, 0]);
  assert.deepEqual(result.explanations[1]!.rules[0]!.explanation.missingFields, ['CommandLine', 'ParentImage or ParentProcessName']);
});
