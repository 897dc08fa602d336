import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parsePipelineYaml } from '../../src/pipeline/parse.js';
import { loadPipelineFile } from '../../src/pipeline/load-file.js';
import { pipelineFrom } from './helpers.js';

test('a pySigma pipeline loads with all its parts', () => {
  const p = pipelineFrom(`name: corp
priority: 20
vars:
  admins: [alice, bob]
  port: 445
transformations:
  - id: map_image
    type: field_name_mapping
    mapping:
      Image: process.executable
    rule_conditions:
      - type: logsource
        product: windows
    rule_cond_op: or
    field_name_conditions:
      - type: include_fields
        fields: [Image]
    field_name_cond_not: false
  - type: add_condition
    conditions:
      Tenant: corp
    rule_conditions:
      ls:
        type: logsource
        product: windows
      t:
        type: tag
        tag: attack.t1197
    rule_cond_expr: ls and not t
`);
  assert.equal(p.name, 'corp');
  assert.equal(p.priority, 20);
  assert.deepEqual(p.vars, { admins: ['alice', 'bob'], port: ['445'] });
  assert.equal(p.items.length, 2);
  const [a, b] = p.items;
  assert.equal(a!.id, 'map_image');
  assert.deepEqual(a!.params, { mapping: { Image: 'process.executable' } });
  assert.equal(a!.ruleCondLinking, 'or');
  assert.deepEqual(a!.ruleConditions.map((c) => [c.type, c.params]), [['logsource', { product: 'windows' }]]);
  assert.deepEqual(a!.fieldNameConditions.map((c) => c.type), ['include_fields']);
  assert.deepEqual(a!.pos, { line: 7, col: 5 });
  assert.equal(b!.id, undefined);
  assert.equal(b!.ruleCondExpression, 'ls and not t');
  assert.deepEqual(b!.ruleConditions.map((c) => c.id), ['ls', 't']);
});

test('rule_cond_linking is accepted as a spelling of rule_cond_op', () => {
  const p = pipelineFrom(`transformations:
  - type: field_name_prefix
    prefix: x.
    rule_cond_linking: or
    detection_item_cond_op: or
`);
  assert.equal(p.items[0]!.ruleCondLinking, 'or');
  assert.equal(p.items[0]!.detectionItemCondLinking, 'or');
});

