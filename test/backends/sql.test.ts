// The SQL (DuckDB) target, differentially: every query runs in an in-memory DuckDB over the flat
// event table, and the rows it selects must be exactly the events the engine's compiled detection
// matches. SigmaHQ's regression cases (and variants of their events) first, then edge cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DATA, parseRule, ruleWith } from '../helpers.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import type { SigmaRule } from '../../src/sigma/model.js';
import { lowerRule } from '../../src/ir/lower.js';
import type { RuleIR } from '../../src/ir/types.js';
import type { EventObject } from '../../src/engine/event-access.js';
import { ConversionError } from '../../src/backends/common/types.js';
import { sqlBackend } from '../../src/backends/sql/index.js';
import { sqlIdent, sqlString } from '../../src/backends/sql/literals.js';
import { TARGETS } from '../../src/backends/targets.js';
import { convertRule } from '../../src/backends/common/convert.js';
import { corpusCidrCases } from './cidr-cases.js';
import { engineSelect, REGRESSION, regressionCases, regressionEvents, ruleFields, tableColumns, tableRows, variants } from './sql-differential.js';

let conn: DuckDBConnection | undefined;
async function connection(): Promise<DuckDBConnection> {
  if (!conn) conn = await (await DuckDBInstance.create(':memory:')).connect();
  return conn;
}

/** Loads events into `events`: one VARCHAR column per field name (sql-differential.ts: tableColumns, tableRows). */
async function loadEvents(c: DuckDBConnection, events: EventObject[], fields: string[]): Promise<void> {
  const names = tableColumns(events, fields);
  await c.run('DROP TABLE IF EXISTS events');
  await c.run(`CREATE TABLE events (${names.map((n) => `${sqlIdent(n)} VARCHAR`).join(', ')})`);
  if (!events.length) return;
  const rows = tableRows(events, names).map((r) => `(${r.map((t) => (t === null ? 'NULL' : sqlString(t))).join(', ')})`);
  await c.run(`INSERT INTO events VALUES ${rows.join(', ')}`);
}

type SqlOutcome = { ok: true; query: string; rows: number[] } | { ok: false; code: string; error: string };

async function sqlSelect(ir: RuleIR, events: EventObject[]): Promise<SqlOutcome> {
  let query: string;
  try {
    query = sqlBackend.render({ ir, state: {}, pipelines: [] });
  } catch (e) {
    if (e instanceof ConversionError) return { ok: false, code: e.code, error: e.message };
    throw e;
  }
  const c = await connection();
  await loadEvents(c, events, ruleFields(ir));
  assert.ok(query.startsWith('SELECT * FROM events WHERE '), query);
  const all = (await c.runAndReadAll(query)).getRowObjects();
  const ids = (await c.runAndReadAll(query.replace(/^SELECT \*/, 'SELECT rowid'))).getRowObjects();
  assert.equal(all.length, ids.length);
  return { ok: true, query, rows: ids.map((r) => Number(r.rowid)).sort((a, b) => a - b) };
}

/** Regression rules the SQL target refuses, and why (asserted, so that the list stays honest). */
const REFUSED: Record<string, string> = {};

