// Assembles a DuckDB query for one rule: `SELECT * FROM events WHERE …`, the pipelines' log-source
// guard (if any) and the detection.
import { and } from '../../ir/lower.js';
import type { Expr } from '../../ir/types.js';
import type { ConvertInput } from '../common/types.js';
import { sqlIdent } from './literals.js';
import { renderExpr } from './render-expr.js';

/** The table every query reads unless a pipeline sets `query_table`. */
export const SQL_DEFAULT_TABLE = 'events';
export const STATE_TABLE = 'query_table';

export function renderSqlQuery({ ir, state }: ConvertInput): string {
  const t = state[STATE_TABLE];
  const table = typeof t === 'string' && t ? t : SQL_DEFAULT_TABLE;
  const conjuncts: Expr[] = [...(ir.guard ? [ir.guard] : []), ir.detection];
  const where = renderExpr(and(conjuncts));
  return `SELECT * FROM ${table === SQL_DEFAULT_TABLE ? table : sqlIdent(table)} WHERE ${where}`;
}
