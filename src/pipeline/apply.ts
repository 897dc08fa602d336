// Applies pipelines to one rule: sorted by priority (stable), items in order, on a deep copy.
import { LOGSOURCE_KEYS, type LogsourceKey } from '../sigma/logsource.js';
import type { Detection, DetectionGroup, SigmaRule } from '../sigma/model.js';
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
  const run = newRun(copyForPipelines(rule));
  for (const pipeline of sortPipelines(pipelines)) {
    const required = requiredLogsources(pipeline);
    pipeline.items.forEach((item, i) => {
      // Most items of a log-source pipeline (the built-in windows one has hundreds) apply to one log
      // source: a plain comparison skips the others before the general condition machinery runs.
      // It reads the rule as it is now, so an earlier change_logsource item is seen.
      const req = required[i];
      if (req && !req.every(([k, v]) => run.rule.logsource[k] === v)) return;
      applyItem(run, pipeline, item);
    });
  }
  reportPlaceholders(run);
  return { rule: run.rule, guards: run.guards, conditions: run.conditions, exclusions: run.exclusions, failures: run.failures, applied: run.applied, state: run.state };
}

const requiredCache = new WeakMap<ProcessingPipeline, Array<Array<[LogsourceKey, string]> | null>>();

/**
 * Per item, the log-source values its rule conditions require when those conditions are exactly one
 * plain `logsource` condition (no expression, not negated); null when they are anything else.
 */
function requiredLogsources(pipeline: ProcessingPipeline): Array<Array<[LogsourceKey, string]> | null> {
  let out = requiredCache.get(pipeline);
  if (out) return out;
  out = pipeline.items.map((item) => {
    const [c, ...more] = item.ruleConditions;
    if (!c || more.length || item.ruleCondExpression !== undefined || item.ruleCondNot || c.type !== 'logsource') return null;
    const req: Array<[LogsourceKey, string]> = [];
    for (const k of LOGSOURCE_KEYS) {
      const v = c.params[k];
      if (typeof v === 'string') req.push([k, v]);
      else if (v !== undefined && v !== null) return null;
    }
    return req;
  });
  requiredCache.set(pipeline, out);
  return out;
}

/**
 * The rule as transformations may change it. They replace detection items (copyItem) and rewrite
 * the groups that hold them in place, set the log source, fields and custom attributes: those
 * containers are copied, while items, values, the raw document and the YAML text are shared. (A deep
 * copy of everything was most of the time of converting the corpus to every target.)
 */
function copyForPipelines(rule: SigmaRule): SigmaRule {
  const detections = new Map<string, Detection>();
  for (const [name, d] of rule.detections) detections.set(name, { ...d, body: copyGroup(d.body) });
  return { ...rule, logsource: { ...rule.logsource }, custom: { ...rule.custom }, fields: [...rule.fields], detections };
}

function copyGroup(g: DetectionGroup): DetectionGroup {
  return { ...g, children: g.children.map((c) => ('children' in c ? copyGroup(c) : c)) };
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
