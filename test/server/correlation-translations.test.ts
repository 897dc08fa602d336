// A correlation's translations on its rule page: converted where the target converts correlations
// (SQL for DuckDB, PostgreSQL (checked by PostgreSQL's own parser) and ClickHouse, ES|QL, EQL, each
// checked by its validator), and every other
// target saying why not, as `quarry convert` does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { translateCorrelation } from '../../src/server/translations.js';
import { REPO } from '../helpers.js';

test('the example correlation converts to DuckDB and PostgreSQL SQL (parsed by libpg-query); KQL says why not', () => {
  const col = loadSigmaPaths([join(REPO, 'examples/correlations')]);
  const ts = translateCorrelation(col.correlations[0]!, col);
  const sql = ts.find((t) => t.target === 'sql');
  assert.ok(sql?.ok, sql?.error);
  assert.match(sql.query!, /RANGE BETWEEN INTERVAL '300000 milliseconds' PRECEDING AND CURRENT ROW/);
  const pg = ts.find((t) => t.target === 'postgres');
  assert.ok(pg?.ok, pg?.error);
  assert.equal(pg.check?.ok, true, pg.check?.problems.join('; '));
  const kql = ts.find((t) => t.target === 'kql');
  assert.equal(kql?.ok, false);
  assert.equal(kql?.code, 'correlation-unsupported');
  assert.ok(ts.findIndex((t) => !t.ok) > ts.findIndex((t) => t.ok), 'converted translations come first');
});

test('the example correlation converts to ClickHouse, ES|QL (with the fixed-bucket note) and EQL, each passing its validator; Lucene says why not', () => {
  const col = loadSigmaPaths([join(REPO, 'examples/correlations')]);
  const ts = translateCorrelation(col.correlations[0]!, col);
  const ok = (target: string, pipeline: string) => {
    const t = ts.find((x) => x.target === target && x.pipeline === pipeline);
    assert.ok(t?.ok, `${target} · ${pipeline}: ${t?.error}`);
    assert.equal(t.check?.ok, true, t.check?.problems.join('; '));
    return t;
  };
  assert.match(ok('clickhouse', 'none').query!, /INNER JOIN/);
  const esql = ok('esql', 'ecs-windows');
  assert.match(esql.query!, /\| STATS .* BY window_start = BUCKET\(@timestamp, 5 minutes\), Computer\n/);
  assert.match(esql.notes?.[0] ?? '', /fixed buckets of 5 minutes/);
  const eql = ok('eql', 'ecs-windows');
  assert.match(eql.query!, /^sequence by Computer with maxspan=5m\n {2}\[process where /);
  assert.equal(eql.notes, undefined);
  const lucene = ts.filter((t) => t.target === 'lucene');
  assert.ok(lucene.length > 0 && lucene.every((t) => !t.ok && t.code === 'correlation-unsupported'));
});
