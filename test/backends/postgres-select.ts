// Running rules in PostgreSQL over events, for the differential tests (postgres.test.ts,
// sql-generated.test.ts): the scripts that load the flat table, and one psql session for many rules.
//
// Row identity: a heap's ctid order is not insertion order (inserts reuse free space on earlier
// pages), and an id column in `events` would be seen by keyword searches (row_to_json(events)).
// So the events are stored in `events_data` (an `_id` and columns c0, c1, …) and each query's WHERE
// runs over `events` rebuilt per row by a LATERAL subquery that holds the event's columns only.
import assert from 'node:assert/strict';
import type { RuleIR } from '../../src/ir/types.js';
import type { EventObject } from '../../src/engine/event-access.js';
import { ConversionError } from '../../src/backends/common/types.js';
import { POSTGRES, postgresBackend } from '../../src/backends/sql/index.js';
import type { PgCluster } from './postgres-cluster.js';
import { ruleFields, tableColumns, tableRows } from './sql-differential.js';

const PREFIX = 'SELECT * FROM events WHERE ';

function rowValues(events: readonly EventObject[], names: readonly string[]): string[] {
  return tableRows(events, names).map((r) => r.map((t) => (t === null ? 'NULL' : POSTGRES.string(t))).join(', '));
}

/** A plain `events` table (one text column per name), for queries that only need to run. */
export function loadTable(events: readonly EventObject[], names: readonly string[]): string {
  const lines = ['DROP TABLE IF EXISTS events;', `CREATE TABLE events (${names.map((n) => `${POSTGRES.ident(n)} text`).join(', ')});`];
  const rows = rowValues(events, names).map((v) => `(${v})`);
  for (let i = 0; i < rows.length; i += 500) lines.push(`INSERT INTO events VALUES ${rows.slice(i, i + 500).join(', ')};`);
  return lines.join('\n') + '\n';
}

/** `events_data` with the events' indexes in `_id` (see the top of this file). */
export function loadIndexed(events: readonly EventObject[], names: readonly string[]): string {
  const lines = ['DROP TABLE IF EXISTS events_data;', `CREATE TABLE events_data (_id integer${names.map((_, i) => `, c${i} text`).join('')});`];
  const rows = rowValues(events, names).map((v, i) => `(${i}${v ? `, ${v}` : ''})`);
  for (let i = 0; i < rows.length; i += 500) lines.push(`INSERT INTO events_data VALUES ${rows.slice(i, i + 500).join(', ')};`);
  return lines.join('\n') + '\n';
}

/** The statement that prints, on one line, the indexes of the events a query selects (over loadIndexed's table). */
export function selectIndexes(query: string, names: readonly string[]): string {
  assert.ok(query.startsWith(PREFIX), query);
  const cols = names.map((n, i) => `d.c${i} AS ${POSTGRES.ident(n)}`).join(', ');
  return `SELECT coalesce(string_agg(d._id::text, ' '), '') FROM events_data AS d CROSS JOIN LATERAL (SELECT ${cols || 'NULL AS _none'}) AS events WHERE ${query.slice(PREFIX.length)};\n`;
}

export type PgOutcome = { ok: true; query: string; rows: number[] } | { ok: false; code: string; error: string };
export type PgJob = { ok: true; query: string; script: string } | { ok: false; code: string; error: string };

/** Renders the rule for PostgreSQL and writes the script that loads the events and prints the indexes the query selects. */
export function pgJob(ir: RuleIR, events: readonly EventObject[], fields = ruleFields(ir)): PgJob {
  let query: string;
  try {
    query = postgresBackend.render({ ir, state: {}, pipelines: [] });
  } catch (e) {
    if (e instanceof ConversionError) return { ok: false, code: e.code, error: e.message };
    throw e;
  }
  const names = tableColumns(events, fields);
  return { ok: true, query, script: loadIndexed(events, names) + selectIndexes(query, names) };
}

/** Reads one line of indexes. */
export function indexes(line: string | undefined): number[] {
  return (line ?? '').split(' ').filter(Boolean).map(Number).sort((a, b) => a - b);
}

/** Runs jobs in one psql session (a process per job would cost seconds): each prints one line. */
export function runJobs(cluster: PgCluster, jobs: ReadonlyArray<Extract<PgJob, { ok: true }>>): number[][] {
  const r = cluster.psql(jobs.map((j) => j.script).join(''));
  if (r.status !== 0) throw new Error(`psql: ${r.stderr.trim().split('\n')[0]}`);
  const lines = r.stdout.split('\n');
  return jobs.map((_, k) => indexes(lines[k]));
}
