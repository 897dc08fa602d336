import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPipelines } from '../../src/pipeline/apply.js';
import type { ProcessedRule } from '../../src/pipeline/types.js';
import { PROCESS_RULE, pipelineFrom, ruleFromText, show, showDetections } from './helpers.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { parsePipelineYaml } from '../../src/pipeline/parse.js';
import { DATA } from '../helpers.js';

interface Case {
  name: string;
  /** The `transformations:` list of a pipeline (indented by two spaces). */
  items: string;
  rule?: string;
  expect: (r: ProcessedRule) => void;
}

const run = (items: string, rule = PROCESS_RULE, vars = '') => applyPipelines(ruleFromText(rule), [pipelineFrom(`name: t\n${vars}transformations:\n${items}`)]);

const CASES: Case[] = [
  {
    name: 'field_name_mapping: one name',
    items: '  - id: m\n    type: field_name_mapping\n    mapping:\n      Image: process.executable\n      CommandLine: process.command_line\n',
    expect: (r) => {
      assert.deepEqual(showDetections(r.rule), {
        selection_img: 'or(and(process.executable=*\\certutil.exe), and(OriginalFileName=CertUtil.exe))',
        selection_cli: 'and(process.command_line=*urlcache *|*verifyctl *, ParentImage=*\\cmd.exe)',
      });
      assert.deepEqual(r.rule.fields, ['process.executable', 'process.command_line']);
      assert.deepEqual(r.applied, ['m']);
    },
  },
  {
    name: 'field_name_mapping: a list of names is an OR of copies',
    items: '  - type: field_name_mapping\n    mapping:\n      ParentImage: [ParentImage, ParentProcessName]\n',
    expect: (r) => {
      assert.equal(showDetections(r.rule).selection_cli, 'and(CommandLine=*urlcache *|*verifyctl *, or(ParentImage=*\\cmd.exe, ParentProcessName=*\\cmd.exe))');
      assert.deepEqual(r.applied, ['field_name_mapping'], 'items without id are recorded by type');
    },
  },
  {
    name: 'field_name_mapping: field name conditions choose the fields',
    items: '  - type: field_name_mapping\n    mapping:\n      Image: img\n      CommandLine: cmd\n    field_name_conditions:\n      - type: exclude_fields\n        fields: [CommandLine]\n',
    expect: (r) => {
      assert.match(showDetections(r.rule).selection_img!, /img=/);
      assert.match(showDetections(r.rule).selection_cli!, /CommandLine=/);
      assert.deepEqual(r.rule.fields, ['img', 'CommandLine']);
    },
  },
  {
    name: 'field_name_prefix_mapping',
    items: '  - type: field_name_prefix_mapping\n    mapping:\n      Parent: parent.\n',
    expect: (r) => assert.match(showDetections(r.rule).selection_cli!, /parent\.Image=\*\\cmd\.exe/),
  },
  {
    name: 'field_name_prefix and field_name_suffix',
    items: '  - type: field_name_prefix\n    prefix: "winlog."\n  - type: field_name_suffix\n    suffix: ".keyword"\n    field_name_conditions:\n      - type: include_fields\n        fields: ["^winlog\\\\.(Image|CommandLine)$"]\n        mode: re\n',
    expect: (r) => {
      assert.equal(showDetections(r.rule).selection_cli, 'and(winlog.CommandLine.keyword=*urlcache *|*verifyctl *, winlog.ParentImage=*\\cmd.exe)');
      assert.deepEqual(r.rule.fields, ['winlog.Image.keyword', 'winlog.CommandLine.keyword']);
    },
  },
  {
    name: 'add_condition with a logsource rule condition is a guard',
    items: '  - id: sysmon\n    type: add_condition\n    conditions:\n      Channel: Microsoft-Windows-Sysmon/Operational\n      EventID: [1, 4688]\n    rule_conditions:\n      - type: logsource\n        category: process_creation\n',
    expect: (r) => {
      assert.deepEqual(r.guards.map(show), ['and(Channel=Microsoft-Windows-Sysmon/Operational, EventID=1|4688)']);
      assert.deepEqual(r.conditions, []);
      assert.equal((r.guards[0]!.children[0] as { origin: string }).origin, 'pipeline');
    },
  },
  {
    name: 'add_condition without a logsource condition is a condition; modifiers work',
    items: '  - type: add_condition\n    conditions:\n      Computer|endswith: .corp.example\n      "User|contains|all": [adm, svc]\n',
    expect: (r) => {
      assert.deepEqual(r.guards, []);
      assert.deepEqual(r.conditions.map(show), ['and(Computer=*.corp.example, User=*adm*&*svc*)']);
    },
  },
  {
    name: 'add_condition: guard true/false overrides, negated goes to exclusions, template fills the log source',
    items:
      '  - type: add_condition\n    guard: true\n    conditions: {a: 1}\n' +
      '  - type: add_condition\n    guard: false\n    conditions: {b: 2}\n    rule_conditions: [{type: logsource, product: windows}]\n' +
      '  - type: add_condition\n    negated: true\n    conditions: {c: 3}\n' +
      '  - type: add_condition\n    template: true\n    conditions: {source: "$product/$category"}\n',
    expect: (r) => {
      assert.deepEqual(r.guards.map(show), ['and(a=1)']);
      assert.deepEqual(r.conditions.map(show), ['and(b=2)', 'and(source=windows/process_creation)']);
      assert.deepEqual(r.exclusions.map(show), ['and(c=3)']);
    },
  },
  {
    name: 'later field mappings apply to added conditions too',
    items: '  - type: add_condition\n    conditions: {EventID: 1}\n    rule_conditions: [{type: logsource, product: windows}]\n  - type: field_name_mapping\n    mapping: {EventID: event.code}\n',
    expect: (r) => assert.deepEqual(r.guards.map(show), ['and(event.code=1)']),
  },
  {
    name: 'change_logsource replaces the log source',
    items: '  - type: change_logsource\n    product: windows\n    service: sysmon\n    rule_conditions: [{type: logsource, category: process_creation}]\n',
    expect: (r) => assert.deepEqual(r.rule.logsource, { product: 'windows', service: 'sysmon' }),
  },
  {
    name: 'drop_detection_item with a field name condition',
    items: '  - type: drop_detection_item\n    field_name_conditions: [{type: include_fields, fields: [OriginalFileName]}]\n',
    expect: (r) => assert.equal(showDetections(r.rule).selection_img, 'or(and(Image=*\\certutil.exe))'),
  },
  {
    name: 'replace_string works on the literal parts, wildcards stay',
    items: '  - type: replace_string\n    regex: "\\\\\\\\"\n    replacement: "/"\n',
    expect: (r) => {
      assert.equal(showDetections(r.rule).selection_img, 'or(and(Image=*/certutil.exe), and(OriginalFileName=CertUtil.exe))');
      assert.match(showDetections(r.rule).selection_cli!, /ParentImage=\*\/cmd\.exe/);
    },
  },
  {
    name: 'replace_string with capture groups (Python syntax)',
    items: '  - type: replace_string\n    regex: "^(\\\\w+)\\\\.exe$"\n    replacement: "\\\\1.EXE"\n',
    expect: (r) => assert.equal(showDetections(r.rule).selection_img, 'or(and(Image=*\\certutil.exe), and(OriginalFileName=CertUtil.EXE))'),
  },
  {
    name: 'map_string',
    items: '  - type: map_string\n    mapping:\n      CertUtil.exe: [CertUtil.exe, certutil.exe]\n',
    expect: (r) => assert.equal(showDetections(r.rule).selection_img, 'or(and(Image=*\\certutil.exe), and(OriginalFileName=CertUtil.exe|certutil.exe))'),
  },
  {
    name: 'rule_failure records the message, only where its rule conditions match',
    items: '  - type: rule_failure\n    message: process creation is not collected here\n    rule_conditions: [{type: logsource, category: process_creation}]\n  - type: rule_failure\n    message: never\n    rule_conditions: [{type: logsource, category: dns_query}]\n',
    expect: (r) => assert.deepEqual(r.failures, ['process creation is not collected here']),
  },
  {
    name: 'detection_item_failure names the item',
    items: '  - type: detection_item_failure\n    message: OriginalFileName is not available\n    field_name_conditions: [{type: include_fields, fields: [OriginalFileName]}]\n',
    expect: (r) => assert.deepEqual(r.failures, ['OriginalFileName is not available (field OriginalFileName, line 10)']),
  },
  {
    name: 'set_state and processing_state',
    items: '  - type: set_state\n    key: backend\n    val: kql\n  - type: field_name_prefix\n    prefix: k.\n    rule_conditions: [{type: processing_state, key: backend, val: kql}]\n',
    expect: (r) => {
      assert.deepEqual(r.state, { backend: 'kql' });
      assert.match(showDetections(r.rule).selection_img!, /k\.Image/);
    },
  },
  {
    name: 'add_field, remove_field',
    items: '  - type: add_field\n    field: [User, Hashes]\n  - type: remove_field\n    field: Image\n',
    expect: (r) => assert.deepEqual(r.rule.fields, ['CommandLine', 'User', 'Hashes']),
  },
];

