// Converting rules with a backend: the one path from rule to IR (ir/rule-path.ts: Sigma filters,
// pipelines, lowering), exactly as the hunt takes it, then the backend's renderer. Every rule comes out either with its query or with the reason
// it has none; correlation rules (not converted yet) are listed with that reason too.
import type { SigmaCollection } from '../../sigma/collection.js';
import type { SigmaDocument, SigmaFilter, SigmaRule } from '../../sigma/model.js';
import type { ProcessingPipeline } from '../../pipeline/types.js';
import { ruleToIR } from '../../ir/rule-path.js';
import { ConversionError, type Backend, type ConversionResult } from './types.js';

export interface ConvertedRule {
  document: SigmaDocument;
  result: ConversionResult;
}

/** Converts one rule as loaded; the filters that name it and fit its log source apply. */
export function convertRule(rule: SigmaRule, backend: Backend, pipelines: readonly ProcessingPipeline[], filters: readonly SigmaFilter[] = []): ConversionResult {
  const { processed, ir } = ruleToIR(rule, { filters, pipelines, lower: { emptyIsMissing: backend.emptyIsMissing } });
  if (ir.failures.length) return { ok: false, code: 'pipeline-failure', error: ir.failures.join('; ') };
  try {
    const names = pipelines.map((p) => p.name);
    const input = { ir, state: processed.state, pipelines: names };
    const query = backend.render(input);
    return { ok: true, query, notes: backend.notes?.(input) ?? [], state: processed.state, pipelines: names };
  } catch (e) {
    if (e instanceof ConversionError) return { ok: false, code: e.code, error: e.message };
    throw e;
  }
}

/** Converts every rule of a collection (filters applied), then lists its correlation rules as not converted. */
export function convertCollection(col: SigmaCollection, backend: Backend, pipelines: readonly ProcessingPipeline[]): ConvertedRule[] {
  const out: ConvertedRule[] = col.rules.map((rule) => ({ document: rule, result: convertRule(rule, backend, pipelines, col.filters) }));
  for (const c of col.correlations) out.push({ document: c, result: { ok: false, code: 'correlation', error: 'correlation rules are not converted yet' } });
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
