// The stages view of a rule: its condition and each search identifier with its items, marked as
// a selection (what the rule looks for) or a filter (what it excludes: identifiers used under
// `not`, named filter*, or brought in by Sigma filter files).
import type { ConditionNode, Detection, DetectionGroup, DetectionItem, SigmaRule } from '../sigma/model.js';
import { describeValue } from '../sigma/values.js';
import { expandPattern } from '../sigma/condition.js';

export interface StageItem {
  field: string | null;
  modifiers: string[];
  values: string[];
  origin: 'rule' | 'pipeline' | 'filter';
}

export interface StageSelection {
  name: string;
  role: 'selection' | 'filter';
  link: 'and' | 'or';
  items: StageItem[];
  /** Nested groups (a list of maps) are flattened into items; this says whether one was. */
  nested?: boolean;
}

export interface StageView {
  condition: string[];
  selections: StageSelection[];
}

/** Identifiers the conditions use under an odd number of `not`s. */
export function negatedIdentifiers(conditions: readonly ConditionNode[], names: readonly string[]): Set<string> {
  const out = new Set<string>();
  const walk = (c: ConditionNode, negated: boolean): void => {
    switch (c.op) {
      case 'and':
      case 'or':
        for (const a of c.args) walk(a, negated);
        return;
      case 'not':
        walk(c.arg, !negated);
        return;
      case 'id':
        if (negated) out.add(c.name);
        return;
      case 'of':
        if (negated) for (const n of expandPattern(c.pattern, names)) out.add(n);
    }
  };
  for (const c of conditions) walk(c, false);
  return out;
}

/** Items of a group, nested groups flattened in order. */
export function groupItems(g: DetectionGroup): DetectionItem[] {
  return g.children.flatMap((c) => ('children' in c ? groupItems(c) : [c]));
}

export function stageItem(item: DetectionItem): StageItem {
  return { field: item.field, modifiers: item.modifiers, values: item.values.map(describeValue), origin: item.origin };
}

/** `rule` is the rule after Sigma filters were applied (their identifiers start with `_filter`). */
export function stageView(rule: SigmaRule): StageView {
  const names = [...rule.detections.keys()];
  const negated = negatedIdentifiers(rule.conditions, names);
  const selections = [...rule.detections.values()].map((d: Detection): StageSelection => {
    const items = groupItems(d.body);
    const fromFilterFile = d.name.startsWith('_filter');
    const role = fromFilterFile || negated.has(d.name) || /^filter/i.test(d.name) ? 'filter' : 'selection';
    const nested = d.body.children.some((c) => 'children' in c);
    return { name: d.name, role, link: d.body.link, items: items.map(stageItem), ...(nested ? { nested } : {}) };
  });
  return { condition: rule.conditionText, selections };
}