for (const c of CASES) test(`transformation: ${c.name}`, () => c.expect(run(c.items, c.rule)));

test('the input rule is never modified', () => {
  const rule = ruleFromText(PROCESS_RULE);
  const before = JSON.stringify(showDetections(rule));
  applyPipelines(rule, [pipelineFrom('transformations:\n  - type: field_name_prefix\n    prefix: x.\n  - type: replace_string\n    regex: e\n    replacement: E\n')]);
  assert.equal(JSON.stringify(showDetections(rule)), before);
  assert.deepEqual(rule.fields, ['Image', 'CommandLine']);
});

test('pipelines apply by priority, ties in the order given', () => {
  const a = pipelineFrom('name: a\npriority: 20\ntransformations:\n  - {id: a, type: field_name_prefix, prefix: "a."}\n');
  const b = pipelineFrom('name: b\npriority: 10\ntransformations:\n  - {id: b, type: field_name_prefix, prefix: "b."}\n');
  const c = pipelineFrom('name: c\npriority: 20\ntransformations:\n  - {id: c, type: field_name_prefix, prefix: "c."}\n');
  const r = applyPipelines(ruleFromText(PROCESS_RULE), [a, b, c]);
  assert.deepEqual(r.applied, ['b', 'a', 'c']);
  assert.deepEqual(r.rule.fields, ['c.a.b.Image', 'c.a.b.CommandLine']);
});

