// A correlation's translations on its rule page: converted where the target converts correlations
// (SQL for DuckDB and PostgreSQL, the latter checked by PostgreSQL's own parser), and every other
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
