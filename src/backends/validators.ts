// Each target's check of a rendered query: a real parser where one exists (Microsoft's Kusto
// language service, the lucene package) or a structural validator of ours. Kept apart from the
// target registry because the parsers are Node-side (the explorer's server shows their verdicts).
import type { QueryCheck } from './common/types.js';
import { validateKql } from './kql/validate.js';
import { validateSpl } from './spl/validate.js';
import { validatePostgres } from './sql/validate-postgres.js';
import { validateClickHouse } from './sql/validate-clickhouse.js';
import { validateLucene } from './elastic/lucene/validate.js';
import { validateEsql } from './elastic/esql/validate.js';
import { validateEql } from './elastic/eql/validate.js';

export const VALIDATORS: Readonly<Record<string, (query: string) => QueryCheck>> = {
  kql: validateKql,
  spl: validateSpl,
  postgres: validatePostgres,
  clickhouse: validateClickHouse,
  lucene: validateLucene,
  esql: validateEsql,
  eql: validateEql,
};
