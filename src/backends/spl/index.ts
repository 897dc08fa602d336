// The Splunk SPL backend: a renderer of the query IR (search terms, `| where`, or `| tstats` over a
// CIM data model), its pipelines and the savedsearches.conf rule format.
import type { Backend } from '../common/types.js';
import { renderSplQuery, splRefusal } from './render-query.js';
import { savedSearchesFormat } from './savedsearches.js';
import { renderSplCorrelation, splCorrelationNotes } from './render-correlation.js';

export const splBackend: Backend = {
  target: 'spl',
  render: renderSplQuery,
  refusal: splRefusal,
  renderCorrelation: renderSplCorrelation,
  correlationNotes: splCorrelationNotes,
  formats: { savedsearches: savedSearchesFormat },
};

export { renderSplQuery } from './render-query.js';
export { SPL_PIPELINE_BASES, splPipeline, listSplPipelines } from './pipelines.js';
