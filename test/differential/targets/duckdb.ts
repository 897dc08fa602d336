// DuckDB (the `sql` target with the `windows` pipeline), in memory: the tables of sql-plan.ts, one
// statement per rule.
import { DuckDBInstance } from '@duckdb/node-api';
import { sqlBackend } from '../../../src/backends/sql/index.js';
import { sqlIdent, sqlString } from '../../../src/backends/sql/literals.js';
import type { Corpus } from '../corpus.js';
import type { RuleAnswer, TargetAnswers } from './answers.js';
import { answersOf, planSql, ruleSelect } from './sql-plan.js';

export async function runDuckdb(corpus: Corpus): Promise<TargetAnswers> {
  const plan = planSql(corpus, sqlBackend);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const answers = new Map<Corpus['cases'][number], RuleAnswer>();
  try {
    for (const g of plan.groups) {
      await conn.run(`CREATE TABLE ${g.table} (_id INTEGER, _rule INTEGER${g.columns.map((_, i) => `, c${i} VARCHAR`).join('')})`);
      for (let i = 0; i < g.rows.length; i += 500) {
        const rows = g.rows.slice(i, i + 500).map((r) => `(${r.id}, ${r.rule}${g.columns.map((_, k) => `, ${r.values[k] == null ? 'NULL' : sqlString(r.values[k]!)}`).join('')})`);
        await conn.run(`INSERT INTO ${g.table} VALUES ${rows.join(', ')}`);
      }
    }
    for (const r of plan.refused) answers.set(r.case, { refused: r.reason });
    for (const job of plan.jobs) {
      try {
        const rows = (await conn.runAndReadAll(ruleSelect(job, sqlIdent, (i) => `d.c${i}`))).getRows();
        answers.set(job.case, { query: job.query, got: answersOf(job, rows.map((row) => Number(row[0]))) });
      } catch (e) {
        answers.set(job.case, { query: job.query, error: (e as Error).message.split('\n')[0]! });
      }
    }
  } finally {
    conn.closeSync();
  }
  return { target: 'duckdb', pipelines: 'windows', answers };
}
