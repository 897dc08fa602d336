// The SQL backends over a flat event table, one per dialect: `sql` (DuckDB), `postgres`,
// `clickhouse`. One renderer of the query IR; the dialects differ only in ./dialects. See README.md.
import type { Backend } from '../common/types.js';
import type { ProcessingPipeline } from '../../pipeline/types.js';
import { renderSqlQuery } from './render-query.js';
import { renderSqlCorrelation } from './render-correlation.js';
import type { SqlDialect } from './dialects/types.js';
import { DUCKDB } from './dialects/duckdb.js';
import { POSTGRES } from './dialects/postgres.js';
import { CLICKHOUSE } from './dialects/clickhouse.js';

function sqlDialectBackend(dialect: SqlDialect): Backend {
  return { target: dialect.target, render: (input) => renderSqlQuery(input, dialect), renderCorrelation: (input) => renderSqlCorrelation(input, dialect) };
}

export const sqlBackend: Backend = sqlDialectBackend(DUCKDB);
export const postgresBackend: Backend = sqlDialectBackend(POSTGRES);
export const clickhouseBackend: Backend = sqlDialectBackend(CLICKHOUSE);

/** `none`: the rule's own field names, no field mapping and no log-source guard. */
const NONE: ProcessingPipeline = { name: 'none', priority: 0, vars: {}, items: [], origin: 'sql:none' };

export function listSqlPipelines(): string[] {
  return ['none'];
}

export function sqlPipeline(name: string): ProcessingPipeline | null {
  return name === 'none' ? NONE : null;
}

export { renderSqlQuery, SQL_DEFAULT_TABLE } from './render-query.js';
export { likePattern } from './render-expr.js';
export { ENGINE_NUMERIC_RE as NUMERIC_RE } from './dialects/shared.js';
export { DUCKDB, POSTGRES, CLICKHOUSE, type SqlDialect };
