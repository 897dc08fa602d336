// Applies pipelines to one rule: sorted by priority (stable), items in order, on a deep copy.
import type { SigmaRule } from '../sigma/model.js';
import { isPlaceholder } from '../sigma/values.js';
import { evalConditions, fieldsOfItem } from './conditions.js';
import { allGroups, forEachItem, newRun, type RunState, type Step } from './run.js';
import { TRANSFORMATIONS } from './transformations/index.js';
import type { ProcessedRule, ProcessingItem, ProcessingPipeline } from './types.js';

/** Pipelines in the order they apply: by priority, ties in the order given. */
export function sortPipelines(pipelines: readonly ProcessingPipeline[]): ProcessingPipeline[] {
  return pipelines.map((p, i) => ({ p, i })).sort((a, b) => a.p.priority - b.p.priority || a.i - b.i).map((x) => x.p);
}

export function applyPipelines(rule: SigmaRule, pipelines: readonly ProcessingPipeline[]): ProcessedRule {
  const run = newRun(structuredClone(rule));
  for (const pipeline of sortPipelines(pipelines)) {
    for (const item of pipeline.items) applyItem(run, pipeline, item);
  }
  reportPlaceholders(run);
  return { rule: run.rule, guards: run.guards, conditions: run.conditions, exclusions: run.exclusions, failures: run.failures, applied: run.applied, state: run.state };
}

export function itemId(item: ProcessingItem): string {
  return item.id ?? item.type;
}

function applyItem(run: RunState, pipeline: ProcessingPipeline, item: ProcessingItem): void {
  const id = itemId(item);
  const where = `pipeline '${pipeline.name}', item ${id}`;
  const spec = TRANSFORMATIONS[item.type];
  if (!spec) {
    // Pipelines from files are checked when loaded; one built in code may still name anything.
    run.failures.push(`${where}: unknown transformation type '${item.type}'`);
    return;
  }
  if (!evalConditions('rule', item.ruleConditions, item.ruleCondExpression, item.ruleCondLinking, item.ruleCondNot, run.rule, run)) return;
  const matchFieldName = (field: string | null) =>
    evalConditions('field name', item.fieldNameConditions, item.fieldNameCondExpression, item.fieldNameCondLinking, item.fieldNameCondNot, field, run);
  const step: Step = {
    run,
    item,
    pipeline,
    id,
    matchFieldName,
    matchDetectionItem: (d) =>
      evalConditions('detection item', item.detectionItemConditions, item.detectionItemCondExpression, item.detectionItemCondLinking, item.detectionItemCondNot, d, run) &&
      (item.fieldNameConditions.length === 0 || fieldsOfItem(d).some(matchFieldName)),
    fail: (message) => {
      if (!run.failures.includes(message)) run.failures.push(message);
    },
  };
  run.applied.push(id);
  spec.apply(step, item.params);
}

function reportPlaceholders(run: RunState): void {
  const names = new Set<string>();
  for (const g of allGroups(run)) {
    forEachItem(g, (d) => {
      for (const v of d.values) if (v.type === 'string') for (const p of v.parts) if (isPlaceholder(p)) names.add(p.placeholder);
    });
  }
  for (const n of names) run.failures.push(`placeholder %${n}% has no values (give them with a pipeline's vars)`);
}
