// applyPipelines decides most items by comparing the rule's log source with the values the item's
// `logsource` conditions require (one condition, or several linked by `or`), without the general
// condition machinery. Checked against that machinery over the whole SigmaHQ corpus and every
// built-in pipeline: each pipeline is also applied with every item's rule conditions restated as
// an equivalent `rule_cond_expr` (which the shortcut never takes); the processed rules must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { applyPipelines } from '../../src/pipeline/apply.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import type { ProcessingPipeline } from '../../src/pipeline/types.js';
import { KQL_PIPELINE_BASES, kqlPipeline, listKqlPipelines } from '../../src/backends/kql/pipelines.js';
import { SPL_PIPELINE_BASES, listSplPipelines, splPipeline } from '../../src/backends/spl/pipelines.js';
import { ELASTIC_PIPELINE_BASES, elasticPipeline, listElasticPipelines } from '../../src/backends/elastic/pipelines.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { DATA } from '../helpers.js';

/** The pipeline with each item's rule conditions as an expression over their ids: the same meaning, the general path. */
function generalPath(p: ProcessingPipeline): ProcessingPipeline {
  const items = p.items.map((item) => {
    if (item.ruleConditions.length === 0 || item.ruleCondExpression !== undefined) return item;
    const ruleConditions = item.ruleConditions.map((c, i) => ({ ...c, id: `c${i}` }));
    return { ...item, ruleConditions, ruleCondExpression: ruleConditions.map((c) => c.id).join(` ${item.ruleCondLinking} `) };
  });
  return { ...p, items };
}

const stacks: Array<[string, ProcessingPipeline[]]> = [['windows', [builtinPipeline('windows')!]]];
for (const [list, get, bases] of [
  [listKqlPipelines, kqlPipeline, KQL_PIPELINE_BASES],
  [listSplPipelines, splPipeline, SPL_PIPELINE_BASES],
  [listElasticPipelines, elasticPipeline, ELASTIC_PIPELINE_BASES],
] as const) {
  for (const name of list()) stacks.push([name, [...(bases[name] ?? []).map((b) => builtinPipeline(b)!), get(name)!]]);
}

test('the log-source shortcut decides every item as the general conditions do, over the corpus and every built-in pipeline', () => {
  const col = loadSigmaPaths([join(DATA, 'sigmahq', 'rules'), join(DATA, 'sigmahq', 'rules-emerging-threats')]);
  assert.ok(col.rules.length > 3000);
  let orLinked = 0;
  for (const [name, pipelines] of stacks) {
    orLinked += pipelines.flatMap((p) => p.items).filter((i) => i.ruleConditions.length > 1 && i.ruleCondLinking === 'or' && i.ruleConditions.every((c) => c.type === 'logsource')).length;
    const general = pipelines.map(generalPath);
    let applied = 0;
    for (const rule of col.rules) {
      const fast = applyPipelines(rule, pipelines);
      const slow = applyPipelines(rule, general);
      assert.deepEqual(fast.applied, slow.applied, `${name}: ${rule.file}`);
      assert.deepEqual(fast.state, slow.state, `${name}: ${rule.file}`);
      assert.deepEqual(fast.rule.logsource, slow.rule.logsource, `${name}: ${rule.file}`);
      assert.deepEqual(fast.failures, slow.failures, `${name}: ${rule.file}`);
      applied += fast.applied.length;
    }
    if (pipelines.some((p) => p.items.length > 0)) assert.ok(applied > 0, `${name}: items apply to the corpus`);
  }
  assert.ok(orLinked > 0, 'some built-in item has logsource conditions linked by or (the shortcut is exercised)');
});
