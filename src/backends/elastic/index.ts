// The Elastic targets: Lucene (query_string, Kibana's `language: lucene`), ES|QL and EQL, each a
// renderer of the query IR over ECS fields, sharing the ECS pipelines and the detection-rule format.
import type { Backend } from '../common/types.js';
import { renderLuceneQuery } from './lucene/render.js';
import { renderEsqlQuery } from './esql/render.js';
import { esqlCorrelationNotes, renderEsqlCorrelation } from './esql/render-correlation.js';
import { renderEqlQuery } from './eql/render.js';
import { renderEqlCorrelation } from './eql/render-correlation.js';
import { elasticRuleFormat } from './rule-format.js';

export const luceneBackend: Backend = { target: 'lucene', render: renderLuceneQuery, formats: { 'elastic-rule': elasticRuleFormat('lucene') } };
export const esqlBackend: Backend = {
  target: 'esql',
  render: renderEsqlQuery,
  renderCorrelation: renderEsqlCorrelation,
  correlationNotes: esqlCorrelationNotes,
  formats: { 'elastic-rule': elasticRuleFormat('esql') },
};
export const eqlBackend: Backend = { target: 'eql', render: renderEqlQuery, renderCorrelation: renderEqlCorrelation, formats: { 'elastic-rule': elasticRuleFormat('eql') } };

export { ELASTIC_PIPELINE_BASES, elasticPipeline, listElasticPipelines } from './pipelines.js';
export { renderLuceneQuery, renderEsqlQuery, renderEqlQuery };