test('an unknown transformation in a pipeline built in code is a failure, not a crash', () => {
  const p = pipelineFrom('transformations:\n  - {id: x, type: field_name_prefix, prefix: "x."}\n');
  p.items[0]!.type = 'nest';
  assert.deepEqual(applyPipelines(ruleFromText(PROCESS_RULE), [p]).failures, ["pipeline 'pipeline.yml', item x: unknown transformation type 'nest'"]);
});

test('applying pipelines leaves the loaded rule as it was (the rule is shared by every target and input)', () => {
  const col = loadSigmaPaths([`${DATA}/sigmahq/rules/windows/process_creation`]);
  const windows = builtinPipeline('windows')!;
  const rename = parsePipelineYaml(
    'name: t\ntransformations:\n  - type: field_name_mapping\n    mapping:\n      Image: process.executable\n  - type: replace_string\n    regex: "exe"\n    replacement: "EXE"\n  - type: set_custom_attribute\n    attribute: x\n    value: y\n  - type: change_logsource\n    category: other\n',
    't.yml',
  ).pipeline!;
  const before = col.rules.map((r) => JSON.stringify({ ...r, detections: [...r.detections] }));
  for (const r of col.rules) applyPipelines(r, [windows, rename]);
  assert.deepEqual(
    col.rules.map((r) => JSON.stringify({ ...r, detections: [...r.detections] })),
    before,
  );
  // And the pipelines did change their copies.
  const processed = applyPipelines(col.rules[0]!, [windows, rename]);
  assert.equal(processed.rule.logsource.category, 'other');
  assert.equal(processed.rule.custom.x, 'y');
});

