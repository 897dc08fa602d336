// The KQL backend (Microsoft Sentinel, Defender XDR): a renderer of the query IR.
import type { Backend } from '../common/types.js';
import { noTable, renderKqlQuery } from './render-query.js';
import { kqlNotes } from './notes.js';
import { kqlCorrelationNotes, renderKqlCorrelation } from './render-correlation.js';
import { sentinelRuleFormat } from './formats/sentinel-rule.js';
import { sentinelArmFormat } from './formats/sentinel-arm.js';

export const kqlBackend: Backend = {
  target: 'kql',
  // String columns hold '' for a missing value, and dynamic values read as '' through tostring().
  emptyIsMissing: true,
  render: renderKqlQuery,
  refusal: noTable,
  notes: kqlNotes,
  renderCorrelation: renderKqlCorrelation,
  correlationNotes: kqlCorrelationNotes,
  formats: { 'sentinel-rule': sentinelRuleFormat, 'sentinel-arm': sentinelArmFormat },
};

export { renderKqlQuery } from './render-query.js';
export { KQL_PIPELINE_BASES, kqlPipeline, listKqlPipelines } from './pipelines.js';
export { tableColumns, knownTables } from './schema.js';
