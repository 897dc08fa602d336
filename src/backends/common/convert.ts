// Converting rules with a backend: the one path from rule to IR (ir/rule-path.ts: Sigma filters,
// pipelines, lowering), exactly as the hunt takes it, then the backend's renderer. Every rule comes out either with its query or with the reason
// it has none; correlation rules are converted by the backends that can (others give the reason).
import type { SigmaCollection } from '../../sigma/collection.js';
import type { SigmaCorrelation, SigmaDocument, SigmaFilter, SigmaRule } from '../../sigma/model.js';
import { resolveCorrelations, ruleKey, type ResolvedCorrelation } from '../../sigma/correlation-plan.js';
import { fieldNamesThrough } from '../../ir/field-names.js';
import type { ProcessingPipeline } from '../../pipeline/types.js';
import { ruleProcessed, ruleToIR } from '../../ir/rule-path.js';
import { loweringFailures, lowerProcessedRule } from '../../ir/lower.js';
import { ConversionError, type Backend, type ConversionResult, type ConvertInput } from './types.js';

export interface ConvertedRule {
  document: SigmaDocument;
  result: ConversionResult;
}

/**
 * Converts one rule as loaded; the filters that name it and fit its log source apply. A rule refused
 * for what the pipelines did (their failures, or the backend's `refusal`: no table for its log
 * source) is refused before lowering, with the code and reason that rendering it would give:
 * `{ early: false }` lowers and renders every rule, the plain path the tests compare with.
 */
export function convertRule(rule: SigmaRule, backend: Backend, pipelines: readonly ProcessingPipeline[], filters: readonly SigmaFilter[] = [], opts: { early?: boolean } = {}): ConversionResult {
  const path = { filters, pipelines, lower: { emptyIsMissing: backend.emptyIsMissing } };
  const names = pipelines.map((p) => p.name);
  if (opts.early ?? true) {
    const { processed } = ruleProcessed(rule, path);
    const failures = loweringFailures(processed);
    if (failures.length) return { ok: false, code: 'pipeline-failure', error: failures.join('; ') };
    const refused = backend.refusal?.({ rule: processed.rule, guarded: processed.guards.length > 0, state: processed.state, pipelines: names });
    if (refused) return { ok: false, code: refused.code, error: refused.message };
    return rendered(backend, { ir: lowerProcessedRule(processed, path.lower, failures), state: processed.state, pipelines: names });
  }
  const { processed, ir } = ruleToIR(rule, path);
  if (ir.failures.length) return { ok: false, code: 'pipeline-failure', error: ir.failures.join('; ') };
  return rendered(backend, { ir, state: processed.state, pipelines: names });
}

/** A lowered rule without failures through the backend's renderer: its query, or why it has none. */
function rendered(backend: Backend, input: ConvertInput): ConversionResult {
  const { state, pipelines: names } = input;
  try {
    const query = backend.render(input);
    return { ok: true, query, notes: backend.notes?.(input) ?? [], state, pipelines: names };
  } catch (e) {
    if (e instanceof ConversionError) return { ok: false, code: e.code, error: e.message };
    throw e;
  }
}

/**
 * Converts one correlation rule of a collection: its references resolved (sigma/correlation-plan),
 * its base rules down the same path as a rule alone, then the backend's correlation renderer.
 */
export function convertCorrelation(c: SigmaCorrelation, col: SigmaCollection, backend: Backend, pipelines: readonly ProcessingPipeline[], plan = resolveCorrelations(col.rules, col.correlations)): ConversionResult {
  const problem = plan.problems.find((p) => p.correlation === c);
  if (problem) return { ok: false, code: 'correlation-unresolved', error: `the correlation cannot run: ${problem.reason}` };
  const resolved = plan.correlations.find((r) => r.doc === c);
  if (!resolved) return { ok: false, code: 'correlation-unresolved', error: 'the correlation is not resolved' };
  if (!backend.renderCorrelation) return { ok: false, code: 'correlation-unsupported', error: `correlation rules are not converted to ${backend.target} yet` };
  const inputs = [];
  for (const input of resolved.inputs) {
    if (input.kind !== 'rule') return { ok: false, code: 'correlation-chain', error: `it reads the correlation '${input.correlation.title}': chains are not converted yet` };
    const { processed, ir } = ruleToIR(input.rule, { filters: col.filters, pipelines, lower: { emptyIsMissing: backend.emptyIsMissing } });
    if (ir.failures.length) return { ok: false, code: 'pipeline-failure', error: `base rule '${input.rule.title}': ${ir.failures.join('; ')}` };
    inputs.push({ ir, state: processed.state });
  }
  const named = fieldsAsNamed(resolved, pipelines);
  if ('error' in named) return { ok: false, code: 'correlation-field', error: named.error };
  const names = pipelines.map((p) => p.name);
  try {
    const input = { correlation: named, inputs, pipelines: names };
    const query = backend.renderCorrelation(input);
    return { ok: true, query, notes: backend.correlationNotes?.(input) ?? [], state: inputs[0]!.state, pipelines: names };
  } catch (e) {
    if (e instanceof ConversionError) return { ok: false, code: e.code, error: e.message };
    throw e;
  }
}

