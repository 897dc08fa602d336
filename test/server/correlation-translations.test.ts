// A correlation's translations on its rule page: converted where the target converts correlations
// (SQL for DuckDB and PostgreSQL, the latter checked by PostgreSQL's own parser; KQL checked by the
// Kusto analyzer; SPL, ClickHouse, ES|QL and EQL by Quarry's validators), each with its notes, and
// every other target or pipeline saying why not, as `quarry convert` does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { translateCorrelation } from '../../src/server/translations.js';
import { REPO } from '../helpers.js';

test('the example correlation converts to SQL, KQL and SPL, each checked by its validator; pipelines without its tables say why not', () => {
  const col = loadSigmaPaths([join(REPO, 'examples/correlations')]);
  const ts = translateCorrelation(col.correlations[0]!, col);
  const find = (target: string, pipeline?: string) => ts.find((t) => t.target === target && (pipeline === undefined || t.pipeline === pipeline));
  const sql = find('sql');
  assert.ok(sql?.ok, sql?.error);
  assert.match(sql.query!, /RANGE BETWEEN INTERVAL '300000 milliseconds' PRECEDING AND CURRENT ROW/);
  const pg = find('postgres');
  assert.ok(pg?.ok, pg?.error);
  assert.equal(pg.check?.ok, true, pg.check?.problems.join('; '));
  for (const pipeline of ['sentinel-windowsevent', 'sentinel-event']) {
    const kql = find('kql', pipeline);
    assert.ok(kql?.ok, kql?.error);
    assert.equal(kql.check?.ok, true, kql.check?.problems.join('; '));
    assert.match(kql.query!, /bin\(_Time, 5m\)/);
    assert.ok(kql.notes?.some((n) => n.includes('fixed 5m buckets')), pipeline);
  }
  // Defender XDR has no table for the BITS-Client log.
  const xdr = find('kql', 'defender-xdr');
  assert.equal(xdr?.ok, false);
  assert.equal(xdr?.code, 'no-table');
  const spl = find('spl', 'splunk-windows');
  assert.ok(spl?.ok, spl?.error);
  assert.equal(spl.check?.ok, true, spl.check?.problems.join('; '));
  assert.match(spl.query!, /\| streamstats time_window=5m current=f max\(corr_t0\) AS corr_last0 by corr_g0/);
  const cim = find('spl', 'splunk-cim');
  assert.equal(cim?.code, 'no-datamodel');
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
  // The group-by field named through ecs-windows, its column named as the correlation names it.
  assert.match(esql.query!, /\| STATS .* BY window_start = BUCKET\(@timestamp, 5 minutes\), Computer = winlog\.computer_name\n/);
  assert.match(esql.notes?.[0] ?? '', /fixed buckets of 5 minutes/);
  const eql = ok('eql', 'ecs-windows');
  assert.match(eql.query!, /^sequence by winlog\.computer_name with maxspan=5m\n {2}\[process where /);
  assert.equal(eql.notes, undefined);
  const lucene = ts.filter((t) => t.target === 'lucene');
  assert.ok(lucene.length > 0 && lucene.every((t) => !t.ok && t.code === 'correlation-unsupported'));
});
