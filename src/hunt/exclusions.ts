// Whether an exclusion (a Sigma filter in force on a rule) removes a stored detection: the filter's
// selections and condition, taken down the one path as a rule of their own (no pipelines: stored
// events carry the field names the rule was hunted with after mapping, and filters name fields as
// rules do) and matched by the detector on the detection's event.
import type { SigmaFilter, SigmaRule } from '../sigma/model.js';
import { emptyCollection } from '../sigma/collection.js';
import { prepareRules, type SkippedRule } from '../engine/rulebook.js';
import { Detector } from '../engine/detector.js';
import type { RegexFactory } from '../engine/regex.js';
import type { EventObject } from '../engine/event-access.js';

export type Exclusion = (event: EventObject) => boolean;

const compiled = new WeakMap<SigmaFilter, WeakMap<SigmaRule, Exclusion | null>>();

/**
 * Why a hunt could not run `rule` once `filter` applies, when it can run without it (a regex the
 * engine refuses, say), or null. The explorer asks before it saves an exclusion: a filter the
 * engine cannot run would take its rule out of every later hunt.
 */
export function filterProblem(rule: SigmaRule, filter: SigmaFilter, regex: RegexFactory): SkippedRule | null {
  const opts = { pipelines: [], regex };
  if (!prepareRules({ ...emptyCollection(), rules: [rule] }, opts).set.rules.length) return null;
  return prepareRules({ ...emptyCollection(), rules: [rule], filters: [filter] }, opts).skipped[0] ?? null;
}

/** The filter's exclusion for the rule, or null when the engine cannot run it (the rule page shows why). */
export function exclusionOf(rule: SigmaRule, filter: SigmaFilter, regex: RegexFactory): Exclusion | null {
  let byRule = compiled.get(filter);
  if (!byRule) compiled.set(filter, (byRule = new WeakMap()));
  if (byRule.has(rule)) return byRule.get(rule)!;
  const asRule: SigmaRule = { ...rule, detections: filter.detections, conditions: filter.conditions, conditionText: filter.conditionText };
  const prepared = prepareRules({ ...emptyCollection(), rules: [asRule] }, { pipelines: [], regex });
  let out: Exclusion | null = null;
  if (prepared.set.rules.length) {
    // Declared as the rule's own log source: the filter's condition alone decides.
    const detector = new Detector(prepared.set, { regex, logsource: rule.logsource, explain: false });
    out = (event) => detector.next({ ...event }).matches.length > 0;
  }
  byRule.set(rule, out);
  return out;
}