test("one add_condition's items serve every rule, yet what later items do to one rule's copy stays in that rule", () => {
  // add_condition builds its items once per processing item (add-condition.ts): the group around
  // them must still be each rule's own, since later items rewrite groups in place.
  const p = pipelineFrom(
    'name: t\ntransformations:\n' +
      '  - id: guard\n    type: add_condition\n    conditions:\n      Channel: Security\n      EventID: [4688, 1]\n    rule_conditions:\n      - type: logsource\n        product: windows\n' +
      '  - id: only_a\n    type: field_name_mapping\n    mapping:\n      Channel: channel_a\n    rule_conditions:\n      - type: rule_attribute\n        attribute: title\n        value: Rule A\n' +
      '  - id: drop_b\n    type: drop_detection_item\n    field_name_conditions:\n      - type: include_fields\n        fields: [EventID]\n    rule_conditions:\n      - type: rule_attribute\n        attribute: title\n        value: Rule B\n',
  );
  const a = applyPipelines(ruleFromText(PROCESS_RULE.replace(/^title: .*$/m, 'title: Rule A')), [p]);
  const b = applyPipelines(ruleFromText(PROCESS_RULE.replace(/^title: .*$/m, 'title: Rule B')), [p]);
  const c = applyPipelines(ruleFromText(PROCESS_RULE.replace(/^title: .*$/m, 'title: Rule C')), [p]);
  assert.deepEqual(a.guards.map(show), ['and(channel_a=Security, EventID=4688|1)']);
  assert.deepEqual(b.guards.map(show), ['and(Channel=Security)']);
  assert.deepEqual(c.guards.map(show), ['and(Channel=Security, EventID=4688|1)']);
  assert.deepEqual([a.applied, b.applied, c.applied], [['guard', 'only_a'], ['guard', 'drop_b'], ['guard']]);
  // The same rule again gets what it got the first time.
  assert.deepEqual(applyPipelines(ruleFromText(PROCESS_RULE.replace(/^title: .*$/m, 'title: Rule A')), [p]).guards.map(show), ['and(channel_a=Security, EventID=4688|1)']);
});

test('items after a change_logsource see the new log source, and rules of one log source meet the same items', () => {
  // The plain log-source comparison that skips items (apply.ts) reads the log source as it is then.
  const ls = (category: string) => `    rule_conditions:\n      - type: logsource\n        category: ${category}\n`;
  const add = (id: string, field: string, category: string) => `  - id: ${id}\n    type: add_condition\n    guard: false\n    conditions:\n      ${field}: 1\n${ls(category)}`;
  const p = pipelineFrom(
    'name: t\ntransformations:\n' +
      add('before', 'a', 'process_creation') +
      add('not_yet', 'b', 'other') +
      `  - id: change\n    type: change_logsource\n    category: other\n    product: windows\n${ls('process_creation')}` +
      add('after', 'c', 'other') +
      add('gone', 'd', 'process_creation') +
      `  - id: by_title\n    type: add_condition\n    guard: false\n    conditions:\n      e: 1\n    rule_conditions:\n      - type: rule_attribute\n        attribute: title\n        value: Rule B\n`,
  );
  const rule = (title: string, category: string) => ruleFromText(PROCESS_RULE.replace(/^title: .*$/m, `title: ${title}`).replace('category: process_creation', `category: ${category}`));
  for (let round = 0; round < 2; round++) {
    const a = applyPipelines(rule('Rule A', 'process_creation'), [p]);
    const b = applyPipelines(rule('Rule B', 'process_creation'), [p]);
    const o = applyPipelines(rule('Rule O', 'other'), [p]);
    assert.deepEqual([a.applied, b.applied, o.applied], [['before', 'change', 'after'], ['before', 'change', 'after', 'by_title'], ['not_yet', 'after']]);
    assert.deepEqual(a.conditions.map(show), ['and(a=1)', 'and(c=1)']);
    assert.deepEqual(o.conditions.map(show), ['and(b=1)', 'and(c=1)']);
    assert.deepEqual(a.rule.logsource, { category: 'other', product: 'windows' });
  }
});

