// The DuckDB check of a rendered SQL query: DuckDB itself parses, binds and plans it (EXPLAIN) over an
// `events` table that has a VARCHAR column for every quoted name the query uses, as the flat event
// table of src/backends/sql/README.md has. So a wrong function, argument type or syntax is DuckDB's
// own error, not a guess. Asynchronous (the DuckDB client is), so it stands apart from VALIDATORS;
// one in-memory database serves every check of a process.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { QueryCheck } from '../common/types.js';

export const DUCKDB_VALIDATOR = 'DuckDB (parse, bind and plan with EXPLAIN)';

let connection: Promise<DuckDBConnection> | undefined;

function connect(): Promise<DuckDBConnection> {
  connection ??= DuckDBInstance.create(':memory:').then((db) => db.connect());
  return connection;
}

/** The double-quoted names of a query, outside its single-quoted string literals. */
export function quotedNames(query: string): string[] {
  const names = new Set<string>();
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === "'") {
      for (i++; i < query.length; i++) if (query[i] === "'") { if (query[i + 1] === "'") i++; else break; }
    } else if (c === '"') {
      let name = '';
      for (i++; i < query.length; i++) {
        if (query[i] === '"') { if (query[i + 1] === '"') { name += '"'; i++; continue; } break; }
        name += query[i];
      }
      names.add(name);
    }
  }
  return [...names];
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

// Checks run one at a time: each one recreates the shared `events` table.
let queue: Promise<unknown> = Promise.resolve();

export function validateDuckdb(query: string): Promise<QueryCheck> {
  const run = queue.then(async (): Promise<QueryCheck> => {
    const c = await connect();
    const columns = quotedNames(query);
    await c.run(`CREATE OR REPLACE TABLE events (${columns.length ? columns.map((n) => `${quote(n)} VARCHAR`).join(', ') : '"_" VARCHAR'})`);
    try {
      await c.run(`EXPLAIN ${query}`);
      return { validator: DUCKDB_VALIDATOR, ok: true, problems: [] };
    } catch (e) {
      return { validator: DUCKDB_VALIDATOR, ok: false, problems: [(e as Error).message.split('\n')[0]!] };
    }
  });
  queue = run.catch(() => undefined);
  return run;
}
