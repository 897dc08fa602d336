// PostgreSQL (the `postgres` target with the `windows` pipeline) in a throw-away cluster
// (test/backends/postgres-cluster.ts), one psql session: the group tables of sql-plan.ts with each
// event as a jsonb object of its non-null columns (a wide table of mostly NULLs would make the script
// ten times longer), and per rule one statement that prints `R<n>:` and the positions of the events
// its WHERE holds for. The WHERE runs over `events` built per row by a LATERAL subquery holding
// exactly the event's columns (as test/backends/postgres-select.ts does, for keyword searches over
// row_to_json(events)).
import { POSTGRES, postgresBackend } from '../../../src/backends/sql/index.js';
import type { PgCluster } from '../../backends/postgres-cluster.js';
import type { Corpus } from '../corpus.js';
import type { RuleAnswer, TargetAnswers } from './answers.js';
import { planSql, selectList, whereOf, type SqlGroup, type SqlJob } from './sql-plan.js';

function loadGroup(g: SqlGroup): string {
  const lines = [`CREATE TABLE ${g.table} (_id integer PRIMARY KEY, _rule integer, doc jsonb);`];
  const rows = g.rows.map((r) => {
    const doc: Record<string, string> = {};
    r.values.forEach((v, i) => {
      if (v !== null && v !== undefined) doc[`c${i}`] = v;
    });
    return `(${r.id}, ${r.rule}, ${POSTGRES.string(JSON.stringify(doc))})`;
  });
  for (let i = 0; i < rows.length; i += 500) lines.push(`INSERT INTO ${g.table} VALUES ${rows.slice(i, i + 500).join(', ')};`);
  return lines.join('\n') + '\n';
}

function ruleStatement(job: SqlJob & { query: string }, n: number): string {
  const from = job.ids[0] ?? 0;
  const to = job.ids[job.ids.length - 1] ?? -1;
  const cols = selectList(job, POSTGRES.ident, (i) => `d.doc->>'c${i}'`);
  return `SELECT 'R${n}:' || coalesce(string_agg((d._id - ${from})::text, ' '), '') FROM ${job.group.table} AS d CROSS JOIN LATERAL (SELECT ${cols}) AS events WHERE d._id BETWEEN ${from} AND ${to} AND (${whereOf(job)});\n`;
}

export function runPostgres(corpus: Corpus, cluster: PgCluster): TargetAnswers {
  const plan = planSql(corpus, postgresBackend);
  const answers = new Map<Corpus['cases'][number], RuleAnswer>();
  for (const r of plan.refused) answers.set(r.case, { refused: r.reason });
  const load = cluster.psql(plan.groups.map(loadGroup).join(''));
  if (load.status !== 0) throw new Error(`psql (loading the events): ${load.stderr.trim().split('\n')[0]}`);
  // Errors do not stop the session: a rule whose query fails has no `R<n>:` line and is run alone for its message.
  const r = cluster.psql(plan.jobs.map((j, n) => ruleStatement(j, n)).join(''), false);
  const lines = new Map<number, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^R(\d+):(.*)$/.exec(line);
    if (m) lines.set(Number(m[1]), m[2]!);
  }
  plan.jobs.forEach((job, n) => {
    const line = lines.get(n);
    if (line === undefined) {
      const alone = cluster.psql(ruleStatement(job, n), true);
      answers.set(job.case, { query: job.query, error: alone.stderr.trim().split('\n')[0] ?? 'no output' });
      return;
    }
    const selected = new Set(line.split(' ').filter(Boolean).map(Number));
    answers.set(job.case, { query: job.query, got: job.ids.map((_, i) => selected.has(i)) });
  });
  cluster.psql(plan.groups.map((g) => `DROP TABLE ${g.table};`).join('\n'));
  return { target: 'postgres', pipelines: 'windows', answers };
}