// Each bad pipeline: the diagnostic code and where it points.
const BAD: Array<{ name: string; yaml: string; code: string; at: [number, number]; message?: RegExp }> = [
  { name: 'YAML syntax', yaml: 'transformations:\n  - type: [a\n', code: 'yaml-syntax', at: [3, 1] },
  { name: 'not a map', yaml: '- a\n- b\n', code: 'pipeline-not-a-map', at: [1, 1] },
  { name: 'unknown transformation type', yaml: 'transformations:\n  - type: field_name_mappin\n    mapping: {a: b}\n', code: 'unknown-transformation-type', at: [2, 11], message: /did you mean 'field_name_mapping'/ },
  { name: 'missing transformation type', yaml: 'transformations:\n  - id: x\n    mapping: {a: b}\n', code: 'missing-transformation-type', at: [2, 5] },
  { name: 'unknown rule condition type', yaml: 'transformations:\n  - type: field_name_prefix\n    prefix: x\n    rule_conditions:\n      - type: logsorce\n', code: 'unknown-condition-type', at: [5, 15], message: /rule condition type 'logsorce'.*did you mean 'logsource'/ },
  { name: 'unknown field name condition type', yaml: 'transformations:\n  - type: field_name_prefix\n    prefix: x\n    field_name_conditions:\n      - type: match_string\n', code: 'unknown-condition-type', at: [5, 15] },
  { name: 'missing parameter', yaml: 'transformations:\n  - type: field_name_prefix\n', code: 'missing-parameter', at: [2, 5], message: /'prefix'/ },
  { name: 'unknown parameter', yaml: 'transformations:\n  - type: field_name_prefix\n    prefix: x\n    prefx: y\n', code: 'unknown-parameter', at: [4, 5] },
  { name: 'mapping of the wrong shape', yaml: 'transformations:\n  - type: field_name_mapping\n    mapping:\n      Image: {a: b}\n', code: 'invalid-parameter', at: [4, 7], message: /'Image'/ },
  { name: 'invalid regex', yaml: 'transformations:\n  - type: replace_string\n    regex: "a("\n    replacement: b\n', code: 'invalid-parameter', at: [3, 12] },
  { name: 'unknown modifier in add_condition', yaml: 'transformations:\n  - type: add_condition\n    conditions:\n      Image|endwith: x\n', code: 'invalid-parameter', at: [4, 7], message: /unknown modifier 'endwith'/ },
  { name: 'condition parameter', yaml: 'transformations:\n  - type: drop_detection_item\n    detection_item_conditions:\n      - type: match_string\n        pattern: x\n        cond: some\n', code: 'invalid-parameter', at: [6, 15], message: /'any', 'all'/ },
  { name: 'bad condition expression', yaml: 'transformations:\n  - type: rule_failure\n    message: m\n    rule_conditions:\n      a: {type: is_sigma_rule}\n    rule_cond_expr: "a and or"\n', code: 'invalid-condition-expression', at: [6, 28] },
  { name: 'expression names an unknown id', yaml: 'transformations:\n  - type: rule_failure\n    message: m\n    rule_conditions:\n      a: {type: is_sigma_rule}\n    rule_cond_expr: a or b\n', code: 'unknown-condition-id', at: [6, 26] },
  { name: 'priority not an integer', yaml: 'priority: high\ntransformations: []\n', code: 'invalid-type', at: [1, 11] },
  { name: 'vars with a map', yaml: 'vars:\n  a: {b: c}\ntransformations: []\n', code: 'invalid-vars', at: [2, 6] },
  { name: 'linking other than and/or', yaml: 'transformations:\n  - type: field_name_prefix\n    prefix: x\n    rule_cond_op: xor\n', code: 'invalid-parameter', at: [4, 19] },
];

for (const c of BAD) {
  test(`bad pipeline: ${c.name} → ${c.code} at ${c.at.join(':')}`, () => {
    const r = parsePipelineYaml(c.yaml, 'bad.yml');
    assert.equal(r.pipeline, null, 'no pipeline is returned when it has errors');
    const d = r.diagnostics.find((x) => x.code === c.code);
    assert.ok(d, `expected ${c.code}, got ${JSON.stringify(r.diagnostics)}`);
    assert.equal(d.file, 'bad.yml');
    assert.deepEqual([d.line, d.col], c.at, d.message);
    assert.equal(d.severity, 'error');
    if (c.message) assert.match(d.message, c.message);
  });
}

test('several errors in one file are all reported', () => {
  const r = parsePipelineYaml('transformations:\n  - type: nope\n  - type: field_name_prefix\n  - type: add_condition\n    conditions: {}\n', 'p.yml');
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line]), [['unknown-transformation-type', 2], ['missing-parameter', 3], ['invalid-parameter', 5]]);
});

test('postprocessing and unknown keys are warnings, the pipeline still loads', () => {
  const r = parsePipelineYaml('name: x\nbackend: y\npostprocessing: []\ntransformations:\n  - type: field_name_suffix\n    suffix: _s\n', 'p.yml');
  assert.ok(r.pipeline);
  assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.code, d.line]), [['warning', 'unknown-pipeline-key', 2], ['warning', 'unsupported-pipeline-key', 3]]);
});

test('loadPipelineFile reports a missing file as a diagnostic', () => {
  const r = loadPipelineFile(join('/nonexistent', 'p.yml'));
  assert.equal(r.pipeline, null);
  assert.equal(r.diagnostics[0]!.code, 'unreadable');
});
