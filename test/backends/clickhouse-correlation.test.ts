// Correlations converted to ClickHouse SQL, run in a throw-away ClickHouse server (Debian's 18.16,
// which has no window functions: the dialect joins each window end with its group's rows) on the
// seeded events of the DuckDB and PostgreSQL differentials (correlation-cases.ts), compared with the
// engine: the same alerting groups, each with the end of its first window to the millisecond.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { convertCorrelation } from '../../src/backends/common/convert.js';
import { clickhouseBackend } from '../../src/backends/sql/index.js';
import { ClickHouseServer, loadScript } from './clickhouse-server.js';
import { tableColumns } from './sql-differential.js';
import { needs } from '../services.js';
import { collection, CORRELATIONS, engineFirstAlerts, events, EVENT_FIELDS } from './correlation-cases.js';

const noClickHouse = needs('clickhouse');
let server: ClickHouseServer | undefined;
after(() => server?.stop());

for (const [name, body] of Object.entries(CORRELATIONS)) {
  test(`SQL correlation in ClickHouse = the engine: ${name} (5 seeded runs of 400 events)`, { skip: noClickHouse }, async () => {
    const col = collection(body);
    const r = convertCorrelation(col.correlations[0]!, col, clickhouseBackend, []);
    assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.error}`);
    const ch = (server ??= await ClickHouseServer.start());
    const groupBy = col.correlations[0]!.correlation.groupBy;
    let alerting = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const evs = events(seed * 7919, 400);
      const want = engineFirstAlerts(col, evs);
      const out = ch.client(`${loadScript(evs, tableColumns(evs, EVENT_FIELDS))}${r.query} FORMAT JSONEachRow;\n`);
      assert.equal(out.status, 0, out.stderr);
      const got = new Map<string, number>();
      for (const line of out.stdout.split('\n').filter(Boolean)) {
        const row = JSON.parse(line) as Record<string, string | number>;
        // first_window_end is epoch milliseconds; JSONEachRow quotes 64-bit integers.
        got.set(JSON.stringify(Object.fromEntries(groupBy.map((g) => [g, String(row[g])]))), Number(row.first_window_end));
      }
      assert.deepEqual([...got].sort(), [...want].sort(), `seed ${seed}\n${r.query}`);
      alerting += want.size;
    }
    assert.ok(alerting > 0, 'the events make some group alert');
  });
}
