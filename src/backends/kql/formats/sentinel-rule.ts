// `--format sentinel-rule`: the YAML analytic rule of the Azure-Sentinel repository's Detections
// folder, one YAML document per rule (separated by `---`), written with the yaml package.
import { yamlPackage } from '../../../sigma/yaml-package.js';
import type { FormattedRule, RuleFormat } from '../../common/types.js';
import { dataConnectors, queryTable, SCHEDULE, sentinelRuleId, sentinelSeverity, sentinelTactics } from './sentinel.js';

export function sentinelRuleObject(r: FormattedRule): Record<string, unknown> {
  const { tactics } = sentinelTactics(r.meta);
  return {
    id: sentinelRuleId(r.meta),
    name: r.meta.title,
    description: r.meta.description || r.meta.title,
    severity: sentinelSeverity(r.meta.severity),
    requiredDataConnectors: dataConnectors(queryTable(r.state)),
    queryFrequency: SCHEDULE.frequency,
    queryPeriod: SCHEDULE.period,
    triggerOperator: 'gt',
    triggerThreshold: 0,
    tactics,
    relevantTechniques: [...r.meta.techniques],
    query: r.query,
    version: '1.0.0',
    kind: 'Scheduled',
  };
}

function renderOne(r: FormattedRule): string {
  const { Document, Scalar } = yamlPackage();
  const doc = new Document(sentinelRuleObject(r));
  // The query and a multi-line description as literal blocks, as the Detections folder writes them.
  for (const key of ['query', 'description']) {
    const node = doc.get(key, true);
    if (node instanceof Scalar && (key === 'query' || String(node.value).includes('\n'))) node.type = Scalar.BLOCK_LITERAL;
  }
  return doc.toString({ lineWidth: 0 });
}

export const sentinelRuleFormat: RuleFormat = {
  description: "Microsoft Sentinel analytic rule YAML (the Azure-Sentinel repository's Detections format), one document per rule",
  render: (rules) => rules.map(renderOne).join('---\n'),
};
