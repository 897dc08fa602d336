// The ClickHouse dialect, for real: a throw-away ClickHouse server (clickhouse-server.ts, Debian's
// 18.16) runs every query over the flat event table (Nullable(String) columns, Memory engine), and
// the rows it selects must be exactly the rows of the events the engine matches. Rows come back by
// content (a query is a function of the row, so equal rows are selected alike): the multisets of
// selected rows are compared. SigmaHQ's regression cases and variants first, then edge cases, then
// the whole corpus through the structural validator and the server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DATA, parseRule, ruleWith } from '../helpers.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import type { SigmaRule } from '../../src/sigma/model.js';
import { lowerRule } from '../../src/ir/lower.js';
import type { RuleIR } from '../../src/ir/types.js';
import type { EventObject } from '../../src/engine/event-access.js';
import { ConversionError } from '../../src/backends/common/types.js';
import { clickhouseBackend } from '../../src/backends/sql/index.js';
import { validateClickHouse } from '../../src/backends/sql/validate-clickhouse.js';
import { TARGETS } from '../../src/backends/targets.js';
import { VALIDATORS } from '../../src/backends/validators.js';
import { ClickHouseServer, loadScript } from './clickhouse-server.js';
import { needs } from '../services.js';
import { engineSelect, regressionCases, regressionEvents, ruleFields, tableColumns, tableRows, variants, convertSqlCorpus } from './sql-differential.js';

const noClickHouse = needs('clickhouse');

let server: ClickHouseServer | undefined;
async function ch(): Promise<ClickHouseServer> {
  return (server ??= await ClickHouseServer.start());
}
after(() => server?.stop());

type Job = { ok: true; query: string; script: string; names: string[]; want: string[] } | { ok: false; code: string; error: string };

const rowKey = (values: ReadonlyArray<string | null>): string => JSON.stringify(values);

/** Renders the rule for ClickHouse; the script loads the events and prints a marker and the selected rows. */
function chJob(ir: RuleIR, events: readonly EventObject[], selected: readonly number[], marker: string): Job {
  let query: string;
  try {
    query = clickhouseBackend.render({ ir, state: {}, pipelines: [] });
  } catch (e) {
    if (e instanceof ConversionError) return { ok: false, code: e.code, error: e.message };
    throw e;
  }
  assert.ok(query.startsWith('SELECT * FROM events WHERE '), query);
  const names = tableColumns(events, ruleFields(ir));
  const rows = tableRows(events, names);
  const want = selected.map((i) => rowKey(rows[i]!)).sort();
  return { ok: true, query, names, want, script: loadScript(events, names) + `SELECT '${marker}';\n${query} FORMAT JSONEachRow;\n` };
}

/** Runs the jobs in one client session; returns each job's selected rows (as keys, sorted). */
async function runJobs(jobs: ReadonlyArray<Extract<Job, { ok: true }>>): Promise<string[][]> {
  const r = (await ch()).client(jobs.map((j) => j.script).join(''));
  if (r.status !== 0) throw new Error(`clickhouse-client: ${r.stderr.trim().split('\n').slice(0, 2).join(' ')}`);
  const out: string[][] = jobs.map(() => []);
  let k = -1;
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const m = /^#(\d+)$/.exec(line);
    if (m) {
      k = Number(m[1]);
      continue;
    }
    const obj = JSON.parse(line) as Record<string, string | null>;
    out[k]!.push(rowKey(jobs[k]!.names.map((n) => obj[n] ?? null)));
  }
  return out.map((x) => x.sort());
}

