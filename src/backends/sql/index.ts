// The SQL backend (DuckDB) over a flat event table: a renderer of the query IR. See README.md.
import type { Backend } from '../common/types.js';
import type { ProcessingPipeline } from '../../pipeline/types.js';
import { renderSqlQuery } from './render-query.js';

export const sqlBackend: Backend = { target: 'sql', render: renderSqlQuery };

/** `none`: the rule's own field names, no field mapping and no log-source guard. */
const NONE: ProcessingPipeline = { name: 'none', priority: 0, vars: {}, items: [], origin: 'sql:none' };

export function listSqlPipelines(): string[] {
  return ['none'];
}

export function sqlPipeline(name: string): ProcessingPipeline | null {
  return name === 'none' ? NONE : null;
}

export { renderSqlQuery, SQL_DEFAULT_TABLE } from './render-query.js';
export { likePattern, NUMERIC_RE } from './render-expr.js';
