// Turns a loaded collection into runnable rules: filters applied, pipelines run, IR lowered and
// compiled. Every rule that does not make it is listed with its reason.
import type { SigmaCollection } from '../sigma/load.js';
import type { LogSource, SigmaRule } from '../sigma/model.js';
import { levelRank } from '../sigma/model.js';
import { applyFilters } from '../sigma/apply-filters.js';
import type { ProcessedRule, ProcessingPipeline } from '../pipeline/types.js';
import { applyPipelines } from '../pipeline/apply.js';
import { lowerProcessedRule } from '../ir/lower.js';
import type { RuleIR } from '../ir/types.js';
import { compileRuleSet, type CompiledRuleSet } from '../engine/rule-set.js';
import type { RegexFactory } from '../engine/regex.js';

export interface SkippedRule {
  rule: SigmaRule;
  reason: string;
}

export interface PreparedRules {
  set: CompiledRuleSet;
  /** Rules left out before compiling (level filter) or that cannot run (with the reason). */
  skipped: SkippedRule[];
  /** How many rules had Sigma filters applied. */
  filtered: number;
  filterNotes: string[];
}

export interface PrepareOptions {
  process: (rule: SigmaRule) => ProcessedRule;
  regex: RegexFactory;
  minLevel?: string;
}

export function prepareRules(col: SigmaCollection, opts: PrepareOptions): PreparedRules {
  const skipped: SkippedRule[] = [];
  const irs: RuleIR[] = [];
  const filterNotes: string[] = [];
  let filtered = 0;
  const min = opts.minLevel ? levelRank(opts.minLevel) : -1;
  for (const rule of col.rules) {
    if (min >= 0 && levelRank(rule.level) < min) {
      skipped.push({ rule, reason: `level ${rule.level ?? 'unset'} is below --min-level ${opts.minLevel}` });
      continue;
    }
    const f = applyFilters(rule, col.filters);
    if (f.applied.length) filtered++;
    for (const s of f.skipped) filterNotes.push(`filter '${s.filter.title}' not applied to '${rule.title}': ${s.reason}`);
    irs.push(lowerProcessedRule(opts.process(f.rule)));
  }
  const set = compileRuleSet(irs, { regex: opts.regex });
  for (const n of set.notRunnable) skipped.push({ rule: n.ir.rule, reason: n.reason });
  return { set, skipped, filtered, filterNotes };
}

/** Every key the rule's log source sets must equal the declared one. */
export function logsourceApplies(rule: LogSource, declared: LogSource): boolean {
  return (['category', 'product', 'service'] as const).every((k) => rule[k] === undefined || rule[k] === declared[k]);
}

export function parseLogsourceSpec(spec: string): LogSource {
  const out: LogSource = {};
  for (const part of spec.split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    if (!k || !v || !['category', 'product', 'service'].includes(k)) throw new Error(`--logsource expects category=…,product=…,service=…; got '${part}'`);
    out[k as 'category' | 'product' | 'service'] = v;
  }
  return out;
}

export function describeLogsource(ls: LogSource): string {
  return (['product', 'category', 'service'] as const).filter((k) => ls[k]).map((k) => `${k}=${ls[k]}`).join(',') || '(none)';
}

/**
 * Rules are compiled once per set of pipelines: the given ones, plus the field mapping of an
 * input's format (w3c, squid, zeek-http) where it has one. Returns the rules for a format pipeline.
 */
export function preparerByFormat(col: SigmaCollection, opts: Omit<PrepareOptions, 'process'> & {
  pipelines: ProcessingPipeline[];
  /** The built-in pipeline of a format, or null to apply none. */
  formatPipeline: (name: string) => ProcessingPipeline | null;
}): (formatPipeline: string | undefined) => PreparedRules {
  const cache = new Map<string, PreparedRules>();
  return (name) => {
    const key = name ?? '';
    let p = cache.get(key);
    if (!p) {
      const extra = name ? opts.formatPipeline(name) : null;
      const list = extra ? [...opts.pipelines, extra] : opts.pipelines;
      p = prepareRules(col, { regex: opts.regex, minLevel: opts.minLevel, process: (r) => applyPipelines(r, list) });
      cache.set(key, p);
    }
    return p;
  };
}