test('SigmaHQ regression cases: ClickHouse selects exactly the rows of the events the engine matches (and of variants)', { skip: noClickHouse }, async () => {
  const cases = regressionCases();
  assert.equal(cases.length, 140);
  const failures: string[] = [];
  const refused: Record<string, string> = {};
  const jobs: Array<{ c: string; job: Extract<Job, { ok: true }> }> = [];
  let variantEvents = 0;
  for (const c of cases) {
    const col = loadSigmaPaths([join(DATA, 'sigma-regression', c, 'rule.yml')]);
    const ir = lowerRule(col.rules[0]!);
    const events = await regressionEvents(c);
    const extra = variants(events, ruleFields(ir));
    const all = [...events, ...extra];
    const want = engineSelect(ir, all);
    if (typeof want === 'string') {
      failures.push(`${c}: the engine cannot run the rule: ${want}`);
      continue;
    }
    const job = chJob(ir, all, want, `#${jobs.length}`);
    if (!job.ok) {
      refused[c] = `[${job.code}] ${job.error}`;
      continue;
    }
    const check = validateClickHouse(job.query);
    if (!check.ok) failures.push(`${c}: structural validator: ${check.problems.join('; ')}`);
    jobs.push({ c, job });
    variantEvents += extra.length;
  }
  const results = await runJobs(jobs.map((j) => j.job));
  jobs.forEach(({ c, job }, k) => {
    if (JSON.stringify(results[k]) !== JSON.stringify(job.want)) failures.push(`${c}: ClickHouse selects ${results[k]!.length} rows, the engine ${job.want.length}\n  ${job.query.slice(0, 400)}`);
  });
  process.stdout.write(`clickhouse differential: ${jobs.length} of ${cases.length} rules compared (${variantEvents} variant events), ${Object.keys(refused).length} refused\n`);
  for (const [c, why] of Object.entries(refused)) process.stdout.write(`  refused ${c}: ${why}\n`);
  assert.deepEqual(failures, []);
  assert.deepEqual(refused, {});
});

/** Hand-written cases: ClickHouse and the engine must agree; `expect` pins the engine too. */
async function agree(detection: string, events: EventObject[], expect: number[]): Promise<string> {
  const { rule, diagnostics } = parseRule(ruleWith(detection));
  assert.ok(rule, diagnostics.map((d) => d.message).join('; '));
  const ir = lowerRule(rule as SigmaRule);
  assert.deepEqual(engineSelect(ir, events), expect, 'engine');
  const job = chJob(ir, events, expect, '#0');
  assert.ok(job.ok, job.ok ? '' : job.error);
  assert.deepEqual(validateClickHouse(job.query).problems, []);
  assert.deepEqual((await runJobs([job]))[0], job.want, job.query);
  return job.query;
}

test('ClickHouse: wildcards, backslashes and quotes in literals, case, null, neq, not', { skip: noClickHouse }, async () => {
  const q = await agree(`selection:\n    CommandLine: 'a*b?c'\n    Image|endswith: '\\x_y%.exe'\ncondition: selection`, [{ CommandLine: 'A--b!C', Image: 'C:\\X_Y%.EXE' }, { CommandLine: 'ab!c', Image: 'C:\\xay%.exe' }, { CommandLine: 'a\nb c', Image: 'D:\\x_y%.exe' }], [0, 2]);
  assert.match(q, /LIKE 'a%b_c'/);
  await agree(`selection:\n    F: 'it''s\\\\*'\ncondition: selection`, [{ F: "It's\\ me" }, { F: "it's me" }], [0]);
  await agree(`selection:\n    F|cased|contains: 'B?'\ncondition: selection`, [{ F: 'aB?' }, { F: 'ab?' }, { F: 'xB?y' }], [0, 2]);
  await agree(`selection:\n    F: null\ncondition: selection`, [{ F: '' }, {}, { G: 'x' }, { F: 'x' }], [1, 2]);
  await agree(`selection:\n    F|neq: 'x'\ncondition: selection`, [{ F: '' }, {}, { F: 'X' }, { F: 'y' }], [0, 3]);
  await agree(`selection:\n    F: 'x'\ncondition: not selection`, [{ F: '' }, {}, { F: 'X' }, { F: 'y' }], [0, 1, 3]);
});

