// Sigma filters (meta-filters): a filter's condition, negated, is ANDed with the condition of every
// rule it names whose log source it fits. Its search identifiers join the rule under names that
// start with `_`, so that a rule's own `1 of them` or `1 of filter*` never picks them up.
import type { ConditionNode, SigmaFilter, SigmaRule } from './model.js';
import { logsourceFits } from './logsource.js';

export interface FilterApplication {
  rule: SigmaRule;
  applied: SigmaFilter[];
  /** Filters that name the rule but whose log source does not fit it. */
  skipped: Array<{ filter: SigmaFilter; reason: string }>;
}

/** Whether the filter names the rule (`rules: any` names every rule; its log source still decides). */
export function filterTargets(filter: SigmaFilter, rule: SigmaRule): boolean {
  if (filter.anyRule) return true;
  return filter.rules.some((r) => r === rule.id || (rule.name !== undefined && r === rule.name));
}

const CONDITION_WORDS = new Set(['and', 'or', 'not', 'of', 'all', '1']);

/**
 * A filter's condition text with its identifiers renamed as its condition tree is (`them` → `prefix*`),
 * so the tuned rule's condition reads `selection and not (_filter0_selection)` rather than naming
 * the rule's own `selection` twice.
 */
export function renameConditionText(text: string, prefix: string): string {
  return text.replace(/[A-Za-z0-9_*.-]+/g, (word, at: number) => {
    if (CONDITION_WORDS.has(word.toLowerCase())) return word;
    if (word.toLowerCase() === 'them') return /\bof\s*$/i.test(text.slice(0, at)) ? `${prefix}*` : prefix + word;
    return prefix + word;
  });
}

export function applyFilters(rule: SigmaRule, filters: readonly SigmaFilter[]): FilterApplication {
  const applied: SigmaFilter[] = [];
  const skipped: FilterApplication['skipped'] = [];
  let current = rule;
  filters.forEach((filter, n) => {
    if (!filterTargets(filter, rule)) return;
    if (!logsourceFits(filter.logsource, rule.logsource)) {
      // A filter for any rule is meant for the rules of its log source only: the others are not its targets.
      if (filter.anyRule) return;
      skipped.push({ filter, reason: `its log source ${JSON.stringify(filter.logsource)} does not fit the rule's ${JSON.stringify(rule.logsource)}` });
      return;
    }
    const prefix = `_filter${n}_`;
    const detections = new Map(current.detections);
    for (const [name, d] of filter.detections) {
      detections.set(prefix + name, { ...d, name: prefix + name });
    }
    const rename = (c: ConditionNode): ConditionNode => {
      switch (c.op) {
        case 'and':
        case 'or':
          return { ...c, args: c.args.map(rename) };
        case 'not':
          return { ...c, arg: rename(c.arg) };
        case 'id':
          return { ...c, name: prefix + c.name };
        case 'of':
          return { ...c, pattern: c.pattern === 'them' ? `${prefix}*` : prefix + c.pattern };
      }
    };
    const filterCondition: ConditionNode = filter.conditions.length === 1 ? rename(filter.conditions[0]!) : { op: 'or', args: filter.conditions.map(rename), pos: filter.pos };
    const ruleCondition: ConditionNode = current.conditions.length === 1 ? current.conditions[0]! : { op: 'or', args: current.conditions, pos: current.pos };
    current = {
      ...current,
      detections,
      conditions: [{ op: 'and', args: [ruleCondition, { op: 'not', arg: filterCondition, pos: filter.pos }], pos: current.pos }],
      conditionText: [`(${current.conditionText.join(') or (')}) and not (${filter.conditionText.map((t) => renameConditionText(t, prefix)).join(') or (')})`],
    };
    applied.push(filter);
  });
  return { rule: current, applied, skipped };
}