test('SigmaHQ regression cases: DuckDB selects exactly the events the engine matches (and on variants of them)', async () => {
  const cases = regressionCases();
  assert.equal(cases.length, 140);
  const failures: string[] = [];
  const refused: Record<string, string> = {};
  let compared = 0;
  let matched = 0;
  let variantEvents = 0;
  for (const c of cases) {
    const col = loadSigmaPaths([join(REGRESSION, c, 'rule.yml')]);
    assert.equal(col.rules.length, 1, c);
    const ir = lowerRule(col.rules[0]!);
    const events = await regressionEvents(c);
    const extra = variants(events, ruleFields(ir));
    const all = [...events, ...extra];
    const want = engineSelect(ir, all);
    if (typeof want === 'string') {
      failures.push(`${c}: the engine cannot run the rule: ${want}`);
      continue;
    }
    let got: SqlOutcome;
    try {
      got = await sqlSelect(ir, all);
    } catch (e) {
      failures.push(`${c}: DuckDB failed: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    if (!got.ok) {
      refused[c] = `[${got.code}] ${got.error}`;
      continue;
    }
    compared++;
    variantEvents += extra.length;
    if (want.some((i) => i < events.length)) matched++;
    if (JSON.stringify(got.rows) !== JSON.stringify(want)) failures.push(`${c}: SQL selects ${JSON.stringify(got.rows)}, the engine ${JSON.stringify(want)}\n  ${got.query.slice(0, 400)}`);
  }
  process.stdout.write(`sql differential: ${compared} of ${cases.length} rules compared (${matched} match some original event; ${variantEvents} variant events), ${Object.keys(refused).length} refused\n`);
  for (const [c, why] of Object.entries(refused)) process.stdout.write(`  refused ${c}: ${why}\n`);
  assert.deepEqual(failures, []);
  assert.deepEqual(refused, REFUSED);
});

/** Hand-written cases: each rule against events, SQL and engine must agree; `expect` pins the engine too. */
async function agree(detection: string, events: EventObject[], expect: number[]): Promise<string> {
  const { rule, diagnostics } = parseRule(ruleWith(detection));
  assert.ok(rule, diagnostics.map((d) => d.message).join('; '));
  const ir = lowerRule(rule as SigmaRule);
  const want = engineSelect(ir, events);
  assert.deepEqual(want, expect, 'engine');
  const got = await sqlSelect(ir, events);
  assert.ok(got.ok, got.ok ? '' : got.error);
  assert.deepEqual(got.rows, expect, got.query);
  return got.query;
}

test('wildcards in the middle, % and _ and backslashes as literals', async () => {
  const q = await agree(
    `selection:\n    CommandLine: 'a*b?c'\n    Image|endswith: '\\x_y%.exe'\ncondition: selection`,
    [
      { CommandLine: 'A--b!C', Image: 'C:\\X_Y%.EXE' },
      { CommandLine: 'a--b!!c', Image: 'C:\\x_y%.exe' },
      { CommandLine: 'ab!c', Image: 'C:\\xay%.exe' },
      { CommandLine: 'ab!c', Image: 'C:\\x_yz.exe' },
      { CommandLine: 'a\nb c', Image: 'D:\\x_y%.exe' },
    ],
    [0, 4],
  );
  assert.match(q, /LIKE 'a%b_c' ESCAPE '\\'/);
  await agree(`selection:\n    F: 'a%b_c\\\\d*'\ncondition: selection`, [{ F: 'a%b_c\\d' }, { F: 'axbyc\\dzz' }, { F: 'A%B_C\\DZZ' }, { F: 'a%b_c\\\\d' }], [0, 2]);
  await agree(`selection:\n    F: "it's*"\ncondition: selection`, [{ F: "It's me" }, { F: 'its' }], [0]);
});

test('cased, null versus empty, exists, neq', async () => {
  await agree(`selection:\n    F|cased: 'AbC'\ncondition: selection`, [{ F: 'AbC' }, { F: 'abc' }, {}], [0]);
  await agree(`selection:\n    F|cased|contains: 'B?'\ncondition: selection`, [{ F: 'aB?' }, { F: 'ab?' }, { F: 'xB?y' }], [0, 2]);
  await agree(`selection:\n    F: null\ncondition: selection`, [{ F: '' }, {}, { G: 'x' }, { F: 'x' }], [1, 2]);
  await agree(`selection:\n    F: ''\ncondition: selection`, [{ F: '' }, {}, { F: 'x' }], [0]);
  await agree(`selection:\n    F|exists: true\ncondition: selection`, [{ F: '' }, {}, { F: 'x' }], [0, 2]);
  await agree(`selection:\n    F|exists: false\ncondition: selection`, [{ F: '' }, {}, { F: 'x' }], [1]);
  await agree(`selection:\n    F|neq: 'x'\ncondition: selection`, [{ F: '' }, {}, { F: 'X' }, { F: 'y' }], [0, 3]);
  await agree(`selection:\n    F: 'x'\ncondition: not selection`, [{ F: '' }, {}, { F: 'X' }, { F: 'y' }], [0, 1, 3]);
  await agree(`selection:\n    F: '*'\ncondition: selection`, [{ F: '' }, {}, { F: 12 }], [0, 2]);
});

test('numbers versus numeric strings, comparisons', async () => {
  await agree(`selection:\n    F: 10\ncondition: selection`, [{ F: 10 }, { F: '10' }, { F: '10.0' }, { F: ' 10 ' }, { F: '1_0' }, { F: '0x0a' }, { F: 'ten' }, {}], [0, 1, 2, 3]);
  await agree(`selection:\n    F|gte: 5\ncondition: not selection`, [{ F: 5 }, { F: '4.5' }, { F: 'x' }, {}, { F: '1e3' }, { F: '1_000' }], [1, 2, 3, 5]);
  await agree(`selection:\n    F|lt: 0\ncondition: selection`, [{ F: -1 }, { F: '-0.5' }, { F: '0' }, { F: '-inf' }], [0, 1]);
  await agree(`selection:\n    F: true\ncondition: selection`, [{ F: true }, { F: 'TRUE' }, { F: 'false' }], [0, 1]);
});

test('regular expressions with flags, fieldref, keywords', async () => {
  await agree(`selection:\n    F|re: '^a.c$'\ncondition: selection`, [{ F: 'abc' }, { F: 'ABC' }, { F: 'a\nc' }, { F: 'x\nabc' }], [0]);
  await agree(`selection:\n    F|re|i|m|s: '^a.c$'\ncondition: selection`, [{ F: 'abc' }, { F: 'ABC' }, { F: 'a\nc' }, { F: 'x\nabc' }], [0, 1, 2, 3]);
  await agree(`selection:\n    F|fieldref: G\ncondition: selection`, [{ F: 'Ab', G: 'aB' }, { F: 'a', G: 'b' }, { F: 'a' }], [0]);
  await agree(`selection:\n    F|fieldref|startswith: G\ncondition: not selection`, [{ F: 'Abc', G: 'aB' }, { F: 'a', G: 'b' }, { F: 'a' }, { F: 'a', G: '' }], [1, 2]);
  await agree(`keywords:\n    - 'evil'\n    - 'x*y?z'\ncondition: keywords`, [{ A: 'an EVIL one' }, { A: 'no', B: 'xAAyBz' }, { A: 'x', B: 'yz' }, { N: 12 }], [0, 1]);
  await agree(`keywords:\n    - 12\ncondition: not keywords`, [{ A: 'an EVIL one' }, { N: 12 }, { N: '12.0' }], [0]);
});

test('refused, never weaker: look-around regexes, cidr keywords (a subquery cannot run inside the every-column lambda)', async () => {
  for (const [det, code] of [
    [`keywords:\n    '|cidr': 10.0.0.0/8\ncondition: keywords`, 'unsupported-keyword'],
    [`selection:\n    F|re: 'a(?=b)'\ncondition: selection`, 'regex-unsupported'],
  ] as const) {
    const { rule, diagnostics } = parseRule(ruleWith(det));
    assert.ok(rule, diagnostics.map((d) => d.message).join('; '));
    const r = convertRule(rule!, sqlBackend, []);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.code, code);
  }
});

test('CIDR without the inet extension: IPv4 as an integer range, IPv6 and IPv4-mapped addresses through the address steps', async () => {
  await agree(
    `selection:\n    F|cidr:\n        - 10.0.0.0/8\n        - 192.168.1.0/24\ncondition: selection`,
    [{ F: '10.1.2.3' }, { F: ' 010.001.2.3 ' }, { F: '192.168.1.255' }, { F: '192.168.2.1' }, { F: '::ffff:10.0.0.1' }, { F: '0:0:0:0:0:FFFF:a00:1' }, { F: '10.1.2' }, { F: '10.256.0.1' }, { F: 'x10.1.1.1' }, {}],
    [0, 1, 2, 4, 5],
  );
  const q = await agree(
    `selection:\n    F|cidr: 'fe80::/10'\ncondition: not selection`,
    [{ F: 'fe80::1' }, { F: '[FEBF:0::1%eth0]' }, { F: 'fec0::1' }, { F: 'fe80::1::1' }, { F: '10.0.0.1' }, {}],
    [2, 3, 4, 5],
  );
  assert.doesNotMatch(q, /inet/);
});

test('the sql target is registered with a `none` pipeline', () => {
  const t = TARGETS.sql!;
  assert.equal(t.backend.target, 'sql');
  assert.deepEqual(t.listPipelines(), ['none']);
  assert.ok(t.pipeline('none'));
});

test('every SQL query from the SigmaHQ corpus runs in DuckDB; refusals grouped by reason', async () => {
  const dirs = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-dfir', 'rules-compliance'].map((d) => join(DATA, 'sigmahq', d));
  const col = loadSigmaPaths(dirs);
  const c = await connection();
  const converted: Array<{ file: string; query: string; fields: string[] }> = [];
  const refusedBy = new Map<string, number>();
  for (const rule of col.rules) {
    const ir = lowerRule(rule);
    if (ir.failures.length) continue;
    const r = convertRule(rule, sqlBackend, []);
    if (r.ok) converted.push({ file: rule.file, query: r.query, fields: ruleFields(ir) });
    else refusedBy.set(r.code, (refusedBy.get(r.code) ?? 0) + 1);
  }
  // One table with every field any rule names, and rows that exercise the predicates.
  await loadEvents(c, [{}, { CommandLine: 'x' }], converted.flatMap((x) => x.fields));
  await c.run(`UPDATE events SET ${(await c.runAndReadAll("SELECT column_name FROM information_schema.columns WHERE table_name = 'events'")).getRowObjects().map((r) => `${sqlIdent(String(r.column_name))} = 'a'`).join(', ')} WHERE rowid = 1`);
  const failures: string[] = [];
  for (const x of converted) {
    try {
      await c.run(x.query);
    } catch (e) {
      failures.push(`${x.file}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  process.stdout.write(`sql corpus: ${converted.length} of ${col.rules.length} rules converted and run; refused: ${JSON.stringify(Object.fromEntries(refusedBy))}\n`);
  assert.deepEqual(failures.slice(0, 20), []);
  assert.ok(converted.length > 3000);
});

test('CIDR: every |cidr test of the SigmaHQ corpus (IPv4 and IPv6, negated too) selects in DuckDB exactly what the engine matches, over addresses in every spelling and text that is none', async () => {
  const cases = corpusCidrCases();
  const failures: string[] = [];
  let events = 0;
  let selected = 0;
  for (const c of cases) {
    const want = engineSelect(c.ir, c.events);
    assert.ok(Array.isArray(want), `${c.name}: ${String(want)}`);
    const got = await sqlSelect(c.ir, c.events);
    assert.ok(got.ok, got.ok ? '' : `${c.name}: ${got.error}`);
    events += c.events.length;
    selected += want.length;
    if (JSON.stringify(got.rows) !== JSON.stringify(want)) {
      const diff = [...new Set([...got.rows, ...want])].filter((i) => got.rows.includes(i) !== want.includes(i));
      failures.push(`${c.name}: differ on ${diff.map((i) => JSON.stringify(c.events[i])).slice(0, 5).join(', ')}`);
    }
  }
  process.stdout.write(`sql cidr differential: ${cases.length} cases (${cases.length / 2} corpus field tests and their negations), ${events} events, ${selected} selections\n`);
  assert.deepEqual(failures, []);
  assert.ok(cases.length >= 40, `${cases.length} cases`);
});
