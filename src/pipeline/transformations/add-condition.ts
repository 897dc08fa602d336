// add_condition: a detection (same value syntax as a rule's, `field|modifier` keys included) ANDed
// with the rule. Conditions chosen by the rule's log source identify that log source: they become
// guards, which a hunt can skip for events whose log source it cannot tell.
import type { DetectionGroup, DetectionItem } from '../../sigma/model.js';
import type { Position } from '../../sigma/diagnostics.js';
import { buildItem, ModifierError } from '../../sigma/modifiers.js';
import type { ScalarValue } from '../../sigma/yaml-tree.js';
import type { ParamProblem } from '../params.js';
import type { ProcessingItem } from '../types.js';
import { markApplied, type Step } from '../run.js';
import type { Params, TransformationSpec } from './spec.js';

type Conditions = Record<string, ScalarValue | ScalarValue[]>;

function buildItems(conditions: Conditions, pos: Position): DetectionItem[] {
  return Object.entries(conditions).map(([key, value]) => {
    const [field, ...modifiers] = key.split('|');
    const raw = Array.isArray(value) ? value : [value];
    return buildItem(field === '' ? null : field!, modifiers, raw, { pos, origin: 'pipeline' });
  });
}

/** `template: true`: `$category`, `$product` and `$service` stand for the rule's log source. */
function fillTemplate(conditions: Conditions, step: Step): Conditions {
  const ls = step.run.rule.logsource;
  const sub = (v: ScalarValue): ScalarValue =>
    typeof v === 'string'
      ? v.replace(/\$(?:\{(category|product|service)\}|(category|product|service)\b)/g, (m, a?: string, b?: string) => ls[(a ?? b) as 'category'] ?? m)
      : v;
  return Object.fromEntries(Object.entries(conditions).map(([k, v]) => [k, Array.isArray(v) ? v.map(sub) : sub(v)]));
}

/**
 * A condition without a template is the same for every rule it applies to (the built-in Windows
 * pipeline adds one to each of thousands of rules): its items are built once per processing item
 * and shared, as pipelines share a rule's own items (they replace items, never change them).
 */
const builtFor = new WeakMap<ProcessingItem, DetectionItem[] | ModifierError>();

export const addCondition: TransformationSpec = {
  keepsRule: true,
  params: {
    conditions: { shape: 'value-map', required: true },
    name: { shape: 'string' },
    template: { shape: 'bool' },
    negated: { shape: 'bool' },
    /** Quarry's: force (true) or forbid (false) treating the condition as a log source guard. */
    guard: { shape: 'bool' },
  },
  check(p: Params): ParamProblem[] {
    if (typeof p.conditions !== 'object' || p.conditions === null) return [];
    try {
      buildItems(p.conditions as Conditions, { line: 1, col: 1 });
      return [];
    } catch (e) {
      if (!(e instanceof ModifierError)) throw e;
      return [{ param: 'conditions', code: 'invalid-parameter', message: `add_condition: ${e.message}` }];
    }
  },
  apply(step, p: Params) {
    const pos = step.item.pos ?? { line: 1, col: 1 };
    let built = p.template === true ? undefined : builtFor.get(step.item);
    if (!built) {
      try {
        built = buildItems(p.template === true ? fillTemplate(p.conditions as Conditions, step) : (p.conditions as Conditions), pos);
      } catch (e) {
        if (!(e instanceof ModifierError)) throw e;
        built = e;
      }
      if (p.template !== true) builtFor.set(step.item, built);
    }
    if (built instanceof ModifierError) {
      step.fail(`add_condition: ${built.message}`);
      return;
    }
    // Later items rewrite a rule's groups in place: each rule gets a group of its own.
    const group: DetectionGroup = { link: 'and', children: [...built], pos };
    for (const c of group.children) markApplied(step.run, c as DetectionItem, step.id);
    if (p.negated === true) step.run.exclusions.push(group);
    else if (isGuard(step, p)) step.run.guards.push(group);
    else step.run.conditions.push(group);
  },
};

function isGuard(step: Step, p: Params): boolean {
  if (typeof p.guard === 'boolean') return p.guard;
  return step.item.ruleConditions.some((c) => c.type === 'logsource');
}
