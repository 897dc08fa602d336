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
import type { RuleIR } from '../ir/types.js';
import { compileRuleSet, type CompiledRuleSet } from './rule-set.js';
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
}

export function prepareRules(col: SigmaCollection, opts: Omit<RulebookOptions, 'formatPipeline'>): PreparedRules {
  const skipped: SkippedRule[] = [];
  const irs: RuleIR[] = [];
  // The loaded rule and the filters applied to it, by the IR's position in `irs`.
  const loaded: Array<{ rule: SigmaRule; filters: SigmaFilter[] }> = [];
  const filterNotes: string[] = [];
  let filtered = 0;
  const min = opts.minLevel ? levelRank(opts.minLevel) : -1;
  for (const rule of col.rules) {
    if (min >= 0 && levelRank(rule.level) < min && !opts.feedsCorrelation?.(rule)) {
      skipped.push({ rule, kind: 'level', reason: `level ${rule.level ?? 'unset'} is below --min-level ${opts.minLevel}` });
      continue;
    }
    const p = ruleToIR(rule, { filters: col.filters, pipelines: opts.pipelines });
    const fields = opts.correlationFields?.(rule) ?? [];
    if (fields.length) p.ir.correlationFields = fieldNamesThrough(rule, fields, opts.pipelines).names;
    if (p.filtersApplied.length) filtered++;
    for (const note of p.filterNotes) filterNotes.push(note);
    irs.push(p.ir);
    loaded.push({ rule, filters: p.filtersApplied });
  }
  const set = compileRuleSet(irs, { regex: opts.regex });
  for (const n of set.notRunnable) {
    const { rule, filters } = loaded[irs.indexOf(n.ir)]!; // few rules cannot run: a search each is cheap
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
