// The whole SigmaHQ corpus (rules*/) to KQL with every pipeline: every query produced parses and
// type-checks with Microsoft's Kusto analyzer against the table schemas, no condition of a rule is
// missing from its query, and every rule not converted has a reason. Prints the accounting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { fieldTests } from '../../src/ir/lower.js';
import { ruleToIR } from '../../src/ir/rule-path.js';
import { failureSummary, convertRule } from '../../src/backends/common/convert.js';
import { kqlBackend, listKqlPipelines } from '../../src/backends/kql/index.js';
import { resolveConvertPipelines } from '../../src/backends/resolve-pipelines.js';
import { DATA } from '../helpers.js';
import { kustoErrorsOfMany, type KustoDiagnostic } from '../../src/backends/kql/validate.js';
import { missingConditions } from './kql-conditions.js';

const base = join(DATA, 'sigmahq');
const col = loadSigmaPaths(readdirSync(base).filter((f) => f.startsWith('rules')).map((f) => join(base, f)));

// One analyzer for the whole file, fed in batches (kustoErrorsOfMany); pipelines that render a rule
// the same way give the same text, and the same text has the same diagnostics, so each is checked once.
const checked = new Map<string, KustoDiagnostic[]>();
function kustoErrorsOfEach(queries: readonly string[]): KustoDiagnostic[][] {
  const fresh = [...new Set(queries.filter((q) => !checked.has(q)))];
  kustoErrorsOfMany(fresh).forEach((errors, i) => checked.set(fresh[i]!, errors));
  return queries.map((q) => checked.get(q)!);
}

for (const name of listKqlPipelines()) {
  test(`SigmaHQ corpus to KQL with ${name}: valid queries, no condition lost, every failure explained`, () => {
    const pipelines = resolveConvertPipelines('kql', [name]);
    let converted = 0;
    const invalid: string[] = [];
    const incomplete: string[] = [];
    const results = [];
    const queries: Array<{ file: string; query: string }> = [];
    for (const r of col.rules) {
      const result = convertRule(r, kqlBackend, pipelines, col.filters);
      results.push(result);
      if (!result.ok) {
        assert.ok(result.code && result.error, `${r.file}: a failure without a reason`);
        continue;
      }
      converted++;
      queries.push({ file: r.file, query: result.query });
      const ir = ruleToIR(r, { filters: col.filters, pipelines }).ir;
      const tests = [...(ir.guard ? fieldTests(ir.guard) : []), ...fieldTests(ir.detection)];
      const missing = missingConditions(tests, result.query);
      if (missing.length) incomplete.push(`${r.file}: ${missing.join(', ')}`);
    }
    kustoErrorsOfEach(queries.map((q) => q.query)).forEach((errors, i) => {
      const { file, query } = queries[i]!;
      if (errors.length) invalid.push(`${file}: ${errors.map((e) => `${e.code} ${e.message} at ${e.start}`).join('; ')}\n${query}`);
    });
    const summary = failureSummary(results);
    console.log(`\n[${name}] ${col.rules.length} rules: ${converted} converted, ${col.rules.length - converted} not; Kusto diagnostics: ${invalid.length} queries with errors`);
    for (const g of summary) console.log(`  ${String(g.count).padStart(5)}  ${g.code.padEnd(20)} e.g. ${g.example.slice(0, 140)}`);
    assert.deepEqual(invalid.slice(0, 5), [], `${invalid.length} queries have Kusto errors`);
    assert.deepEqual(incomplete.slice(0, 5), [], `${incomplete.length} queries miss a condition`);
    assert.ok(converted > 0);
  });
}
