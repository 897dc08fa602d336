// The facts of prepared rules kept between runs (src/engine/facts-store.ts): a run over unchanged
// rules takes them from the store and finds the same detections; a changed rule file is prepared
// afresh; other pipelines use another store; a damaged store is ignored; a read-only store is never
// written; rules that Sigma filters or correlations change are always prepared in full.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { RuleCache } from '../../src/sigma/rule-cache.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import type { ProcessingPipeline } from '../../src/pipeline/types.js';
import { prepareRules, type PreparedRules, type RulebookOptions } from '../../src/engine/rulebook.js';
import { factsBesideRuleCache, pipelinesFingerprint, type FactsStore } from '../../src/engine/facts-store.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { Detector } from '../../src/engine/detector.js';
import { tempFolders } from '../helpers.js';

const temp = tempFolders();
const windows = [builtinPipeline('windows')!];

const rule = (title: string, detection: string) => `title: ${title}
name: ${title.toLowerCase().replace(/ /g, '_')}
logsource:
    category: process_creation
    product: windows
detection:
${detection}
level: high
`;
const contains = (title: string, value: string) => rule(title, `    sel:\n        CommandLine|contains: '${value}'\n    condition: sel`);

/** A folder of rule files. */
function rulesFolder(files: Record<string, string>): string {
  const dir = temp('quarry-facts-rules-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const EVENTS = [
  { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami /all' },
  { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\Tools\\m.exe', CommandLine: 'm.exe sekurlsa::logonpasswords' },
  { Channel: 'Security', EventID: 4688, NewProcessName: 'C:\\Windows\\System32\\net.exe', CommandLine: 'net user admin /add' },
];

interface Run {
  prepared: PreparedRules;
  store: FactsStore | null;
  /** Per event, the titles of the rules that matched. */
  detections: string[][];
}

/** One run as a command makes it: the rules through the rule cache, prepared with the facts store beside it. */
function run(rules: string, cacheDir: string, opts: { pipelines?: ProcessingPipeline[]; write?: boolean; extra?: Partial<RulebookOptions> } = {}): Run {
  const cache = new RuleCache(cacheDir, [rules]);
  const col = loadSigmaPaths([rules], { cache });
  cache.save();
  let store: FactsStore | null = null;
  const open = factsBesideRuleCache(cache, opts.write ?? true);
  const prepared = prepareRules(col, { pipelines: opts.pipelines ?? windows, regex: re2Regex, ...opts.extra, facts: (p) => (store = open(p)) });
  const detector = new Detector(prepared.set, { regex: re2Regex });
  const detections = EVENTS.map((e) => detector.next(structuredClone(e)).matches.map((m) => m.rule.ir.rule.title));
  return { prepared, store, detections };
}

const RULES = {
  'whoami.yml': contains('Whoami', 'whoami'),
  'mimikatz.yml': contains('Mimikatz', 'sekurlsa::'),
  'net-user.yml': rule('Net User Add', `    sel:\n        CommandLine|contains|all:\n            - 'net'\n            - ' /add'\n    condition: sel`),
  'regex.yml': rule('Regex', `    sel:\n        CommandLine|re: '(?i)who[a-z]+\\s/all'\n    condition: sel`),
};

test('a second run takes every rule from the store and finds the same detections', () => {
  const rules = rulesFolder(RULES);
  const cacheDir = temp('quarry-facts-cache-');
  const first = run(rules, cacheDir);
  assert.equal(first.store?.stats.state, 'absent');
  assert.equal(first.store?.stats.misses, 4);
  assert.ok(first.store?.stats.written && existsSync(first.store.path));
  assert.deepEqual(first.detections, [['Regex', 'Whoami'], ['Mimikatz'], ['Net User Add']]);
  const second = run(rules, cacheDir);
  assert.equal(second.store?.stats.state, 'used');
  assert.deepEqual([second.store?.stats.hits, second.store?.stats.misses, second.store?.stats.written], [4, 0, false]);
  assert.deepEqual(second.detections, first.detections);
  assert.deepEqual(
    second.prepared.set.rules.map((r) => r.facts),
    first.prepared.set.rules.map((r) => r.facts),
  );
});

test('a changed rule file is prepared afresh, the others come from the store', () => {
  const rules = rulesFolder(RULES);
  const cacheDir = temp('quarry-facts-cache-');
  run(rules, cacheDir);
  writeFileSync(join(rules, 'mimikatz.yml'), contains('Mimikatz', 'logonpasswords-not-here'));
  const changed = run(rules, cacheDir);
  assert.deepEqual([changed.store?.stats.hits, changed.store?.stats.misses], [3, 1]);
  assert.deepEqual(changed.detections, [['Regex', 'Whoami'], [], ['Net User Add']], 'the new text decides, not the kept facts');
  // Anchored on the new literal: the prefilter wakes it on an event that has it.
  writeFileSync(join(rules, 'mimikatz.yml'), contains('Mimikatz', 'whoami /all'));
  assert.deepEqual(run(rules, cacheDir).detections[0], ['Mimikatz', 'Regex', 'Whoami']);
});

test('other pipelines use another store; a pipeline JSON cannot tell apart uses none', () => {
  const rules = rulesFolder(RULES);
  const cacheDir = temp('quarry-facts-cache-');
  run(rules, cacheDir);
  const none = run(rules, cacheDir, { pipelines: [] });
  assert.equal(none.store?.stats.state, 'absent', 'no pipeline: not the windows store');
  const mapped: ProcessingPipeline = { ...windows[0]!, name: 'windows-changed', items: windows[0]!.items.slice(1) };
  assert.notEqual(pipelinesFingerprint([mapped]), pipelinesFingerprint(windows));
  assert.equal(pipelinesFingerprint([{ ...windows[0]!, vars: { m: new Map() as never } }]), null);
  assert.equal(pipelinesFingerprint([{ ...windows[0]!, vars: { f: (() => 1) as never } }]), null);
});

test('a damaged store is ignored and rewritten; a read-only store is never written', () => {
  const rules = rulesFolder(RULES);
  const cacheDir = temp('quarry-facts-cache-');
  const first = run(rules, cacheDir);
  const whole = readFileSync(first.store!.path);
  writeFileSync(first.store!.path, whole.subarray(0, whole.length - 40)); // cut short: its checksum fails
  const damaged = run(rules, cacheDir);
  assert.equal(damaged.store?.stats.state, 'corrupt');
  assert.equal(damaged.store?.stats.written, true);
  assert.deepEqual(damaged.detections, first.detections);
  assert.equal(run(rules, cacheDir).store?.stats.state, 'used');

  const readOnly = temp('quarry-facts-cache-');
  const r = run(rules, readOnly, { write: false });
  assert.equal(r.store?.stats.written, false);
  assert.ok(!existsSync(join(readOnly, 'facts')), 'nothing written');
  assert.deepEqual(r.detections, first.detections);
});

test('rules that Sigma filters or correlations change on the way are prepared in full', () => {
  const rules = rulesFolder(RULES);
  const cacheDir = temp('quarry-facts-cache-');
  run(rules, cacheDir);
  // A correlation reads the Whoami rule's User field: its IR carries the name, so it is not taken from the store.
  const fed = run(rules, cacheDir, { extra: { correlationFields: (r) => (r.title === 'Whoami' ? ['User'] : []) } });
  assert.deepEqual([fed.store?.stats.hits, fed.store?.stats.misses], [3, 0]);
  const whoami = fed.prepared.set.rules.find((r) => r.ir.rule.title === 'Whoami')!;
  assert.ok(whoami.ir.correlationFields?.has('User'));

  // A filter in the collection: no store is opened at all, and the filter applies.
  mkdirSync(join(rules, 'filters'));
  writeFileSync(
    join(rules, 'filters', 'whoami-admin.yml'),
    `title: Whoami with /all is expected\nlogsource:\n    category: process_creation\n    product: windows\nfilter:\n    rules:\n        - whoami\n    selection:\n        CommandLine|contains: '/all'\n    condition: selection\n`,
  );
  const filtered = run(rules, cacheDir);
  assert.equal(filtered.store, null);
  assert.equal(filtered.prepared.filtered, 1);
  assert.deepEqual(filtered.detections, [['Regex'], ['Mimikatz'], ['Net User Add']]);
});
