// The rule page's correlation data: for a correlation, its type, window, condition, group-by (with
// the field each base rule carries it in) and its inputs as explorer keys; for any rule or
// correlation, the correlations that read it and whether it is silent (`generate: false`).
// References are resolved as the hunt resolves them (sigma/correlation-plan), once per collection.
import type { CorrelationType, SigmaCorrelation, SigmaDocument } from '../sigma/model.js';
import type { SigmaCollection } from '../sigma/collection.js';
import { aliasField, correlationReferences, resolveCorrelations, ruleKey, type CorrelationInput, type CorrelationPlan } from '../sigma/correlation-plan.js';
import { conditionSymbols, correlationConditionText, timespanWords } from '../sigma/correlation-text.js';
import type { CorrelationUse, CorrelationView } from './api-types.js';
import type { ExplorerState } from './explorer-state.js';

interface Resolution {
  plan: CorrelationPlan;
  byRef: Map<string, CorrelationInput>;
  /** Explorer key of each loaded rule and correlation. */
  keyOf: Map<SigmaDocument, string>;
}

// Rules and correlations never change while the explorer runs (tuning adds filters only).
const resolutions = new WeakMap<SigmaCollection, Resolution>();

function resolution(state: ExplorerState): Resolution {
  let r = resolutions.get(state.col);
  if (!r) {
    const keyOf = new Map<SigmaDocument, string>();
    for (const d of state.documents) if (d.doc.kind !== 'filter') keyOf.set(d.doc, d.key);
    r = { plan: resolveCorrelations(state.col.rules, state.col.correlations), byRef: correlationReferences(state.col.rules, state.col.correlations), keyOf };
    resolutions.set(state.col, r);
  }
  return r;
}

const targetOf = (input: CorrelationInput): SigmaDocument => (input.kind === 'rule' ? input.rule : input.correlation);

const ordinal = (n: number): string => {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
};

/** What the condition compares, in words. */
function measureOf(type: CorrelationType, fields: readonly string[], percentile: number | undefined): string {
  const f = fields.join(', ');
  switch (type) {
    case 'event_count':
      return 'events';
    case 'value_count':
      return `distinct values of ${f}`;
    case 'value_sum':
      return `sum of ${f}`;
    case 'value_avg':
      return `average of ${f}`;
    case 'value_percentile':
      return `${ordinal(percentile ?? 0)} percentile of ${f}`;
    case 'value_median':
      return `median of ${f}`;
    case 'temporal':
      return 'base rules that occurred';
    case 'temporal_ordered':
      return 'base rules that occurred in the listed order';
  }
}

export function correlationView(state: ExplorerState, c: SigmaCorrelation): CorrelationView {
  const { plan, byRef, keyOf } = resolution(state);
  const spec = c.correlation;
  const field = spec.conditions.find((x) => x.field !== undefined)?.field;
  const fields = field === undefined ? [] : Array.isArray(field) ? field : [field];
  const inputs = spec.rules.map((ref) => ({ ref, input: byRef.get(ref) }));
  const problem = plan.problems.find((p) => p.correlation === c)?.reason ?? null;
  return {
    type: spec.type,
    measure: measureOf(spec.type, fields, spec.percentile),
    condition: {
      asWritten: correlationConditionText(c),
      symbols: conditionSymbols(spec.conditions),
      fields,
      ...(spec.percentile !== undefined ? { percentile: spec.percentile } : {}),
      expression: spec.expression !== undefined,
    },
    timespan: { text: spec.timespanText, ms: spec.timespanMs, words: timespanWords(spec.timespanText) },
    groupBy: spec.groupBy.map((name) => ({
      name,
      aliased: spec.aliases[name] !== undefined,
      fields: inputs.map(({ ref, input }) => ({ ref, field: input ? aliasField(spec.aliases, name, input) : (spec.aliases[name]?.[ref] ?? name) })),
    })),
    generate: spec.generate,
    inputs: inputs.map(({ ref, input }) => {
      if (!input) return { ref, kind: 'unknown' as const, key: null, title: null, level: null };
      const doc = targetOf(input);
      return { ref, kind: input.kind, key: keyOf.get(doc) ?? null, title: doc.title, level: doc.level ?? null, ...(input.kind === 'correlation' ? { correlation: input.correlation.correlation.type } : {}) };
    }),
    problem,
  };
}

/** The correlations that read `doc` (by its id or name), and whether it reports nothing of its own because of them. */
export function correlationUses(state: ExplorerState, doc: SigmaDocument): { usedBy: CorrelationUse[]; silent: boolean } {
  if (doc.kind === 'filter') return { usedBy: [], silent: false };
  const { plan, byRef, keyOf } = resolution(state);
  const usedBy: CorrelationUse[] = [];
  for (const c of state.col.correlations) {
    const ref = c.correlation.rules.find((r) => {
      const input = byRef.get(r);
      return input !== undefined && targetOf(input) === doc;
    });
    if (ref !== undefined) usedBy.push({ key: keyOf.get(c) ?? null, title: c.title, type: c.correlation.type, generate: c.correlation.generate, ref });
  }
  return { usedBy, silent: plan.silent.has(ruleKey(doc)) };
}
