// Applies pipelines to one rule: sorted by priority (stable), items in order, on a copy made when an
// item may change the rule.
import { LOGSOURCE_KEYS } from '../sigma/logsource.js';
import type { Detection, DetectionGroup, DetectionItem, LogSource, SigmaRule } from '../sigma/model.js';
import { isPlaceholder } from '../sigma/values.js';
import { evalConditions, fieldsOfItem } from './conditions.js';
import { allGroups, newRun, type RunState, type Step } from './run.js';
import { TRANSFORMATIONS } from './transformations/index.js';
import type { ProcessedRule, ProcessingItem, ProcessingPipeline } from './types.js';

/** Pipelines in the order they apply: by priority, ties in the order given. */
export function sortPipelines(pipelines: readonly ProcessingPipeline[]): ProcessingPipeline[] {
  return pipelines.map((p, i) => ({ p, i })).sort((a, b) => a.p.priority - b.p.priority || a.i - b.i).map((x) => x.p);
}

export function applyPipelines(rule: SigmaRule, pipelines: readonly ProcessingPipeline[]): ProcessedRule {
  let tracksItems = false;
  for (let i = 0; i < pipelines.length && !tracksItems; i++) tracksItems = itemPlan(pipelines[i]!).readsItemsApplied;
  const run = newRun(rule, tracksItems);
  // One pipeline (the common case) needs no sorting: no arrays per rule.
  for (const pipeline of pipelines.length < 2 ? pipelines : sortPipelines(pipelines)) {
    const items = pipeline.items;
    const plan = itemPlan(pipeline);
    if (plan.fixedLogsource) {
      // No item of this pipeline changes the log source, so the items that can apply are known
      // from the log source the rule has now: one lookup instead of a comparison per item.
      const chosen = plan.itemsFor(run.rule.logsource);
      for (let k = 0; k < chosen.length; k++) {
        const i = chosen[k]!;
        applyItem(run, pipeline, items[i]!, plan.required[i] !== null);
      }
      continue;
    }
    const required = plan.required;
    for (let i = 0; i < items.length; i++) {
      // Most items of a log-source pipeline (the built-in windows one has dozens) apply to one log
      // source: a plain comparison skips the others before the general condition machinery runs.
      // It reads the rule as it is now, so an earlier change_logsource item is seen.
      const req = required[i]!;
      if (req && !fits(req, run.rule.logsource)) continue;
      applyItem(run, pipeline, items[i]!, req !== null);
    }
  }
  reportPlaceholders(run);
  const out: ProcessedRule = { rule: run.rule, guards: run.guards, conditions: run.conditions, exclusions: run.exclusions, failures: run.failures, applied: run.applied, state: run.state };
  reported.add(out);
  return out;
}

/**
 * What applyPipelines knows of a pipeline before any rule: each item's required log source (see
 * requiredLogsources) and, when no item changes the log source, the items to visit per log source
 * (those whose required log source it fits, and those with other conditions), in pipeline order.
 */
interface ItemPlan {
  required: Array<RequiredLogsources | null>;
  fixedLogsource: boolean;
  /** Some item has the detection item condition `processing_item_applied` (see RunState.tracksItems). */
  readsItemsApplied: boolean;
  itemsFor(ls: LogSource): readonly number[];
}

const planCache = new WeakMap<ProcessingPipeline, ItemPlan>();

function itemPlan(pipeline: ProcessingPipeline): ItemPlan {
  let plan = planCache.get(pipeline);
  if (plan) return plan;
  const required = requiredLogsources(pipeline);
  // By category, then product, then service (undefined a key like any other): a corpus has a few
  // hundred distinct log sources, found again without making a key.
  const byLogsource = new Map<string | undefined, Map<string | undefined, Map<string | undefined, number[]>>>();
  let known = 0;
  plan = {
    required,
    fixedLogsource: !pipeline.items.some((item) => item.type === 'change_logsource'),
    readsItemsApplied: pipeline.items.some((item) => item.detectionItemConditions.some((c) => c.type === 'processing_item_applied')),
    itemsFor(ls) {
      let byProduct = byLogsource.get(ls.category);
      let byService = byProduct?.get(ls.product);
      let chosen = byService?.get(ls.service);
      if (chosen) return chosen;
      if (known >= 4096) {
        byLogsource.clear(); // a long-lived explorer meets ever new rules
        known = 0;
        byProduct = byService = undefined;
      }
      if (!byProduct) byLogsource.set(ls.category, (byProduct = new Map()));
      if (!byService) byProduct.set(ls.product, (byService = new Map()));
      chosen = [];
      for (let i = 0; i < required.length; i++) if (required[i] === null || fits(required[i]!, ls)) chosen.push(i);
      byService.set(ls.service, chosen);
      known++;
      return chosen;
    },
  };
  planCache.set(pipeline, plan);
  return plan;
}

function fits(req: RequiredLogsources, ls: LogSource): boolean {
  for (let i = 0; i < req.length; i++) {
    const r = req[i]!;
    if ((r.category === undefined || ls.category === r.category) && (r.product === undefined || ls.product === r.product) && (r.service === undefined || ls.service === r.service)) return true;
  }
  return false;
}

/**
 * The log-source values an item requires, per key (undefined: any), when its rule conditions are
 * plain `logsource` conditions: then these comparisons are the whole of its conditions.
 */
