// A rule's (or a correlation's) translations: every target of the registry with each of its
// pipelines, converted exactly as `quarry convert` does (filters applied first), each checked by the target's
// validator when it has one. A pipeline that does not fit the rule shows its reason.
import type { SigmaCorrelation, SigmaFilter, SigmaRule } from '../sigma/model.js';
import type { SigmaCollection } from '../sigma/collection.js';
import { resolveCorrelations } from '../sigma/correlation-plan.js';
import type { ProcessingPipeline } from '../pipeline/types.js';
import { convertCorrelation, convertRule } from '../backends/common/convert.js';
import type { Backend, ConversionResult, QueryCheck } from '../backends/common/types.js';
import type { Translation } from './api-types.js';
import { TARGETS, targetPipelineChain } from '../backends/targets.js';
import { VALIDATORS } from '../backends/validators.js';

export type { Translation };

function check(target: string, query: string): QueryCheck | undefined {
  const validate = VALIDATORS[target];
  if (!validate) return undefined;
  try {
    return validate(query);
  } catch (e) {
    // A validator that crashes on a query is a finding about the validator, shown as such.
    return { validator: target, ok: false, problems: [`the validator failed: ${(e as Error).message}`] };
  }
}

/** The rule as loaded, with the filters that apply to it. Successful translations first, registry order kept otherwise. */
export function translateRule(rule: SigmaRule, filters: readonly SigmaFilter[]): Translation[] {
  return translateWith((backend, pipelines) => convertRule(rule, backend, pipelines, filters));
}

/** A correlation rule, with the collection its references resolve in (its base rules and filters). */
export function translateCorrelation(correlation: SigmaCorrelation, col: SigmaCollection): Translation[] {
  const plan = resolveCorrelations(col.rules, col.correlations);
  return translateWith((backend, pipelines) => convertCorrelation(correlation, col, backend, pipelines, plan));
}

function translateWith(convert: (backend: Backend, pipelines: ProcessingPipeline[]) => ConversionResult): Translation[] {
  const out: Translation[] = [];
  for (const [name, target] of Object.entries(TARGETS)) {
    for (const pipeline of target.listPipelines()) {
      const label = `${name.toUpperCase()} · ${pipeline}`;
      let r;
      try {
        r = convert(target.backend, targetPipelineChain(name, pipeline));
      } catch (e) {
        out.push({ target: name, pipeline, label, ok: false, code: 'internal-error', error: (e as Error).message });
        continue;
      }
      if (r.ok) out.push({ target: name, pipeline, label, ok: true, query: r.query, check: check(name, r.query), ...(r.notes.length ? { notes: r.notes } : {}) });
      else out.push({ target: name, pipeline, label, ok: false, code: r.code, error: r.error });
    }
  }
  return [...out.filter((t) => t.ok), ...out.filter((t) => !t.ok)];
}
