// The whole SigmaHQ corpus (rules*/) to Lucene, ES|QL and EQL with every ECS pipeline: every query
// produced passes its validator (Lucene: the `lucene` package's parser), no condition of a rule is
// missing from its query, and every rule not converted has a reason. Prints the accounting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { fieldTests } from '../../src/ir/lower.js';
import { ruleToIR } from '../../src/ir/rule-path.js';
import { failureSummary, convertRule } from '../../src/backends/common/convert.js';
import { TARGETS } from '../../src/backends/targets.js';
import { VALIDATORS } from '../../src/backends/validators.js';
import { resolveConvertPipelines } from '../../src/backends/resolve-pipelines.js';
import { DATA } from '../helpers.js';
import { missingElasticConditions } from './elastic-conditions.js';

const base = join(DATA, 'sigmahq');
const col = loadSigmaPaths(readdirSync(base).filter((f) => f.startsWith('rules')).map((f) => join(base, f)));

for (const target of ['lucene', 'esql', 'eql']) {
  for (const name of TARGETS[target]!.listPipelines()) {
    test(`SigmaHQ corpus to ${target} with ${name}: valid queries, no condition lost, every failure explained`, () => {
      const pipelines = resolveConvertPipelines(target, [name]);
      const validate = VALIDATORS[target]!;
      let converted = 0;
      const invalid: string[] = [];
      const incomplete: string[] = [];
      const results = [];
      for (const r of col.rules) {
        const result = convertRule(r, TARGETS[target]!.backend, pipelines, col.filters);
        results.push(result);
        if (!result.ok) {
          assert.ok(result.code && result.error, `${r.file}: a failure without a reason`);
          continue;
        }
        converted++;
        const check = validate(result.query);
        if (!check.ok) invalid.push(`${r.file}: ${check.problems.join('; ')}\n${result.query.slice(0, 2000)}`);
        const ir = ruleToIR(r, { filters: col.filters, pipelines }).ir;
        const tests = [...(ir.guard ? fieldTests(ir.guard) : []), ...fieldTests(ir.detection)];
        const missing = missingElasticConditions(tests, result.query);
        if (missing.length) incomplete.push(`${r.file}: ${missing.join(', ')}`);
      }
      console.log(`\n[${target} ${name}] ${col.rules.length} rules: ${converted} converted, ${col.rules.length - converted} not; validator problems: ${invalid.length}`);
      for (const g of failureSummary(results)) console.log(`  ${String(g.count).padStart(5)}  ${g.code.padEnd(20)} e.g. ${g.example.slice(0, 140)}`);
      assert.deepEqual(invalid.slice(0, 3), [], `${invalid.length} queries fail the ${target} validator`);
      assert.deepEqual(incomplete.slice(0, 5), [], `${incomplete.length} queries miss a condition`);
      assert.ok(converted > 0);
    });
  }
}