test('without a change_logsource, the items of each log source are chosen once and still apply in pipeline order', () => {
  // apply.ts picks a pipeline's items by the rule's log source when no item can change it.
  const ls = (category: string, product: string) => `    rule_conditions:\n      - type: logsource\n        category: ${category}\n        product: ${product}\n`;
  const add = (id: string, field: string, category: string, product: string) => `  - id: ${id}\n    type: add_condition\n    guard: false\n    conditions:\n      ${field}: 1\n${ls(category, product)}`;
  const p = pipelineFrom(
    'name: t\ntransformations:\n' +
      add('ab_c', 'a', 'ab', 'c') +
      `  - id: by_title\n    type: add_condition\n    guard: false\n    conditions:\n      t: 1\n    rule_conditions:\n      - type: rule_attribute\n        attribute: title\n        value: Rule B\n` +
      add('a_bc', 'b', 'a', 'bc') +
      add('ab_c_again', 'c', 'ab', 'c'),
  );
  const rule = (title: string, category: string, product: string) =>
    ruleFromText(PROCESS_RULE.replace(/^title: .*$/m, `title: ${title}`).replace('category: process_creation', `category: ${category}`).replace('product: windows', `product: ${product}`));
  for (let round = 0; round < 2; round++) {
    const x = applyPipelines(rule('Rule A', 'ab', 'c'), [p]);
    const y = applyPipelines(rule('Rule B', 'a', 'bc'), [p]);
    const z = applyPipelines(rule('Rule B', 'ab', 'c'), [p]);
    assert.deepEqual([x.applied, y.applied, z.applied], [['ab_c', 'ab_c_again'], ['by_title', 'a_bc'], ['ab_c', 'by_title', 'ab_c_again']]);
    assert.deepEqual(z.conditions.map(show), ['and(a=1)', 'and(t=1)', 'and(c=1)']);
  }
});

test('a rule that no item changes is not copied; one that an item changes is, and the loaded rule stays as it was', () => {
  const guard = '  - id: guard\n    type: add_condition\n    conditions:\n      Channel: Security\n    rule_conditions:\n      - type: logsource\n        product: windows\n';
  const loaded = ruleFromText(PROCESS_RULE);
  const kept = applyPipelines(loaded, [pipelineFrom(`name: t\ntransformations:\n${guard}`)]);
  assert.equal(kept.rule, loaded, 'add_condition leaves the rule as it is');
  const before = JSON.stringify({ ...loaded, detections: [...loaded.detections] });
  const mapped = applyPipelines(loaded, [pipelineFrom(`name: t\ntransformations:\n${guard}  - type: field_name_mapping\n    mapping:\n      Image: process.executable\n`)]);
  assert.notEqual(mapped.rule, loaded);
  assert.equal(showDetections(mapped.rule).selection_img, 'or(and(process.executable=*\\certutil.exe), and(OriginalFileName=CertUtil.exe))');
  assert.equal(JSON.stringify({ ...loaded, detections: [...loaded.detections] }), before);
});