interface RequiredLogsource {
  category: string | undefined;
  product: string | undefined;
  service: string | undefined;
}
/** Log sources of which a rule must fit one (several: `logsource` conditions linked by `or`). */
type RequiredLogsources = readonly RequiredLogsource[];

const requiredCache = new WeakMap<ProcessingPipeline, Array<RequiredLogsources | null>>();

/**
 * Per item, the log sources its rule conditions require when those conditions are one plain
 * `logsource` condition, or several linked by `or` (a table chosen for several categories, as the
 * ASIM pipeline does), with no expression and not negated; null when they are anything else.
 */
function requiredLogsources(pipeline: ProcessingPipeline): Array<RequiredLogsources | null> {
  let out = requiredCache.get(pipeline);
  if (out) return out;
  out = pipeline.items.map((item) => {
    const conds = item.ruleConditions;
    if (conds.length === 0 || (conds.length > 1 && item.ruleCondLinking !== 'or') || item.ruleCondExpression !== undefined || item.ruleCondNot) return null;
    const alternatives: RequiredLogsource[] = [];
    for (const c of conds) {
      if (c.type !== 'logsource') return null;
      const req: RequiredLogsource = { category: undefined, product: undefined, service: undefined };
      for (const k of LOGSOURCE_KEYS) {
        const v = c.params[k];
        if (typeof v === 'string') req[k] = v;
        else if (v !== undefined && v !== null) return null;
      }
      alternatives.push(req);
    }
    return alternatives;
  });
  requiredCache.set(pipeline, out);
  return out;
}

/** The processed rules applyPipelines returned: their unresolved placeholders are among their failures. */
const reported = new WeakSet<ProcessedRule>();

/**
 * Whether every placeholder left in the rule is reported in its failures already, with the message
 * lowering would add (ir/lower.ts loweringFailures): true of what applyPipelines returns, so that
 * lowering need not walk every value of the rule a second time.
 */
export function placeholdersReported(p: ProcessedRule): boolean {
  return reported.has(p);
}

/**
 * The rule as transformations may change it, made before the first item that may change it: most
 * rules meet only items that add conditions (the built-in windows pipeline's guards), which keep
 * the rule as it is, and are not copied at all. Transformations replace detection items (copyItem)
 * and rewrite the groups that hold them in place, set the log source, fields and custom attributes:
 * those containers are copied, while items, values, the raw document and the YAML text are shared.
 * (A deep copy of everything was most of the time of converting the corpus to every target.)
 */
function copyForPipelines(rule: SigmaRule): SigmaRule {
  const detections = new Map<string, Detection>();
  for (const [name, d] of rule.detections) {
    const copy = { ...d };
    copy.body = copyGroup(d.body);
    detections.set(name, copy);
  }
  // A plain spread, then its properties replaced: a spread followed by properties in one literal
  // takes V8's slow path (ir/rule-path.ts says the same), and every rule of a corpus is copied here.
  const copy = { ...rule };
  copy.logsource = { ...rule.logsource };
  copy.custom = { ...rule.custom };
  copy.fields = rule.fields.slice();
  copy.detections = detections;
  return copy;
}

function copyGroup(g: DetectionGroup): DetectionGroup {
  const copy = { ...g };
  copy.children = g.children.map((c) => ('children' in c ? copyGroup(c) : c));
  return copy;
}

export function itemId(item: ProcessingItem): string {
  return item.id ?? item.type;
}

/** `logsourceHolds`: the item's rule conditions are its required log source, which the rule has (see requiredLogsources). */
function applyItem(run: RunState, pipeline: ProcessingPipeline, item: ProcessingItem, logsourceHolds: boolean): void {
  const id = itemId(item);
  const where = `pipeline '${pipeline.name}', item ${id}`;
  const spec = TRANSFORMATIONS[item.type];
  if (!spec) {
    // Pipelines from files are checked when loaded; one built in code may still name anything.
    run.failures.push(`${where}: unknown transformation type '${item.type}'`);
    return;
  }
  if (!logsourceHolds && !evalConditions('rule', item.ruleConditions, item.ruleCondExpression, item.ruleCondLinking, item.ruleCondNot, run.rule, run)) return;
  if (!spec.keepsRule && !run.ruleCopied) {
    run.rule = copyForPipelines(run.rule);
    run.ruleCopied = true;
  }
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
  // Indexed loops and no closures: this visits every value of every rule of a corpus, mostly in
  // code not yet optimised, where iterators and callbacks cost more than the visit.
  const groups = allGroups(run);
  for (let i = 0; i < groups.length; i++) placeholdersIn(groups[i]!, names);
  for (const n of names) run.failures.push(`placeholder %${n}% has no values (give them with a pipeline's vars)`);
}

function placeholdersIn(g: DetectionGroup, names: Set<string>): void {
  const children = g.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if ('children' in c) placeholdersIn(c, names);
    else placeholdersOfItem(c, names);
  }
}

function placeholdersOfItem(d: DetectionItem, names: Set<string>): void {
  // Placeholders are made only by the `expand` modifier (sigma/modifiers.ts buildItem), and no
  // transformation changes an item's modifiers: an item without it need not have its values read.
  if (!d.modifiers.includes('expand')) return;
  const values = d.values;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v.type !== 'string') continue;
    const parts = v.parts;
    for (let j = 0; j < parts.length; j++) {
      const p = parts[j]!;
      if (isPlaceholder(p)) names.add(p.placeholder);
    }
  }
}
