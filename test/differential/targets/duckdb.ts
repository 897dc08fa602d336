// DuckDB (the `sql` target with the `windows` pipeline), in memory: the group tables of
// sql-plan.ts filled through DuckDB's appender, then per rule a temporary table `events` holding its
// events in order (CREATE TABLE AS … ORDER BY _id: DuckDB keeps insertion order, so rowid i is the
// rule's i-th event) and the rule's own query with `SELECT rowid`.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { sqlBackend } from '../../../src/backends/sql/index.js';
import { sqlIdent } from '../../../src/backends/sql/literals.js';
import type { Corpus } from '../corpus.js';
import type { RuleAnswer, TargetAnswers } from './answers.js';
import { planSql, selectList, whereOf, type SqlGroup, type SqlJob } from './sql-plan.js';

async function loadGroup(conn: DuckDBConnection, g: SqlGroup): Promise<void> {
  await conn.run(`CREATE TABLE ${g.table} (_id INTEGER, _rule INTEGER${g.columns.map((_, i) => `, c${i} VARCHAR`).join('')})`);
  const a = await conn.createAppender(g.table);
  for (const r of g.rows) {
    a.appendInteger(r.id);
    a.appendInteger(r.rule);
    for (let k = 0; k < g.columns.length; k++) {
      const v = r.values[k];
      if (v === null || v === undefined) a.appendNull();
      else a.appendVarchar(v);
    }
    a.endRow();
  }
  a.flushSync();
  a.closeSync();
}

async function ruleEvents(conn: DuckDBConnection, job: SqlJob): Promise<void> {
  const from = job.ids[0] ?? 0;
  const to = job.ids[job.ids.length - 1] ?? -1;
  await conn.run(`CREATE OR REPLACE TEMP TABLE events AS SELECT ${selectList(job, sqlIdent, (i) => `c${i}`)} FROM ${job.group.table} WHERE _id BETWEEN ${from} AND ${to} ORDER BY _id`);
}

export async function runDuckdb(corpus: Corpus): Promise<TargetAnswers> {
  const plan = planSql(corpus, sqlBackend);
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  const answers = new Map<Corpus['cases'][number], RuleAnswer>();
  try {
    for (const g of plan.groups) await loadGroup(conn, g);
    for (const r of plan.refused) answers.set(r.case, { refused: r.reason });
    for (const job of plan.jobs) {
      try {
        await ruleEvents(conn, job);
        const rows = (await conn.runAndReadAll(`SELECT rowid FROM events WHERE ${whereOf(job)}`)).getRows();
        const selected = new Set(rows.map((row) => Number(row[0])));
        answers.set(job.case, { query: job.query, got: job.ids.map((_, i) => selected.has(i)) });
      } catch (e) {
        answers.set(job.case, { query: job.query, error: (e as Error).message.split('\n')[0]! });
      }
    }
  } finally {
    conn.closeSync();
  }
  return { target: 'duckdb', pipelines: 'windows', answers };
}

/** Whether `events` rebuilt for a rule holds its events in order (the rowid assumption above), for a sanity test. */
export async function rowOrderHolds(corpus: Corpus, sample: number): Promise<boolean> {
  const plan = planSql(corpus, sqlBackend);
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    for (const g of plan.groups) await loadGroup(conn, g);
    const byId = new Map(plan.groups.flatMap((g) => g.rows.map((r) => [r.id, r.values] as const)));
    for (const job of plan.jobs.filter((_, i) => i % Math.max(1, Math.floor(plan.jobs.length / sample)) === 0)) {
      await ruleEvents(conn, job);
      const want = job.ids.map((id) => byId.get(id)!);
      const got = (await conn.runAndReadAll('SELECT * FROM events ORDER BY rowid')).getRows();
      for (let i = 0; i < want.length; i++) {
        const row = job.aliases.map(([, c]) => want[i]![c] ?? null);
        if (JSON.stringify(got[i]) !== JSON.stringify(row)) return false;
      }
    }
    return true;
  } finally {
    conn.closeSync();
  }
}