/**
 * The correlation with its group-by and value fields named as the target's events carry them: each
 * base rule's fields through the pipelines (ir/field-names.ts), as the rule's own fields are. A
 * query needs one name per field, and one value field for all base rules.
 */
function fieldsAsNamed(c: ResolvedCorrelation, pipelines: readonly ProcessingPipeline[]): ResolvedCorrelation | { error: string } {
  let valueFields: string[] | undefined;
  const groupFields: string[][] = [];
  for (const [i, input] of c.inputs.entries()) {
    if (input.kind !== 'rule') return { error: 'chains are not converted' };
    const fields = [...c.groupFields[i]!, ...c.valueFields];
    const { names, failures } = fieldNamesThrough(input.rule, fields, pipelines);
    if (failures.length) return { error: `base rule '${input.rule.title}': ${failures.join('; ')}` };
    const one = (f: string): string | { error: string } => {
      const n = names.get(f)!;
      return n.length === 1 ? n[0]! : { error: `the field '${f}' has several names in the events of '${input.rule.title}' with these pipelines (${n.join(', ')}); a correlation query needs one` };
    };
    const group = c.groupFields[i]!.map(one);
    const values = c.valueFields.map(one);
    const bad = [...group, ...values].find((x): x is { error: string } => typeof x !== 'string');
    if (bad) return bad;
    groupFields.push(group as string[]);
    if (valueFields && valueFields.join('\0') !== values.join('\0')) return { error: `the value field '${c.valueFields.join(', ')}' is named differently by the base rules' pipelines (${valueFields.join(', ')} and ${values.join(', ')}); a query reads one column` };
    valueFields = values as string[];
  }
  return { ...c, groupFields, valueFields: valueFields ?? c.valueFields };
}

/** The code of a base rule converted only inside its correlation: not a failure. */
export const INSIDE_CORRELATION = 'correlation-base';

/**
 * Results of rules converted before with the same target, pipelines and filters (the conversion
 * cache, backends/convert-cache.ts, in Node): `lookup` gives one or undefined, `keep` is told each
 * fresh one.
 */
export interface ResultCache {
  lookup(rule: SigmaRule): ConversionResult | undefined;
  keep(rule: SigmaRule, result: ConversionResult): void;
}

/** Converts every rule of a collection (filters applied), then its correlation rules. */
export function convertCollection(col: SigmaCollection, backend: Backend, pipelines: readonly ProcessingPipeline[], opts: { early?: boolean; cache?: ResultCache | null } = {}): ConvertedRule[] {
  const plan = col.correlations.length ? resolveCorrelations(col.rules, col.correlations) : undefined;
  const { cache } = opts;
  const convert = (rule: SigmaRule): ConversionResult => {
    const kept = cache?.lookup(rule);
    if (kept) return kept;
    const result = convertRule(rule, backend, pipelines, col.filters, opts);
    cache?.keep(rule, result);
    return result;
  };
  // `generate: false` (the default): a rule that a correlation reads is converted only inside it.
  const out: ConvertedRule[] = col.rules.map((rule) => ({
    document: rule,
    result: plan?.silent.has(ruleKey(rule)) ? { ok: false, code: INSIDE_CORRELATION, error: 'a base rule of a correlation (generate: false): converted only as part of the correlation' } : convert(rule),
  }));
  for (const c of col.correlations) out.push({ document: c, result: convertCorrelation(c, col, backend, pipelines, plan) });
  return out;
}

/** Failures grouped by code, most frequent first, each with one example message. */
export function failureSummary(results: readonly ConversionResult[]): Array<{ code: string; count: number; example: string }> {
  const by = new Map<string, { count: number; example: string }>();
  for (const r of results) {
    if (r.ok) continue;
    const g = by.get(r.code) ?? { count: 0, example: r.error };
    g.count++;
    by.set(r.code, g);
  }
  return [...by].map(([code, g]) => ({ code, ...g })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}
