// Correlations converted to SQL for PostgreSQL, run in a throw-away cluster on the seeded events of
// the DuckDB differential (correlation-cases.ts) and compared with the engine.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { convertCorrelation } from '../../src/backends/common/convert.js';
import { postgresBackend } from '../../src/backends/sql/index.js';
import { PgCluster } from './postgres-cluster.js';
import { loadTable } from './postgres-select.js';
import { tableColumns } from './sql-differential.js';
import { needs } from '../services.js';
import { collection, CORRELATIONS, engineFirstAlerts, events, EVENT_FIELDS } from './correlation-cases.js';

const noPostgres = needs('postgres');
let cluster: PgCluster | undefined;
after(() => cluster?.stop());

for (const [name, body] of Object.entries(CORRELATIONS)) {
  test(`SQL correlation in PostgreSQL = the engine: ${name}`, { skip: noPostgres }, () => {
    const col = collection(body);
    const r = convertCorrelation(col.correlations[0]!, col, postgresBackend, []);
    if (!r.ok) {
      // PostgreSQL has no count(DISTINCT …) over a window frame: value_count is refused, with that reason.
      assert.equal(r.code, 'correlation-unsupported', r.error);
      assert.match(name, /^value_count/);
      return;
    }
    const pg: PgCluster = (cluster ??= PgCluster.start());
    const groupBy = col.correlations[0]!.correlation.groupBy;
    for (let seed = 1; seed <= 5; seed++) {
      const evs = events(seed * 7919, 400);
      const want = engineFirstAlerts(col, evs);
      const cols = [...groupBy.map((g) => `q."${g}"::text`), `(extract(epoch from q.first_window_end) * 1000)::bigint::text`];
      const script = `${loadTable(evs, tableColumns(evs, EVENT_FIELDS))}SELECT ${cols.join(" || '|' || ")} FROM (${r.query}) AS q;\n`;
      const out = pg.psql(script);
      assert.equal(out.status, 0, out.stderr);
      const got = new Map<string, number>();
      for (const line of out.stdout.split('\n').filter(Boolean)) {
        const parts = line.split('|');
        got.set(JSON.stringify(Object.fromEntries(groupBy.map((g, i) => [g, parts[i]!]))), Number(parts[parts.length - 1]));
      }
      assert.deepEqual([...got].sort(), [...want].sort(), `seed ${seed}\n${r.query}`);
    }
  });
}
