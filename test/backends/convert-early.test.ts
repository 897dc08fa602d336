// The early refusal of `quarry convert` (backends/common/convert.ts: a rule refused for its
// pipelines' failures or for the backend's `refusal`, such as no table for its log source, is not
// lowered and rendered) against the plain path that lowers and renders every rule: over the whole
// SigmaHQ corpus (rules*/, with its filters and correlations), every target with every pipeline gives
// the same results, in the same order, with the same codes, reasons, queries and notes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { convertCollection } from '../../src/backends/common/convert.js';
import { TARGETS } from '../../src/backends/targets.js';
import { resolveConvertPipelines } from '../../src/backends/resolve-pipelines.js';
import { DATA, REPO } from '../helpers.js';

const base = join(DATA, 'sigmahq');
// SigmaHQ has no correlation rules: the examples' correlation (with its base rules) is converted too.
const paths = [...readdirSync(base).filter((f) => f.startsWith('rules')).map((f) => join(base, f)), join(REPO, 'examples/rules'), join(REPO, 'examples/correlations')];
const col = loadSigmaPaths(paths);

test('the corpus is big enough to tell: thousands of rules and a correlation', () => {
  assert.ok(col.rules.length > 3000, `${col.rules.length} rules`);
  assert.ok(col.correlations.length > 0);
});

for (const [targetName, target] of Object.entries(TARGETS)) {
  test(`${targetName}: refusing early gives the plain path's results for every pipeline`, () => {
    const refusedEarly = new Map<string, number>();
    for (const name of target.listPipelines()) {
      const pipelines = resolveConvertPipelines(targetName, [name]);
      const fast = convertCollection(col, target.backend, pipelines);
      const plain = convertCollection(col, target.backend, pipelines, { early: false });
      assert.equal(fast.length, plain.length);
      fast.forEach((f, i) => {
        assert.equal(f.document, plain[i]!.document, `${name}: rule ${i} out of order`);
        assert.deepEqual(f.result, plain[i]!.result, `${name}: ${f.document.file} converts differently`);
      });
      // How many rules were turned away before lowering: for the pipelines' failures, or by the backend's own refusal (its codes).
      const early = fast.filter((f) => !f.result.ok && ['pipeline-failure', 'no-table', 'no-datamodel', 'no-logsource-guard'].includes(f.result.code)).length;
      refusedEarly.set(name, early);
    }
    console.log(`${targetName}: refused before lowering: ${[...refusedEarly].map(([p, n]) => `${p} ${n}`).join(', ')}`);
    // The targets with a refusal of their own do refuse rules of the corpus with it (the comparison is not idle).
    if (target.backend.refusal) assert.ok([...refusedEarly.values()].some((n) => n > 500), 'no rule was refused early');
  });
}
