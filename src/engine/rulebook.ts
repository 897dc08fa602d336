// A loaded collection made runnable: every rule taken down the one path (filters, pipelines,
// lowering; ir/rule-path.ts) and compiled, once per set of pipelines. An input whose format has its
// own field mapping (w3c, squid, zeek-http) gets the rules compiled with that pipeline added.
// Every rule that does not make it is listed with its reason; correlation rules are counted.
import type { SigmaCollection } from '../sigma/collection.js';
import type { SigmaCorrelation, SigmaFilter, SigmaRule } from '../sigma/model.js';
import { levelRank } from '../sigma/model.js';
import type { ProcessingPipeline } from '../pipeline/types.js';
import { ruleToIR } from '../ir/rule-path.js';
import { fieldNamesThrough } from '../ir/field-names.js';
import { compileRules, type CompiledRuleSet, type RuleToCompile } from './rule-set.js';
import { factsOf, type KeptFacts } from './rule-facts.js';
import type { RegexFactory } from './regex.js';
import { firstUnusableRegex, type UnusableValue } from './unusable-values.js';

export interface SkippedRule {
  /** The rule as loaded (not the processed copy). */
  rule: SigmaRule;
  reason: string;
  /** `level`: left out as asked (--min-level); `cannot-run`: the rule could not be used, a problem to report. */
  kind: 'level' | 'cannot-run';
  /** The value at fault, when it can be located (in the rule or in a filter applied to it). */
  at?: UnusableValue;
}

export interface PreparedRules {
  set: CompiledRuleSet;
  /** Rules left out before compiling (level filter) or that cannot run (with the reason). */
  skipped: SkippedRule[];
  /** How many rules had Sigma filters applied. */
  filtered: number;
  filterNotes: string[];
  /** Correlation rules of the collection: loaded and validated, not evaluated by the detector. */
  correlations: SigmaCorrelation[];
}

export interface RulebookOptions {
  pipelines: readonly ProcessingPipeline[];
  regex: RegexFactory;
  /** Leave out rules below this level (but not those `feedsCorrelation` names: correlations need their matches). */
  minLevel?: string;
  feedsCorrelation?: (rule: SigmaRule) => boolean;
  /** The fields correlations read from a rule's events, named through the same pipelines for the correlator. */
  correlationFields?: (rule: SigmaRule) => readonly string[];
  /** The built-in pipeline of an input format by name, or null to apply none. */
  formatPipeline?: (name: string) => ProcessingPipeline | null;
  /** The facts kept from earlier runs for these pipelines (facts-store.ts), or null for none. */
  facts?: (pipelines: readonly ProcessingPipeline[]) => KeptFacts | null;
}

export function prepareRules(col: SigmaCollection, opts: Omit<RulebookOptions, 'formatPipeline'>): PreparedRules {
  const skipped: SkippedRule[] = [];
  const list: RuleToCompile[] = [];
  // The loaded rule and the filters applied to it, by the rule's position in `list`.
  const loaded: Array<{ rule: SigmaRule; filters: SigmaFilter[] }> = [];
  const filterNotes: string[] = [];
  let filtered = 0;
  const min = opts.minLevel ? levelRank(opts.minLevel) : -1;
  const path = { filters: col.filters, pipelines: opts.pipelines };
  // Facts kept from an earlier run stand for a rule taken down the pipelines alone: not when Sigma
  // filters may change it on the way (a collection with filters is prepared in full).
  const store = col.filters.length === 0 ? (opts.facts?.(opts.pipelines) ?? null) : null;
  for (const rule of col.rules) {
    if (min >= 0 && levelRank(rule.level) < min && !opts.feedsCorrelation?.(rule)) {
      skipped.push({ rule, kind: 'level', reason: `level ${rule.level ?? 'unset'} is below --min-level ${opts.minLevel}` });
      continue;
    }
    const fields = opts.correlationFields?.(rule) ?? [];
    // A rule that correlations read gets their fields' names in its IR: prepared in full, not kept.
    const known = fields.length ? undefined : store?.get(rule);
    if (known) {
      list.push({ facts: known, ir: () => ruleToIR(rule, path).ir });
      loaded.push({ rule, filters: [] });
      continue;
    }
    const p = ruleToIR(rule, path);
    if (fields.length) p.ir.correlationFields = fieldNamesThrough(rule, fields, opts.pipelines).names;
    if (p.filtersApplied.length) filtered++;
    for (const note of p.filterNotes) filterNotes.push(note);
    if (store && !fields.length) {
      const facts = factsOf(p.ir);
      store.put(rule, facts);
      list.push({ facts, ir: () => p.ir });
    } else list.push({ ir: p.ir });
    loaded.push({ rule, filters: p.filtersApplied });
  }
  const set = compileRules(list, { regex: opts.regex });
  store?.save();
  for (const n of set.notRunnable) {
    const { rule, filters } = loaded[n.at]!;
    const at = firstUnusableRegex([rule, ...filters], opts.regex);
    skipped.push({ rule, kind: 'cannot-run', reason: n.reason, ...(at ? { at } : {}) });
  }
  return { set, skipped, filtered, filterNotes, correlations: col.correlations };
}

export interface Rulebook {
  /** The rules compiled with the given pipelines only. */
  readonly base: PreparedRules;
  /** The rules for an input of a format with its own pipeline (the base rules when it has none). */
  forFormat(formatPipeline: string | undefined): PreparedRules;
}

export function createRulebook(col: SigmaCollection, opts: RulebookOptions): Rulebook {
  const cache = new Map<string, PreparedRules>();
  const forFormat = (name: string | undefined): PreparedRules => {
    const extra = name && opts.formatPipeline ? opts.formatPipeline(name) : null;
    const key = extra ? name! : '';
    let p = cache.get(key);
    if (!p) {
      p = prepareRules(col, { ...opts, pipelines: extra ? [...opts.pipelines, extra] : opts.pipelines });
      cache.set(key, p);
    }
    return p;
  };
  return { base: forFormat(undefined), forFormat };
}
