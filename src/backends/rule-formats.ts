// Converted rules written in one of a backend's rule file formats (Sentinel analytic rules,
// savedsearches.conf, Elastic detection rules…): the rule's metadata beside its query.
import type { ConvertedRule } from './common/convert.js';
import { ruleMeta, type TechniqueNameLookup } from './common/rule-meta.js';
import type { Backend } from './common/types.js';

/**
 * The converted rules of a conversion in one of the backend's rule file formats. `techniqueName`
 * names ATT&CK techniques (the caller has the ATT&CK data; backends ship none).
 */
export function renderRuleFormat(backend: Backend, format: string, results: readonly ConvertedRule[], techniqueName?: TechniqueNameLookup): string {
  const rf = backend.formats?.[format];
  if (!rf) throw new Error(`${backend.target} has no format '${format}'`);
  const rules = [];
  for (const { document: d, result: r } of formatRefusals(backend, format, results)) {
    if (!r.ok || d.kind === 'filter') continue;
    const correlation = d.kind === 'correlation' ? { correlation: { timespanMs: d.correlation.timespanMs, groupBy: d.correlation.groupBy } } : {};
    rules.push({ meta: ruleMeta(d, techniqueName), query: r.query, state: r.state, pipelines: r.pipelines, ...correlation });
  }
  return rf.render(rules);
}

/**
 * The results as the format can write them: a converted correlation rule is a failure
 * (`format-unsupported`) when the format does not hold correlations, so that it is reported
 * rather than left out.
 */
export function formatRefusals(backend: Backend, format: string, results: readonly ConvertedRule[]): ConvertedRule[] {
  const rf = backend.formats?.[format];
  if (!rf || rf.correlations) return [...results];
  return results.map((x) =>
    x.document.kind === 'correlation' && x.result.ok ? { ...x, result: { ok: false, code: 'format-unsupported', error: `the ${format} format does not hold correlation rules yet` } } : x,
  );
}
