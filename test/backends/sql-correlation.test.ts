// Correlations converted to SQL, run in DuckDB on seeded random events and compared with the engine
// (the detector and the correlator, as `quarry hunt` runs them): every group the engine alerts on,
// and the end of its first window, is what the query returns; and what SQL cannot say is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { convertCorrelation } from '../../src/backends/common/convert.js';
import { collection, CORRELATIONS, engineFirstAlerts, events, EVENT_FIELDS } from './correlation-cases.js';
import { clickhouseBackend, sqlBackend } from '../../src/backends/sql/index.js';
import { validateClickHouse } from '../../src/backends/sql/validate-clickhouse.js';
import { tableColumns, tableRows } from './sql-differential.js';
import type { EventObject } from '../../src/engine/event-access.js';

let conn: DuckDBConnection | undefined;
async function duckdb(): Promise<DuckDBConnection> {
  return (conn ??= await (await DuckDBInstance.create(':memory:')).connect());
}

async function sqlFirstAlerts(query: string, groupBy: string[], evs: EventObject[]): Promise<Map<string, number>> {
  const c = await duckdb();
  const names = tableColumns(evs, EVENT_FIELDS);
  await c.run('DROP TABLE IF EXISTS events');
  await c.run(`CREATE TABLE events (${names.map((n) => `"${n}" VARCHAR`).join(', ')})`);
  const rows = tableRows(evs, names).map((r) => `(${r.map((t) => (t === null ? 'NULL' : `'${t.replace(/'/g, "''")}'`)).join(', ')})`);
  await c.run(`INSERT INTO events VALUES ${rows.join(', ')}`);
  const out = new Map<string, number>();
  for (const row of (await c.runAndReadAll(`SELECT *, epoch_ms(first_window_end) AS end_ms FROM (${query})`)).getRowObjects()) {
    out.set(JSON.stringify(Object.fromEntries(groupBy.map((g) => [g, String(row[g])]))), Number(row.end_ms));
  }
  return out;
}

for (const [name, body] of Object.entries(CORRELATIONS)) {
  test(`SQL correlation in DuckDB = the engine: ${name} (5 seeded runs of 400 events)`, async () => {
    const col = collection(body);
    const r = convertCorrelation(col.correlations[0]!, col, sqlBackend, []);
    assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.error}`);
    const groupBy = col.correlations[0]!.correlation.groupBy;
    let alerting = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const evs = events(seed * 7919, 400);
      const want = engineFirstAlerts(col, evs);
      const got = await sqlFirstAlerts(r.query, groupBy, evs);
      assert.deepEqual([...got].sort(), [...want].sort(), `seed ${seed}\n${r.query}`);
      alerting += want.size;
    }
    assert.ok(alerting > 0, 'the events make some group alert');
  });
}

test('what SQL cannot say is refused with a reason: upper bounds, percentiles, three ordered rules, chains', () => {
  const refused = (body: string) => {
    const col = collection(body);
    const r = convertCorrelation(col.correlations[0]!, col, sqlBackend, []);
    assert.ok(!r.ok);
    return r.code;
  };
  assert.equal(refused('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 5m\ncondition:\n    lt: 3'), 'correlation-condition');
  assert.equal(refused('type: value_median\nrules: [success]\ngroup-by: [User]\ntimespan: 5m\ncondition:\n    field: Bytes\n    gt: 3'), 'correlation-unsupported');
  assert.equal(refused('type: temporal\ngroup-by: [User]\ntimespan: 5m\ncondition: failed and not success'), 'correlation-condition');
});

test('ClickHouse correlation queries pass the structural ClickHouse validator; a broken one does not', () => {
  for (const [name, body] of Object.entries(CORRELATIONS)) {
    const col = collection(body);
    const r = convertCorrelation(col.correlations[0]!, col, clickhouseBackend, []);
    if (!r.ok) assert.fail(`${name}: ${r.error}`);
    assert.deepEqual(validateClickHouse(r.query).problems, [], `${name}\n${r.query}`);
    // One bracket less, or a function ClickHouse does not have, is found.
    const last = r.query.lastIndexOf(')');
    assert.match(validateClickHouse(r.query.slice(0, last) + r.query.slice(last + 1)).problems.join(' '), /unclosed/, name);
    assert.match(validateClickHouse(r.query.replace('toUnixTimestamp(', 'toUnixTime(')).problems.join(' '), /unknown function toUnixTime/, name);
  }
});
