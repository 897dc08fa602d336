// Stacking through DuckDB: the selected events go into a DuckDB database (a file that is kept for
// later queries with `--db`, or memory), and the counts are one SQL aggregation over them. Used for
// large inputs, where a database's spilling aggregation and the kept events are worth the cost.
import { DuckDBInstance, type DuckDBAppender } from '@duckdb/node-api';
import { stringifyExact } from '../json/stringify-exact.js';
import type { EventSource } from '../sources/types.js';
import { compareRows, selectOccurrences, type StackOptions, type StackResult, type StackRow } from './stack.js';

export const STACK_TABLE_SQL = `CREATE OR REPLACE TABLE stack_events (
  value VARCHAR NOT NULL,   -- the value of the --by field
  client VARCHAR,           -- the client field, when the event has one
  time VARCHAR,             -- ISO 8601 event time, when it can be read
  file VARCHAR NOT NULL,
  line BIGINT,
  record BIGINT,
  event JSON,               -- the whole event, derived fields included (kept with --db)
  rules JSON                -- titles of the rules that matched it (with --rules)
)`;

/**
 * DuckDB's memory ceiling for stacking. Its default (80% of RAM) let a 1 GB stack take 2.3 times the
 * memory of the in-memory path; under this limit its aggregation spills to `temp_directory` instead.
 */
export const STACK_DUCKDB_MEMORY_LIMIT = '512MB';

/** Rows appended between flushes to the table. */
const FLUSH_ROWS = 100_000;

export interface StackDuckDbSettings {
  /** DuckDB `memory_limit` (default STACK_DUCKDB_MEMORY_LIMIT). */
  memoryLimit?: string;
  /** Where DuckDB spills (default: beside the database file; give a folder that is cleaned up). */
  tempDirectory?: string;
  /**
   * Store each selected event's JSON (default true: `--db` keeps them for the user). A temporary
   * database needs only the value, client and time: without the events it holds a fraction of the input.
   */
  keepEvents?: boolean;
}

export async function stackWithDuckDb(sources: EventSource[], opts: StackOptions, dbPath = ':memory:', settings: StackDuckDbSettings = {}): Promise<StackResult> {
  const instance = await DuckDBInstance.create(dbPath, {
    memory_limit: settings.memoryLimit ?? STACK_DUCKDB_MEMORY_LIMIT,
    // the rows are sorted afterwards (compareRows): no need to hold them in input order
    preserve_insertion_order: 'false',
    ...(settings.tempDirectory ? { temp_directory: settings.tempDirectory } : {}),
  });
  const keepEvents = settings.keepEvents ?? true;
  const connection = await instance.connect();
  try {
    await connection.run(STACK_TABLE_SQL);
    const appender: DuckDBAppender = await connection.createAppender('stack_events');
    const text = (v: string | undefined) => (v === undefined ? appender.appendNull() : appender.appendVarchar(v));
    const int = (v: number | undefined) => (v === undefined ? appender.appendNull() : appender.appendBigInt(BigInt(v)));
    // Appended rows stay in the transaction's memory until flushed; flushing every block keeps the
    // process within the memory limit (unflushed, a 1 GB input held about 1 GB of RSS).
    let pending = 0;
    const counts = await selectOccurrences(sources, opts, (o) => {
      appender.appendVarchar(o.value);
      text(o.client);
      text(o.time);
      appender.appendVarchar(o.file);
      int(o.line);
      int(o.record);
      text(keepEvents ? stringifyExact(o.event) : undefined);
      text(o.rules ? JSON.stringify(o.rules) : undefined);
      appender.endRow();
      if (++pending === FLUSH_ROWS) {
        appender.flushSync();
        pending = 0;
      }
    });
    appender.closeSync();
    const reader = await connection.runAndReadAll(
      `SELECT value, count(*) AS count, count(DISTINCT client) AS clients, min(time) AS first_seen, max(time) AS last_seen
       FROM stack_events GROUP BY value`,
    );
    const rows: StackRow[] = reader.getRowObjects().map((r) => ({
      value: String(r.value),
      count: Number(r.count),
      clients: Number(r.clients),
      firstSeen: r.first_seen === null ? undefined : String(r.first_seen),
      lastSeen: r.last_seen === null ? undefined : String(r.last_seen),
    }));
    // Sorted here with the same comparison as the in-memory stack, so both give the same order.
    rows.sort(compareRows);
    return { rows, ...counts };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
