// The SQL differential on generated proxy logs (src/generate), which hit real detections: for each
// proxy format, the events as the reader hands them to the hunt (with the derived host fields the
// rules ask for), and the proxy rules of the corpus (SigmaHQ's rules/web/proxy_generic and Quarry's
// hardened rules with their filters) through the reader's pipeline, as the hunt applies them. DuckDB
// and PostgreSQL must each select exactly the events the engine matches, rule by rule.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DATA, REPO } from '../helpers.js';
import { generateProxyLogs, GENERATE_FORMATS } from '../../src/generate/index.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { ruleToIR } from '../../src/ir/rule-path.js';
import type { EventObject } from '../../src/engine/event-access.js';
import { openSource } from '../../src/sources/open-source.js';
import { enrichEvent, planEnrichment } from '../../src/sources/derived-fields.js';
import { ConversionError } from '../../src/backends/common/types.js';
import { postgresBackend, sqlBackend } from '../../src/backends/sql/index.js';
import { sqlIdent, sqlString } from '../../src/backends/sql/literals.js';
import { engineSelect, ruleFields, tableColumns, tableRows } from './sql-differential.js';
import { PgCluster } from './postgres-cluster.js';
import { needs } from '../services.js';
import { indexes, loadIndexed, selectIndexes } from './postgres-select.js';

const noPostgres = needs('postgres');

let cluster: PgCluster | undefined;
after(() => cluster?.stop());

const LINES = 1500;

test('generated proxy logs, every format: DuckDB and PostgreSQL select exactly the events the engine matches for each proxy rule', { skip: noPostgres }, async () => {
  const col = loadSigmaPaths([join(DATA, 'sigmahq/rules/web/proxy_generic'), join(REPO, 'rules/hardened')]);
  assert.ok(col.rules.length >= 30, `${col.rules.length} proxy rules`);
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  const dir = mkdtempSync(join(tmpdir(), 'quarry-sql-gen-'));
  const failures: string[] = [];
  const refused = new Map<string, number>();
  const hits: Record<string, number> = {};
  let compared = 0;
  let comparedPg = 0;
  cluster = PgCluster.start();
  try {
    for (const format of GENERATE_FORMATS.filter((f) => f !== 'bits-json')) {
      const file = join(dir, `proxy.${format}`);
      writeFileSync(file, generateProxyLogs({ seed: 'sql', lines: LINES, format }).text);
      const source = await openSource(file);
      assert.ok(source.pipeline, `${format} has a field pipeline`);
      const pipelines = [builtinPipeline('windows')!, builtinPipeline(source.pipeline)!];
      const irs = col.rules.map((rule) => ({ rule, ir: ruleToIR(rule, { filters: col.filters, pipelines }).ir }));
      // The derived fields (cs-host@tld, …) the rules use, added as the hunt adds them.
      const plan = planEnrichment(irs.flatMap(({ ir }) => ruleFields(ir)));
      const events: EventObject[] = [];
      for await (const r of source.records()) {
        enrichEvent(r.event, plan);
        events.push(r.event as EventObject);
      }
      assert.ok(events.length >= LINES, `${format}: ${events.length} events`);
      // One table per format with every column any rule names (DuckDB resolves names case-insensitively).
      const names = tableColumns(events, irs.flatMap(({ ir }) => (ir.failures.length ? [] : ruleFields(ir))));
      await conn.run('DROP TABLE IF EXISTS events');
      await conn.run(`CREATE TABLE events (${names.map((n) => `${sqlIdent(n)} VARCHAR`).join(', ')})`);
      const rows = tableRows(events, names).map((r) => `(${r.map((t) => (t === null ? 'NULL' : sqlString(t))).join(', ')})`);
      for (let i = 0; i < rows.length; i += 1000) await conn.run(`INSERT INTO events VALUES ${rows.slice(i, i + 1000).join(', ')}`);
      // PostgreSQL: the same table (text columns), every rule's query in one psql session.
      const pgRuns: Array<{ name: string; query: string; want: number[] }> = [];
      for (const { rule, ir } of irs) {
        const name = rule.file.split('/').pop()!;
        if (ir.failures.length) {
          refused.set(`pipeline-failure: ${ir.failures[0]}`, (refused.get(`pipeline-failure: ${ir.failures[0]}`) ?? 0) + 1);
          continue;
        }
        const want = engineSelect(ir, events);
        if (typeof want === 'string') {
          failures.push(`${format} ${name}: the engine cannot run it: ${want}`);
          continue;
        }
        try {
          pgRuns.push({ name, query: postgresBackend.render({ ir, state: {}, pipelines: pipelines.map((p) => p.name) }), want });
        } catch (e) {
          if (!(e instanceof ConversionError)) throw e;
          refused.set(`postgres ${e.code}: ${name}`, (refused.get(`postgres ${e.code}: ${name}`) ?? 0) + 1);
        }
        let query: string;
        try {
          query = sqlBackend.render({ ir, state: {}, pipelines: pipelines.map((p) => p.name) });
        } catch (e) {
          if (!(e instanceof ConversionError)) throw e;
          refused.set(`duckdb ${e.code}: ${name}`, (refused.get(`duckdb ${e.code}: ${name}`) ?? 0) + 1);
          continue;
        }
        const got = (await conn.runAndReadAll(query.replace(/^SELECT \*/, 'SELECT rowid'))).getRowObjects().map((r) => Number(r.rowid)).sort((a, b) => a - b);
        compared++;
        if (want.length) hits[name] = (hits[name] ?? 0) + want.length;
        if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${format} ${name}: DuckDB selects ${got.length} events, the engine ${want.length}\n  ${query.slice(0, 300)}`);
      }
      const r: { status: number | null; stdout: string; stderr: string } = cluster.psql(loadIndexed(events, names) + pgRuns.map((x) => selectIndexes(x.query, names)).join(''));
      if (r.status !== 0) {
        failures.push(`${format}: psql: ${r.stderr.trim().split('\n')[0]}`);
        continue;
      }
      const lines: string[] = r.stdout.split('\n');
      pgRuns.forEach((x, k) => {
        const got = indexes(lines[k]);
        comparedPg++;
        if (JSON.stringify(got) !== JSON.stringify(x.want)) failures.push(`${format} ${x.name}: PostgreSQL selects ${got.length} events ${got.slice(0, 5).join(',')}, the engine ${x.want.length} ${x.want.slice(0, 5).join(',')}\n  ${x.query.slice(0, 300)}`);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`sql on generated logs: ${compared} rule × format comparisons in DuckDB, ${comparedPg} in PostgreSQL; detections by rule: ${JSON.stringify(hits)}; refused: ${JSON.stringify(Object.fromEntries(refused))}\n`);
  assert.deepEqual(failures, []);
  // The data hits real detections: the seed rule and the hardened rule on every format with a user agent.
  assert.ok((hits['proxy_ua_bitsadmin_susp_tld.yml'] ?? 0) > 100, JSON.stringify(hits));
  assert.ok((hits['proxy_bits_user_agent_uncommon_tld_host_aware.yml'] ?? 0) > 100, JSON.stringify(hits));
  assert.ok(Object.keys(hits).length >= 4, JSON.stringify(hits));
});
