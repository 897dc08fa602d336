// `quarry test` over SigmaHQ's whole rule tree (every rule* folder, 3,780 files) with the
// regression data of the shared data laid out beside it. The shared data holds 140 of SigmaHQ's
// 202 regression cases (the other 62 are kept aside for independent checks): those 140 must pass,
// and each of the 62 must fail for the one reason that its info.yml is not there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { runRuleTests } from '../../src/hunt/rule-tests/run.js';
import { summaryLine } from '../../src/hunt/rule-tests/types.js';
import { regressionCases, sigmahqLayout } from './sigmahq-layout.js';

test("quarry test over SigmaHQ's rule tree: the 140 cases with data pass, the 62 without fail as missing data", async () => {
  const cases = regressionCases();
  const root = sigmahqLayout(cases, 'all');
  const run = await runRuleTests([root], { pipelines: [builtinPipeline('windows')!], regex: re2Regex });
  assert.equal(summaryLine(run), '140 passed, 62 failed, 0 skipped');
  const failed = run.cases.filter((c) => c.status === 'failed');
  const notMissing = failed.filter((c) => !/^regression_tests_path: .*\/info\.yml: no such file$/.test(c.reason ?? ''));
  assert.deepEqual(notMissing.map((c) => `${c.rule.file}: ${c.reason}`), []);
  // No rule of the tree is rejected: a rejected rule would be a failure of its own.
  assert.equal(run.cases.filter((c) => c.name === 'rule loads').length, 0);
  assert.ok(run.ruleFiles > 3000);
});
