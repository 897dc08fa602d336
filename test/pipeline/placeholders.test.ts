import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { applyPipelines } from '../../src/pipeline/apply.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { ruleToIR } from '../../src/ir/rule-path.js';
import { lowerProcessedRule, lowerRule } from '../../src/ir/lower.js';
import { DATA, pipelineFrom, ruleFromFile, ruleFromText, showDetections } from './helpers.js';

const DC_RULE = join(DATA, 'sigmahq/rules-placeholder/windows/builtin/security/win_security_dc_machine_accoutn_tgt_non_dc_ip.yml');
const USERDOMAIN_RULE = join(DATA, 'sigmahq/rules-placeholder/windows/process_creation/proc_creation_win_userdomain_variable_enumeration.yml');

const withVars = pipelineFrom(`name: corp
priority: 30
vars:
  dc_machine_accounts: ['DC01$', 'DC02$']
  dc_ip_addresses: [10.0.0.10, 10.0.0.11]
  userdomain: CORP
transformations:
  - id: fill
    type: value_placeholders
`);

test('placeholder rule with vars: values resolve, several values are an OR', () => {
  const r = applyPipelines(ruleFromFile(DC_RULE), [builtinPipeline('windows')!, withVars]);
  assert.deepEqual(r.failures, []);
  const d = showDetections(r.rule);
  assert.equal(d.selection, 'and(EventID=4768, Status=0x0, TargetUserName=*$, TargetUserName=DC01$|DC02$)');
  assert.equal(d.filter_main_dc_source, 'and(IpAddress=10.0.0.10|10.0.0.11)');
  assert.ok(r.applied.includes('fill'));
});

test('placeholder inside a value keeps the text around it', () => {
  const r = applyPipelines(ruleFromFile(USERDOMAIN_RULE), [withVars]);
  assert.deepEqual(r.failures, []);
  assert.equal(showDetections(r.rule).selection, 'and(CommandLine=*echo *, CommandLine=*CORP*)');
});

test('placeholder rule without vars fails with the reason', () => {
  const r = applyPipelines(ruleFromFile(DC_RULE), [builtinPipeline('windows')!]);
  assert.deepEqual(r.failures, [
    "placeholder %dc_machine_accounts% has no values (give them with a pipeline's vars)",
    "placeholder %dc_ip_addresses% has no values (give them with a pipeline's vars)",
  ]);
});

test('value_placeholders leaves placeholders it has no vars for; include/exclude select', () => {
  const p = pipelineFrom(`vars:\n  dc_ip_addresses: [10.0.0.10]\n  dc_machine_accounts: ['DC01$']\ntransformations:\n  - type: value_placeholders\n    exclude: [dc_machine_accounts]\n`);
  const r = applyPipelines(ruleFromFile(DC_RULE), [p]);
  assert.deepEqual(r.failures, ["placeholder %dc_machine_accounts% has no values (give them with a pipeline's vars)"]);
  assert.equal(showDetections(r.rule).filter_main_dc_source, 'and(IpAddress=10.0.0.10)');
});

test('wildcard_placeholders turns the selected ones into wildcards', () => {
  const p = pipelineFrom(`transformations:\n  - type: wildcard_placeholders\n    include: [dc_ip_addresses]\n`);
  assert.deepEqual(applyPipelines(ruleFromFile(DC_RULE), [withVars, p]).failures, []);
  const r = applyPipelines(ruleFromFile(DC_RULE), [p]);
  assert.equal(showDetections(r.rule).filter_main_dc_source, 'and(IpAddress=*)');
  assert.deepEqual(r.failures, ["placeholder %dc_machine_accounts% has no values (give them with a pipeline's vars)"]);
});

test('vars values are Sigma strings (wildcards work); several placeholders in one value multiply', () => {
  const rule = ruleFromText(`title: t\nlogsource:\n    product: windows\n    service: security\ndetection:\n    sel:\n        TargetUserName|expand: '%a%/%b%'\n    condition: sel\n`);
  const p = pipelineFrom(`vars:\n  a: [CORP, LAB]\n  b: ['adm*']\ntransformations:\n  - type: value_placeholders\n`);
  assert.equal(showDetections(applyPipelines(rule, [p]).rule).sel, 'and(TargetUserName=CORP/adm*|LAB/adm*)');
});

test('a placeholder expanded inside an |all item is an AND with an OR for the alternatives', () => {
  const rule = ruleFromText(`title: t\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        CommandLine|contains|all|expand:\n            - ' /c '\n            - '%tool%'\n    condition: sel\n`);
  const p = pipelineFrom(`vars:\n  tool: [psexec, paexec]\ntransformations:\n  - type: value_placeholders\n`);
  assert.equal(showDetections(applyPipelines(rule, [p]).rule).sel, 'and(and(CommandLine=* /c *, CommandLine=*psexec*|*paexec*))');
});

test('lowering lists each unresolved placeholder once, whether the pipelines reported it or not', () => {
  // Lowering trusts what applyPipelines returned to have reported them (apply.ts
  // placeholdersReported) and walks the values itself for any other processed rule.
  const both = [
    "placeholder %dc_machine_accounts% has no values (give them with a pipeline's vars)",
    "placeholder %dc_ip_addresses% has no values (give them with a pipeline's vars)",
  ];
  const rule = ruleFromFile(DC_RULE);
  assert.deepEqual(ruleToIR(rule, { pipelines: [builtinPipeline('windows')!] }).ir.failures, both);
  assert.deepEqual(lowerRule(rule).failures, both);
  const processed = applyPipelines(rule, []);
  assert.deepEqual(lowerProcessedRule({ ...processed, failures: [] }).failures, both);
  assert.deepEqual(lowerProcessedRule({ ...processed, failures: [both[1]!] }).failures, [both[1], both[0]]);
});
