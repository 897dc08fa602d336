// The one path from a Sigma rule to the IR: the Sigma filters that name it, then the processing
// pipelines, then lowering. The hunt, stack, the playground, the explorer and every backend take
// this path, so a rule means the same thing wherever it is evaluated or translated.
import type { SigmaFilter, SigmaRule } from '../sigma/model.js';
import { applyFilters } from '../sigma/apply-filters.js';
import { applyPipelines } from '../pipeline/apply.js';
import type { ProcessedRule, ProcessingPipeline } from '../pipeline/types.js';
import { lowerProcessedRule, type LowerOptions } from './lower.js';
import type { RuleIR } from './types.js';

export interface RulePath {
  /** Sigma filters loaded with the rules; those that name a rule and fit its log source apply. */
  filters?: readonly SigmaFilter[];
  pipelines: readonly ProcessingPipeline[];
  /** What the target can tell apart (a backend's; the engine tells empty from missing). */
  lower?: LowerOptions;
}

export interface RuleOnPath {
  /** The rule as loaded. */
  rule: SigmaRule;
  /** The rule with its filters' conditions joined (the loaded rule when none applied). */
  filtered: SigmaRule;
  filtersApplied: SigmaFilter[];
  /** Filters that name the rule but could not apply, with the reason. */
  filterNotes: string[];
  processed: ProcessedRule;
  ir: RuleIR;
}

export function ruleToIR(rule: SigmaRule, path: RulePath): RuleOnPath {
  const before = ruleProcessed(rule, path);
  // Written out rather than `{ ...before, ir }`: a spread followed by a new property takes V8's
  // slow path, several microseconds a rule of a corpus.
  return {
    rule: before.rule,
    filtered: before.filtered,
    filtersApplied: before.filtersApplied,
    filterNotes: before.filterNotes,
    processed: before.processed,
    ir: lowerProcessedRule(before.processed, path.lower),
  };
}

/**
 * The path up to lowering: filters, then pipelines. A converter stops here for a rule that it can
 * refuse from the processed rule alone (backends/common/convert.ts); everything else goes on to
 * ruleToIR's lowering, the same for both.
 */
export function ruleProcessed(rule: SigmaRule, path: RulePath): Omit<RuleOnPath, 'ir'> {
  const filters = path.filters;
  // Most collections hold no filter: then there is nothing to look up for each rule.
  if (!filters || filters.length === 0) return { rule, filtered: rule, filtersApplied: [], filterNotes: [], processed: applyPipelines(rule, path.pipelines) };
  const f = applyFilters(rule, filters);
  return {
    rule,
    filtered: f.rule,
    filtersApplied: f.applied,
    filterNotes: f.skipped.map((s) => `filter '${s.filter.title}' not applied to '${rule.title}': ${s.reason}`),
    processed: applyPipelines(f.rule, path.pipelines),
  };
}
