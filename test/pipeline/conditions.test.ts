import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPipelines } from '../../src/pipeline/apply.js';
import { PROCESS_RULE, pipelineFrom, ruleFromText, showDetections } from './helpers.js';

/** Applies `field_name_prefix: X.` under the given condition keys; returns whether the rule was selected. */
function ruleSelected(conditionYaml: string, rule = PROCESS_RULE, before = ''): boolean {
  const p = pipelineFrom(`transformations:\n${before}  - id: probe\n    type: field_name_prefix\n    prefix: X.\n${conditionYaml}`);
  return applyPipelines(ruleFromText(rule), [p]).applied.includes('probe');
}

const RULE_CASES: Array<[string, string, boolean]> = [
  ['logsource: all given keys equal', '    rule_conditions: [{type: logsource, category: process_creation, product: windows}]\n', true],
  ['logsource: one key differs', '    rule_conditions: [{type: logsource, category: process_creation, product: linux}]\n', false],
  ['logsource: a key the rule lacks', '    rule_conditions: [{type: logsource, service: sysmon}]\n', false],
  ['contains_detection_item: field and value', '    rule_conditions: [{type: contains_detection_item, field: OriginalFileName, value: CertUtil.exe}]\n', true],
  ['contains_detection_item: other value', '    rule_conditions: [{type: contains_detection_item, field: OriginalFileName, value: cmd.exe}]\n', false],
  ['contains_field', '    rule_conditions: [{type: contains_field, field: ParentImage}]\n', true],
  ['is_sigma_rule', '    rule_conditions: [{type: is_sigma_rule}]\n', true],
  ['is_sigma_correlation_rule', '    rule_conditions: [{type: is_sigma_correlation_rule}]\n', false],
  ['tag: absent', '    rule_conditions: [{type: tag, tag: attack.t1197}]\n', false],
  ['rule_attribute: level gte medium', '    rule_conditions: [{type: rule_attribute, attribute: level, value: medium, op: gte}]\n', true],
  ['rule_attribute: status eq stable', '    rule_conditions: [{type: rule_attribute, attribute: status, value: stable}]\n', false],
  ['logsources linked by or: one fits', '    rule_conditions: [{type: logsource, category: proxy}, {type: logsource, category: process_creation}]\n    rule_cond_op: or\n', true],
  ['logsources linked by or: none fits', '    rule_conditions: [{type: logsource, category: proxy}, {type: logsource, product: linux}]\n    rule_cond_op: or\n', false],
  ['logsources linked by and: both fit', '    rule_conditions: [{type: logsource, category: process_creation}, {type: logsource, product: windows}]\n', true],
  ['logsources linked by and: one fits', '    rule_conditions: [{type: logsource, category: process_creation}, {type: logsource, product: linux}]\n', false],
  ['logsources linked by or, negated', '    rule_conditions: [{type: logsource, category: proxy}, {type: logsource, category: process_creation}]\n    rule_cond_op: or\n    rule_cond_not: true\n', false],
  ['rule_cond_op or', '    rule_conditions: [{type: tag, tag: x}, {type: is_sigma_rule}]\n    rule_cond_op: or\n', true],
  ['default linking is and', '    rule_conditions: [{type: tag, tag: x}, {type: is_sigma_rule}]\n', false],
  ['rule_cond_not', '    rule_conditions: [{type: tag, tag: x}]\n    rule_cond_not: true\n', true],
  ['rule_cond_expr', '    rule_conditions:\n      win: {type: logsource, product: windows}\n      t: {type: tag, tag: x}\n    rule_cond_expr: win and not t\n', true],
];

for (const [name, yaml, want] of RULE_CASES) test(`rule condition: ${name} → ${want}`, () => assert.equal(ruleSelected(yaml), want));

test('rule condition: processing_item_applied sees earlier items', () => {
  const before = '  - id: first\n    type: set_state\n    key: k\n    val: 1\n    rule_conditions: [{type: logsource, product: windows}]\n';
  assert.equal(ruleSelected('    rule_conditions: [{type: processing_item_applied, processing_item_id: first}]\n', PROCESS_RULE, before), true);
  assert.equal(ruleSelected('    rule_conditions: [{type: processing_item_applied, processing_item_id: other}]\n', PROCESS_RULE, before), false);
});

test('rule condition: tag present', () => {
  const rule = PROCESS_RULE.replace('logsource:', 'tags:\n    - attack.t1105\nlogsource:');
  assert.equal(ruleSelected('    rule_conditions: [{type: tag, tag: attack.t1105}]\n', rule), true);
});

