// A correlation's fields (group-by, aliases, value field) are named through each base rule's
// pipelines, as the rule's own fields are: in the engine (the hunt's correlator reads the mapped
// names, the first present) and in conversion (the query reads the mapped column, or refuses when a
// field has several names or the base rules name the value field differently).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyCollection, addParsedFile, checkCollection, parseSigmaText } from '../../src/sigma/collection.js';
import { parsePipelineYaml } from '../../src/pipeline/parse.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { fieldNamesThrough } from '../../src/ir/field-names.js';
import { convertCorrelation } from '../../src/backends/common/convert.js';
import { sqlBackend } from '../../src/backends/sql/index.js';
import type { ProcessingPipeline } from '../../src/pipeline/types.js';

const rule = (name: string, category: string) => `title: ${name}\nname: ${name}\nlogsource:\n    category: ${category}\n    product: windows\ndetection:\n    selection:\n        kind: ${name}\n    condition: selection\n`;

function collection(correlation: string, categories = ['process_creation', 'process_creation']) {
  const col = emptyCollection();
  addParsedFile(col, parseSigmaText(`${rule('a', categories[0]!)}---\n${rule('b', categories[1]!)}---\ntitle: C\ncorrelation:\n${correlation.split('\n').map((l) => '    ' + l).join('\n')}\n`, 'c.yml'));
  checkCollection(col);
  assert.deepEqual(col.rejected.flatMap((r) => r.diagnostics.map((d) => d.message)), []);
  return col;
}

function pipeline(yaml: string): ProcessingPipeline {
  const r = parsePipelineYaml(yaml, 'p.yml');
  assert.ok(r.pipeline, JSON.stringify(r.diagnostics));
  return r.pipeline;
}

const MAP = pipeline(`name: names\npriority: 10\ntransformations:\n  - type: field_name_mapping\n    mapping:\n      User: user_name\n      Bytes: bytes_out\n    rule_conditions:\n      - type: logsource\n        category: process_creation\n`);

test('a field is named through the pipelines as the base rule sees it: mapped, alternatives, or as written', () => {
  const col = collection('type: event_count\nrules: [a]\ngroup-by: [User]\ntimespan: 1m\ncondition:\n    gte: 2');
  const a = col.rules[0]!;
  assert.deepEqual([...fieldNamesThrough(a, ['User', 'Host'], [MAP]).names], [['User', ['user_name']], ['Host', ['Host']]]);
  // The built-in Windows pipeline gives process_creation's Image both Sysmon's and Security's names.
  assert.deepEqual(fieldNamesThrough(a, ['Image'], [builtinPipeline('windows')!]).names.get('Image'), ['Image', 'NewProcessName']);
  // The rule condition of the mapping (log source) is the base rule's.
  const other = collection('type: event_count\nrules: [a]\ngroup-by: [User]\ntimespan: 1m\ncondition:\n    gte: 2', ['file_event', 'file_event']).rules[0]!;
  assert.deepEqual(fieldNamesThrough(other, ['User'], [MAP]).names.get('User'), ['User']);
});

test('conversion reads the mapped group-by and value columns', () => {
  const col = collection('type: value_sum\nrules: [a]\ngroup-by: [User]\ntimespan: 1m\ncondition:\n    field: Bytes\n    gt: 100');
  const r = convertCorrelation(col.correlations[0]!, col, sqlBackend, [MAP]);
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.match(r.query, /"user_name" AS "_g0"/);
  assert.match(r.query, /"bytes_out"/);
  assert.doesNotMatch(r.query, /"User" AS "_g0"|"Bytes"/);
  // The output still names the group as the correlation writes it.
  assert.match(r.query, /"_g0" AS "User"/);
});

test('aliases are named through each base rule on its own', () => {
  const col = collection('type: temporal\nrules: [a, b]\ngroup-by: [who]\ntimespan: 1m\naliases:\n    who:\n        a: User\n        b: User', ['process_creation', 'file_event']);
  const r = convertCorrelation(col.correlations[0]!, col, sqlBackend, [MAP]);
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.match(r.query, /CASE WHEN "_r0" THEN "user_name" WHEN "_r1" THEN "User" END AS "_g0"/);
});

test('conversion refuses a field with several names, and a value field the base rules name differently', () => {
  const several = collection('type: event_count\nrules: [a]\ngroup-by: [Image]\ntimespan: 1m\ncondition:\n    gte: 2');
  const r1 = convertCorrelation(several.correlations[0]!, several, sqlBackend, [builtinPipeline('windows')!]);
  assert.equal(r1.ok, false);
  assert.equal(!r1.ok && r1.code, 'correlation-field');
  assert.match(!r1.ok ? r1.error : '', /'Image' has several names .*\(Image, NewProcessName\)/);
  const differ = collection('type: value_sum\nrules: [a, b]\ngroup-by: [Host]\ntimespan: 1m\ncondition:\n    field: Bytes\n    gt: 100', ['process_creation', 'file_event']);
  const r2 = convertCorrelation(differ.correlations[0]!, differ, sqlBackend, [MAP]);
  assert.equal(!r2.ok && r2.code, 'correlation-field');
  assert.match(!r2.ok ? r2.error : '', /named differently .*\(bytes_out and Bytes\)/);
});
