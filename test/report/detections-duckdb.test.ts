// `quarry hunt --format duckdb --output FILE`: a table `detections` that SQL can query afterwards,
// holding what the JSONL output holds, and read back in hunt order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { readDuckDbDetections } from '../../src/report/detections-duckdb.js';
import { REPO } from '../helpers.js';

test('the bundled hunt as a DuckDB table: same detections as JSONL, queryable with SQL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-duck-'));
  const db = join(dir, 'hunt.duckdb');
  const jsonl = join(dir, 'hunt.jsonl');
  const quarry = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), 'hunt', ...args], { encoding: 'utf8', cwd: REPO });
  assert.equal(quarry('--format', 'duckdb', '--output', db, '--quiet').status, 0);
  assert.equal(quarry('--format', 'jsonl', '--output', jsonl, '--quiet').status, 0);
  const expected = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const { detections: got, info } = await readDuckDbDetections(db);
  assert.equal(info?.completed, true);
  // The explorer's demo hunt (server/bundled.ts): 13 detections, one of them the example correlation.
  assert.equal(info?.detections, 13);
  assert.equal(got.length, 13);
  const plain = (ds: any[]) => ds.filter((d) => d.rule.type !== 'correlation');
  assert.deepEqual(JSON.parse(JSON.stringify(plain(got))), plain(expected));
  // A correlation detection comes back with its fields under `correlation` (the column it is kept in).
  const corr = JSON.parse(JSON.stringify(got.find((d: any) => d.rule.type === 'correlation')));
  const corrJsonl = expected.find((d) => d.rule.type === 'correlation');
  for (const k of ['group', 'window', 'value', 'events', 'eventCount', 'condition']) assert.deepEqual(corr.correlation[k], corrJsonl[k], k);

  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT rule_level, count(*) AS n, list(json_extract_string(event, '$."cs-host"') ORDER BY json_extract_string(event, '$."cs-host"')) FILTER (WHERE json_extract_string(event, '$."cs-host"') IS NOT NULL) AS hosts
       FROM detections GROUP BY rule_level ORDER BY rule_level`,
    );
    const rows = reader.getRowObjects().map((r) => ({ level: String(r.rule_level), n: Number(r.n), hosts: r.hosts === null ? [] : String(r.hosts) }));
    assert.deepEqual(rows.map((r) => [r.level, r.n]), expected.reduce((acc: Array<[string, number]>, d) => {
      const e = acc.find((x) => x[0] === d.rule.level);
      if (e) e[1]++;
      else acc.push([d.rule.level, 1]);
      return acc;
    }, []).sort((a, b) => a[0].localeCompare(b[0])));
    // Each BITS host twice: the plain rule and its host-aware twin (rules/hardened).
    assert.equal(rows.find((r) => r.level === 'high')!.hosts, "['cdn-update.top', 'cdn-update.top', 'files.example-mirror.de', 'files.example-mirror.de']");
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});