/** Which items `replace_string e→E` touched, under the given detection item / field name conditions. */
function touched(conditionYaml: string, before = ''): Record<string, string> {
  const p = pipelineFrom(`transformations:\n${before}  - id: up\n    type: replace_string\n    regex: "e"\n    replacement: "E"\n${conditionYaml}`);
  return showDetections(applyPipelines(ruleFromText(PROCESS_RULE), [p]).rule);
}

const NONE = { selection_img: 'or(and(Image=*\\certutil.exe), and(OriginalFileName=CertUtil.exe))', selection_cli: 'and(CommandLine=*urlcache *|*verifyctl *, ParentImage=*\\cmd.exe)' };

const ITEM_CASES: Array<[string, string, Record<string, string>]> = [
  ['no conditions: every item', '', {
    selection_img: 'or(and(Image=*\\cErtutil.ExE), and(OriginalFileName=CErtUtil.ExE))',
    selection_cli: 'and(CommandLine=*urlcachE *|*vErifyctl *, ParentImage=*\\cmd.ExE)',
  }],
  ['match_string any (anchored at the start, like re.match)', '    detection_item_conditions: [{type: match_string, pattern: "\\\\*url", cond: any}]\n', {
    ...NONE, selection_cli: 'and(CommandLine=*urlcachE *|*vErifyctl *, ParentImage=*\\cmd.exe)',
  }],
  ['match_string all', '    detection_item_conditions: [{type: match_string, pattern: "\\\\*url", cond: all}]\n', NONE],
  ['match_string negate', '    detection_item_conditions: [{type: match_string, pattern: "\\\\*", cond: all, negate: true}]\n', {
    ...NONE, selection_img: 'or(and(Image=*\\certutil.exe), and(OriginalFileName=CErtUtil.ExE))',
  }],
  ['is_null', '    detection_item_conditions: [{type: is_null, cond: any}]\n', NONE],
  ['match_value', '    detection_item_conditions: [{type: match_value, value: CertUtil.exe, cond: any}]\n', {
    ...NONE, selection_img: 'or(and(Image=*\\certutil.exe), and(OriginalFileName=CErtUtil.ExE))',
  }],
  ['include_fields plain', '    field_name_conditions: [{type: include_fields, fields: [ParentImage, Image]}]\n', {
    selection_img: 'or(and(Image=*\\cErtutil.ExE), and(OriginalFileName=CertUtil.exe))', selection_cli: 'and(CommandLine=*urlcache *|*verifyctl *, ParentImage=*\\cmd.ExE)',
  }],
  ['include_fields re (anchored at the start)', '    field_name_conditions: [{type: include_fields, fields: ["Image"], mode: re}]\n', {
    ...NONE, selection_img: 'or(and(Image=*\\cErtutil.ExE), and(OriginalFileName=CertUtil.exe))',
  }],
  ['exclude_fields', '    field_name_conditions: [{type: exclude_fields, fields: [CommandLine, Image, ParentImage]}]\n', {
    ...NONE, selection_img: 'or(and(Image=*\\certutil.exe), and(OriginalFileName=CErtUtil.ExE))',
  }],
  ['field_name_cond_not', '    field_name_conditions: [{type: include_fields, fields: [CommandLine, Image, ParentImage]}]\n    field_name_cond_not: true\n', {
    ...NONE, selection_img: 'or(and(Image=*\\certutil.exe), and(OriginalFileName=CErtUtil.ExE))',
  }],
  ['detection_item_cond_op or', '    detection_item_conditions: [{type: is_null, cond: any}, {type: match_value, value: CertUtil.exe, cond: any}]\n    detection_item_cond_op: or\n', {
    ...NONE, selection_img: 'or(and(Image=*\\certutil.exe), and(OriginalFileName=CErtUtil.ExE))',
  }],
  ['detection_item_cond_expr', '    detection_item_conditions:\n      n: {type: is_null, cond: any}\n      w: {type: contains_wildcard, cond: any}\n    detection_item_cond_expr: not n and not w\n', {
    ...NONE, selection_img: 'or(and(Image=*\\certutil.exe), and(OriginalFileName=CErtUtil.ExE))',
  }],
];

for (const [name, yaml, want] of ITEM_CASES) test(`detection item / field name condition: ${name}`, () => assert.deepEqual(touched(yaml), want));

test('processing_item_applied on detection items and on field names', () => {
  const before = '  - id: map\n    type: field_name_mapping\n    mapping: {Image: process.executable}\n';
  const byItem = touched('    detection_item_conditions: [{type: processing_item_applied, processing_item_id: map}]\n', before);
  assert.equal(byItem.selection_img, 'or(and(process.executable=*\\cErtutil.ExE), and(OriginalFileName=CertUtil.exe))');
  assert.equal(byItem.selection_cli, NONE.selection_cli);
  const byField = touched('    field_name_conditions: [{type: processing_item_applied, processing_item_id: map}]\n', before);
  assert.deepEqual(byField, byItem);
});
