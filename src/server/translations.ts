// A rule's (or a correlation's) translations: every target of the registry with each of its
// pipelines, converted exactly as `quarry convert` does (filters applied first), each checked by the target's
// validator when it has one (DuckDB SQL by DuckDB itself, asynchronously). A pipeline that does not
// fit the rule shows its reason. Converting is cheap; the validators are not (the Kusto language
// service alone takes over a second to load), so a rule page gets its translations unchecked and
// asks for the checks apart (checkTranslations), once the page is shown.
import type { SigmaCorrelation, SigmaFilter, SigmaRule } from '../sigma/model.js';
import type { SigmaCollection } from '../sigma/collection.js';
import { resolveCorrelations } from '../sigma/correlation-plan.js';
import type { ProcessingPipeline } from '../pipeline/types.js';
import { convertCorrelation, convertRule } from '../backends/common/convert.js';
import type { Backend, ConversionResult, QueryCheck } from '../backends/common/types.js';
import type { Translation } from './api-types.js';
import { TARGETS, targetLabel, targetPipelineChain } from '../backends/targets.js';
import { validateDuckdb } from '../backends/sql/validate-duckdb.js';
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

export interface TranslateOptions {
  /** Run the synchronous validators now (default true); false leaves `check` for checkTranslations. */
  check?: boolean;
}

/** The rule as loaded, with the filters that apply to it. Successful translations first, registry order kept otherwise. */
export function translateRule(rule: SigmaRule, filters: readonly SigmaFilter[], opts: TranslateOptions = {}): Translation[] {
  return translateWith((backend, pipelines) => convertRule(rule, backend, pipelines, filters), opts.check ?? true);
}

/** A correlation rule, with the collection its references resolve in (its base rules and filters). */
export function translateCorrelation(correlation: SigmaCorrelation, col: SigmaCollection, opts: TranslateOptions = {}): Translation[] {
  const plan = resolveCorrelations(col.rules, col.correlations);
  return translateWith((backend, pipelines) => convertCorrelation(correlation, col, backend, pipelines, plan), opts.check ?? true);
}

/** The key of a translation among a rule's: `target:pipeline`, as the front end's tabs name them. */
export const translationKey = (t: Pick<Translation, 'target' | 'pipeline'>): string => `${t.target}:${t.pipeline}`;

/** Every converted query's check, by translation key: the target's validator, DuckDB for `sql`. */
export async function checkTranslations(translations: readonly Translation[]): Promise<Record<string, QueryCheck>> {
  const out: Record<string, QueryCheck> = {};
  for (const t of translations) {
    if (!t.ok || t.query === undefined) continue;
    const c = t.target === 'sql' ? await validateDuckdb(t.query) : check(t.target, t.query);
    if (c) out[translationKey(t)] = c;
  }
  return out;
}

function translateWith(convert: (backend: Backend, pipelines: ProcessingPipeline[]) => ConversionResult, validate: boolean): Translation[] {
  const out: Translation[] = [];
  for (const [name, target] of Object.entries(TARGETS)) {
    for (const pipeline of target.listPipelines()) {
      const label = targetLabel(name, pipeline);
      let r;
      try {
        r = convert(target.backend, targetPipelineChain(name, pipeline));
      } catch (e) {
        out.push({ target: name, pipeline, label, ok: false, code: 'internal-error', error: (e as Error).message });
        continue;
      }
      const verdict = r.ok && validate ? check(name, r.query) : undefined;
      if (r.ok) out.push({ target: name, pipeline, label, ok: true, query: r.query, ...(verdict ? { check: verdict } : {}), ...(r.notes.length ? { notes: r.notes } : {}) });
      else out.push({ target: name, pipeline, label, ok: false, code: r.code, error: r.error });
    }
  }
  return [...out.filter((t) => t.ok), ...out.filter((t) => !t.ok)];
}
