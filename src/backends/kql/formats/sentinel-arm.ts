// `--format sentinel-arm`: an ARM template that deploys every converted rule as a scheduled
// analytic rule into the workspace given as the `workspace` parameter.
import type { FormattedRule, RuleFormat } from '../../common/types.js';
import { armLiterals } from './arm-literal.js';
import { parentTechniques, SCHEDULE, sentinelRuleId, sentinelSeverity, sentinelTactics, subTechniques } from './sentinel.js';

/** The alertRules API version whose properties carry subTechniques. */
export const ALERT_RULES_API = '2023-12-01-preview';

function resource(r: FormattedRule): Record<string, unknown> {
  const id = sentinelRuleId(r.meta);
  return {
    type: 'Microsoft.OperationalInsights/workspaces/providers/alertRules',
    apiVersion: ALERT_RULES_API,
    name: `[concat(parameters('workspace'), '/Microsoft.SecurityInsights/', '${id}')]`,
    kind: 'Scheduled',
    // Every property is a literal (the name above is the template's one expression).
    properties: armLiterals({
      displayName: r.meta.title,
      description: r.meta.description || r.meta.title,
      severity: sentinelSeverity(r.meta.severity),
      enabled: true,
      query: r.query,
      queryFrequency: SCHEDULE.frequencyIso,
      queryPeriod: SCHEDULE.periodIso,
      triggerOperator: 'GreaterThan',
      triggerThreshold: 0,
      suppressionDuration: 'PT1H',
      suppressionEnabled: false,
      tactics: sentinelTactics(r.meta).tactics,
      techniques: parentTechniques(r.meta),
      subTechniques: subTechniques(r.meta),
    }),
  };
}

export function sentinelArmTemplate(rules: readonly FormattedRule[]): Record<string, unknown> {
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters: { workspace: { type: 'string', metadata: { description: 'The Log Analytics workspace with Microsoft Sentinel' } } },
    resources: rules.map(resource),
  };
}

export const sentinelArmFormat: RuleFormat = {
  description: 'an ARM template (JSON) with one Microsoft Sentinel scheduled analytic rule per converted rule; parameter `workspace`',
  render: (rules) => JSON.stringify(sentinelArmTemplate(rules), null, 2) + '\n',
};
