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
  for (const { document: d, result: r } of results) {
    if (!r.ok || d.kind === 'filter') continue;
    // A correlation is a rule of the format as well, with its timespan for the look-back.
    rules.push({ meta: ruleMeta(d, techniqueName), query: r.query, state: r.state, pipelines: r.pipelines, ...(d.kind === 'correlation' ? { timespanMs: d.correlation.timespanMs } : {}) });
  }
  return rf.render(rules);
}