test('ClickHouse: numbers (padding, +, exponents), regex flags, CIDR, keywords', { skip: noClickHouse }, async () => {
  await agree(`selection:\n    F: 10\ncondition: selection`, [{ F: 10 }, { F: '10' }, { F: '+10.0' }, { F: ' 10 ' }, { F: '1_0' }, { F: '0x0a' }, { F: 'inf' }, {}], [0, 1, 2, 3]);
  await agree(`selection:\n    F|gte: 5\ncondition: not selection`, [{ F: 5 }, { F: '4.5' }, { F: 'x' }, {}, { F: '1e3' }, { F: '1_000' }, { F: '.5' }], [1, 2, 3, 5, 6]);
  await agree(`selection:\n    F|re: '^a.c$'\ncondition: selection`, [{ F: 'abc' }, { F: 'ABC' }, { F: 'a\nc' }, { F: 'x\nabc' }], [0]);
  await agree(`selection:\n    F|re|i|m|s: '^a.c$'\ncondition: selection`, [{ F: 'abc' }, { F: 'ABC' }, { F: 'a\nc' }, { F: 'x\nabc' }], [0, 1, 2, 3]);
  await agree(`selection:\n    F|cidr:\n        - 10.0.0.0/8\n        - 192.168.1.0/24\ncondition: selection`, [{ F: '10.1.2.3' }, { F: ' 010.001.2.3 ' }, { F: '192.168.1.255' }, { F: '192.168.2.1' }, { F: '::ffff:10.0.0.1' }, { F: '10.256.0.1' }, {}], [0, 1, 2, 4]);
  const q = await agree(`keywords:\n    - 'evil'\n    - 'x*y?z'\ncondition: keywords`, [{ A: 'an EVIL one' }, { A: 'no', B: 'xAAyBz' }, { A: 'x', B: 'yz' }, { N: 12 }], [0, 1]);
  assert.match(q, /arrayExists\(_v -> .*array\(\*\)\)/);
  await agree(`keywords:\n    - 12\ncondition: not keywords`, [{ A: 'an EVIL one' }, { N: 12 }, { N: '12.0' }], [0]);
});

test('the clickhouse target is registered; its structural validator finds real faults', () => {
  assert.equal(TARGETS.clickhouse!.backend.target, 'clickhouse');
  assert.equal(VALIDATORS.clickhouse!("SELECT * FROM events WHERE lowerUTF8(`a`) = 'b'").ok, true);
  for (const [q, why] of [
    ["SELECT * FROM events WHERE lowerUTF8(`a` = 'b'", /unclosed \(/],
    ["SELECT * FROM events WHERE lower(`a`) = 'b'", /unknown function lower/],
    ["SELECT * FROM events WHERE startsWith(`a`) = 'b'", /startsWith takes 2/],
    ["SELECT * FROM events WHERE match(`a`, '(?<=x)a')", /does not compile in RE2/],
    ["SELECT * FROM events WHERE `a` = 'b", /unterminated string/],
    ['SELECT * FROM events WHERE a = 1', /unexpected word a/],
  ] as const) {
    const r = validateClickHouse(q);
    assert.equal(r.ok, false, q);
    assert.match(r.problems.join('; '), why, q);
  }
});

test('every ClickHouse query of the SigmaHQ corpus passes the structural validator and runs in ClickHouse', { skip: noClickHouse }, async () => {
  const { rules, converted, refusedBy, invalid } = convertSqlCorpus(clickhouseBackend, validateClickHouse, 3);
  assert.deepEqual(invalid.slice(0, 20), []);
  // One table with every field (exact spellings: ClickHouse names are case-sensitive), two rows:
  // all NULL and all 'a'. Each query runs alone, so that an error names its rule.
  // The server (18.16) takes about 18 ms a query over this wide table: it runs every fifth query and
  // every query with a rarer construct (keyword search over array(*), CIDR); the validator has
  // read them all.
  const run = converted.filter((x, i) => i % 5 === 0 || /arrayExists|extractAll/.test(x.query));
  const names = [...new Set(run.flatMap((x) => x.fields))];
  const server = await ch();
  const load = server.client(loadScript([{}, Object.fromEntries(names.map((n) => [n, 'a']))], names));
  assert.equal(load.status, 0, load.stderr);
  const failures: string[] = [];
  const BATCH = 500;
  for (let i = 0; i < run.length; i += BATCH) {
    const batch = run.slice(i, i + BATCH);
    // count() over the WHERE of the query: the same predicate, without materialising every column.
    const r = server.client(batch.map((x, k) => `SELECT '#${k}';\nSELECT count() FROM events ${x.query.slice(x.query.indexOf('WHERE '))};\n`).join(''));
    if (r.status === 0) continue;
    // The first failing query ends the run: name it, then go on after it.
    const done = r.stdout.split('\n').filter((l) => l.startsWith('#')).length;
    const bad = batch[done - 1];
    failures.push(`${bad?.file}: ${r.stderr.trim().split('\n')[0]}`);
    run.splice(i + done - 1, 1);
    i -= BATCH;
  }
  process.stdout.write(`clickhouse corpus: ${converted.length} of ${rules} rules converted and validated, ${run.length} run in ClickHouse ${server.client('SELECT version()').stdout.trim()}; refused: ${JSON.stringify(Object.fromEntries(refusedBy))}\n`);
  assert.deepEqual(failures.slice(0, 20), []);
  assert.ok(converted.length > 3000);
});
