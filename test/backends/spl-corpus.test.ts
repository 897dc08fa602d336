// The whole SigmaHQ corpus (rules*/) to SPL with every pipeline: every query produced passes
// Quarry's structural SPL validator, no condition of a rule is missing from its query, and every
// rule not converted has a reason. Prints the accounting per pipeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { fieldTests } from '../../src/ir/lower.js';
import { ruleToIR } from '../../src/ir/rule-path.js';
import { failureSummary, convertRule } from '../../src/backends/common/convert.js';
import { splBackend, listSplPipelines } from '../../src/backends/spl/index.js';
import { validateSpl } from '../../src/backends/spl/validate.js';
import { resolveConvertPipelines } from '../../src/backends/resolve-pipelines.js';
import { DATA } from '../helpers.js';
import { missingSplConditions } from './spl-conditions.js';

const base = join(DATA, 'sigmahq');
const col = loadSigmaPaths(readdirSync(base).filter((f) => f.startsWith('rules')).map((f) => join(base, f)));

for (const name of listSplPipelines()) {
  test(`SigmaHQ corpus to SPL with ${name}: valid queries, no condition lost, every failure explained`, () => {
    const pipelines = resolveConvertPipelines('spl', [name]);
    let converted = 0;
    let withWhere = 0;
    const invalid: string[] = [];
    const incomplete: string[] = [];
    const results = [];
    for (const r of col.rules) {
      const result = convertRule(r, splBackend, pipelines, col.filters);
      results.push(result);
      if (!result.ok) {
        assert.ok(result.code && result.error, `${r.file}: a failure without a reason`);
        continue;
      }
      converted++;
      if (result.query.includes('\n| where ')) withWhere++;
      const check = validateSpl(result.query);
      if (!check.ok) invalid.push(`${r.file}: ${check.problems.join('; ')}\n${result.query}`);
      const ir = ruleToIR(r, { filters: col.filters, pipelines }).ir;
      const tests = [...(ir.guard ? fieldTests(ir.guard) : []), ...fieldTests(ir.detection)];
      const missing = missingSplConditions(tests, result.query);
      if (missing.length) incomplete.push(`${r.file}: ${missing.join(', ')}`);
    }
    const summary = failureSummary(results);
    console.log(`\n[${name}] ${col.rules.length} rules: ${converted} converted (${withWhere} with a | where part), ${col.rules.length - converted} not; validator problems in ${invalid.length} queries`);
    for (const g of summary) console.log(`  ${String(g.count).padStart(5)}  ${g.code.padEnd(20)} e.g. ${g.example.slice(0, 140)}`);
    assert.deepEqual(invalid.slice(0, 5), [], `${invalid.length} queries fail the SPL validator`);
    assert.deepEqual(incomplete.slice(0, 5), [], `${incomplete.length} queries miss a condition`);
    assert.ok(converted > 0);
  });
}
