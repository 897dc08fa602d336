// Correlation rules resolved (for the correlator and for conversion alike): each rule they name resolved (by id or name, across files)
// to a detection rule or another correlation, aliases turned into the field each input reads for
// each group-by name, chains ordered so that a correlation comes after those it reads, and every
// correlation that cannot run listed with its reason (unknown rule, a cycle, a missing field).
import type { CorrelationCondition, CorrelationType, SigmaCorrelation, SigmaRule } from './model.js';
import type { CondExpr } from './name-expression.js';

export type CorrelationInput = { kind: 'rule'; rule: SigmaRule; ref: string } | { kind: 'correlation'; correlation: SigmaCorrelation; ref: string };

export interface ResolvedCorrelation {
  doc: SigmaCorrelation;
  /** Position in run order (inputs first). */
  index: number;
  type: CorrelationType;
  timespanMs: number;
  /** Group-by names as written (alias names included): the keys of a detection's `group`. */
  groupBy: string[];
  inputs: CorrelationInput[];
  /** Per input, per group-by name: the field the input's events carry it in. */
  groupFields: string[][];
  conditions: CorrelationCondition[];
  /** value_* types: the field (value_count: fields) whose values are counted or summed. */
  valueFields: string[];
  percentile?: number;
  expression?: CondExpr;
  generate: boolean;
}

export interface CorrelationPlan {
  correlations: ResolvedCorrelation[];
  /** Correlations that cannot run, with why. */
  problems: Array<{ correlation: SigmaCorrelation; reason: string }>;
  /** Keys (ruleKey) of rules and correlations that only feed correlations (`generate: false`): they report nothing of their own. */
  silent: Set<string>;
}

/** A rule's identity for correlations and their output: its id, else its name, else where it is. */
export function ruleKey(r: { id?: string; name?: string; file: string; docIndex: number }): string {
  return r.id ?? r.name ?? `${r.file}#${r.docIndex}`;
}

/**
 * The fields correlations read from a rule's events (group-by fields as that rule carries them, and
 * value fields), by ruleKey: what the pipelines must name for that rule (ir/field-names.ts).
 */
export function fieldsReadFromRules(plan: CorrelationPlan): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const c of plan.correlations)
    c.inputs.forEach((input, i) => {
      if (input.kind !== 'rule') return;
      const key = ruleKey(input.rule);
      const set = out.get(key) ?? new Set<string>();
      for (const f of [...c.groupFields[i]!, ...c.valueFields]) set.add(f);
      out.set(key, set);
    });
  return new Map([...out].map(([k, v]) => [k, [...v]]));
}

/** What each reference a correlation may use (a rule's or correlation's id or name) names; the first document wins a repeated one. */
export function correlationReferences(rules: readonly SigmaRule[], correlations: readonly SigmaCorrelation[]): Map<string, CorrelationInput> {
  const byRef = new Map<string, CorrelationInput>();
  const add = (key: string | undefined, input: CorrelationInput) => {
    if (key !== undefined && !byRef.has(key)) byRef.set(key, input);
  };
  for (const rule of rules) {
    add(rule.id, { kind: 'rule', rule, ref: rule.id! });
    add(rule.name, { kind: 'rule', rule, ref: rule.name! });
  }
  for (const correlation of correlations) {
    add(correlation.id, { kind: 'correlation', correlation, ref: correlation.id! });
    add(correlation.name, { kind: 'correlation', correlation, ref: correlation.name! });
  }
  return byRef;
}

export function resolveCorrelations(rules: readonly SigmaRule[], correlations: readonly SigmaCorrelation[]): CorrelationPlan {
  const byRef = correlationReferences(rules, correlations);

  const problems: CorrelationPlan['problems'] = [];
  const bad = new Set<SigmaCorrelation>();
  const resolved = new Map<SigmaCorrelation, Omit<ResolvedCorrelation, 'index'>>();
  for (const c of correlations) {
    const spec = c.correlation;
    const inputs: CorrelationInput[] = [];
    for (const ref of spec.rules) {
      const hit = byRef.get(ref);
      if (!hit) {
        problems.push({ correlation: c, reason: `it names '${ref}', which is neither a loaded rule nor a correlation (by id or name)` });
        bad.add(c);
        break;
      }
      inputs.push({ ...hit, ref });
    }
    if (bad.has(c)) continue;
    if (inputs.length === 0) {
      problems.push({ correlation: c, reason: 'it names no rules' });
      bad.add(c);
      continue;
    }
    const groupFields = inputs.map((input) => spec.groupBy.map((g) => aliasField(spec.aliases, g, input)));
    const field = spec.conditions.find((x) => x.field !== undefined)?.field;
    const valueFields = field === undefined ? [] : Array.isArray(field) ? field : [field];
    resolved.set(c, {
      doc: c,
      type: spec.type,
      timespanMs: spec.timespanMs,
      groupBy: spec.groupBy,
      inputs,
      groupFields,
      conditions: spec.conditions,
      valueFields,
      ...(spec.percentile !== undefined ? { percentile: spec.percentile } : spec.type === 'value_median' ? { percentile: 50 } : {}),
      ...(spec.expression ? { expression: spec.expression } : {}),
      generate: spec.generate,
    });
  }

  // Chains: a correlation runs after the correlations it reads; one that reads a bad one, or sits
  // on a cycle, cannot run either.
  const order: SigmaCorrelation[] = [];
  const state = new Map<SigmaCorrelation, 'visiting' | 'done'>();
  const visit = (c: SigmaCorrelation, path: SigmaCorrelation[]): boolean => {
    if (state.get(c) === 'done') return !bad.has(c);
    if (state.get(c) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(c)), c].map((x) => `'${x.title}'`).join(' → ');
      for (const x of path.slice(path.indexOf(c))) {
        if (!bad.has(x)) problems.push({ correlation: x, reason: `its chain is a cycle: ${cycle}` });
        bad.add(x);
      }
      return false;
    }
    state.set(c, 'visiting');
    const r = resolved.get(c);
    let ok = !bad.has(c) && r !== undefined;
    if (r)
      for (const input of r.inputs) {
        if (input.kind !== 'correlation') continue;
        if (!visit(input.correlation, [...path, c]) && ok) {
          if (!bad.has(c)) problems.push({ correlation: c, reason: `it reads '${input.correlation.title}', which cannot run` });
          ok = false;
        }
      }
    if (!ok) bad.add(c);
    state.set(c, 'done');
    if (ok) order.push(c);
    return ok;
  };
  for (const c of correlations) visit(c, []);

  const out = order.map((c, index) => ({ ...resolved.get(c)!, index }));
  // `generate: false` (the default) keeps the rules a correlation reads from reporting on their own.
  const silent = new Set<string>();
  const keyOf = (input: CorrelationInput) => ruleKey(input.kind === 'rule' ? input.rule : input.correlation);
  for (const c of out) {
    if (c.generate) continue;
    for (const input of c.inputs) silent.add(keyOf(input));
  }
  // A correlation that generates reports its inputs even when another one that reads them does not.
  for (const c of out) if (c.generate) for (const input of c.inputs) silent.delete(keyOf(input));
  return { correlations: out, problems, silent };
}

/** The field an input carries a group-by name in: the alias's field for that rule, else the name itself. */
export function aliasField(aliases: Record<string, Record<string, string>>, group: string, input: CorrelationInput): string {
  const alias = aliases[group];
  if (!alias) return group;
  const target = input.kind === 'rule' ? input.rule : input.correlation;
  for (const key of [input.ref, target.name, target.id]) if (key !== undefined && alias[key] !== undefined) return alias[key]!;
  return group;
}
