// Assembles a query for one rule in a dialect: `SELECT * FROM events WHERE …`, the pipelines'
// log-source guard (if any) and the detection.
import { and } from '../../ir/lower.js';
import type { Expr } from '../../ir/types.js';
import type { ConvertInput } from '../common/types.js';
import type { SqlDialect } from './dialects/types.js';
import { DUCKDB } from './dialects/duckdb.js';
import { renderExpr } from './render-expr.js';

/** The table every query reads unless a pipeline sets `query_table`. */
export const SQL_DEFAULT_TABLE = 'events';
export const STATE_TABLE = 'query_table';

export function renderSqlQuery(input: ConvertInput, dialect: SqlDialect = DUCKDB): string {
  const { ir, state } = input;
  const t = state[STATE_TABLE];
  const name = typeof t === 'string' && t ? t : SQL_DEFAULT_TABLE;
  const table = name === SQL_DEFAULT_TABLE ? name : dialect.ident(name);
  const conjuncts: Expr[] = [...(ir.guard ? [ir.guard] : []), ir.detection];
  return `SELECT * FROM ${table} WHERE ${renderExpr({ dialect, table }, and(conjuncts))}`;
}
