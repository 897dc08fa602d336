// The PostgreSQL dialect, for real: a throw-away PostgreSQL cluster (postgres-cluster.ts) runs every
// query over the flat event table, and the rows it selects must be exactly the events the engine
// matches: SigmaHQ's regression cases and variants of their events, then edge cases (regexes
// translated to ARE, numbers, CIDR, keywords). Every PostgreSQL query of the SigmaHQ corpus is
// parsed by libpg-query and run by the server.
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
import { convertRule } from '../../src/backends/common/convert.js';
import { postgresBackend } from '../../src/backends/sql/index.js';
import { postgresRegex } from '../../src/backends/sql/dialects/postgres-regex.js';
import { validatePostgres } from '../../src/backends/sql/validate-postgres.js';
import { TARGETS } from '../../src/backends/targets.js';
import { VALIDATORS } from '../../src/backends/validators.js';
import { PgCluster } from './postgres-cluster.js';
import { needs } from '../services.js';
import { loadTable, pgJob, runJobs, type PgJob, type PgOutcome } from './postgres-select.js';
import { corpusCidrCases } from './cidr-cases.js';
import { engineSelect, regressionCases, regressionEvents, ruleFields, variants, convertSqlCorpus } from './sql-differential.js';

const noPostgres = needs('postgres');

let cluster: PgCluster | undefined;
function pg(): PgCluster {
  return (cluster ??= PgCluster.start());
}
after(() => cluster?.stop());

/** The indexes of the events the rule's PostgreSQL query selects, or its refusal. */
function pgSelect(ir: RuleIR, events: readonly EventObject[]): PgOutcome {
  const job = pgJob(ir, events);
  return job.ok ? { ok: true, query: job.query, rows: runJobs(pg(), [job])[0]! } : job;
}

/** Regression rules PostgreSQL refuses, and why (asserted, so that the list stays honest). */
const REFUSED: Record<string, string> = {};

test('SigmaHQ regression cases: PostgreSQL selects exactly the events the engine matches (and on variants of them)', { skip: noPostgres }, () => {
  return (async () => {
    const cases = regressionCases();
    assert.equal(cases.length, 140);
    const failures: string[] = [];
    const refused: Record<string, string> = {};
    let compared = 0;
    let matched = 0;
    let variantEvents = 0;
    const jobs: Array<{ c: string; job: Extract<PgJob, { ok: true }>; want: number[]; originals: number }> = [];
    for (const c of cases) {
      const col = loadSigmaPaths([join(DATA, 'sigma-regression', c, 'rule.yml')]);
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
      const job = pgJob(ir, all);
      if (!job.ok) {
        refused[c] = `[${job.code}] ${job.error}`;
        continue;
      }
      jobs.push({ c, job, want, originals: events.length });
      variantEvents += extra.length;
    }
    const results = runJobs(pg(), jobs.map((j) => j.job));
    jobs.forEach(({ c, job, want, originals }, k) => {
      compared++;
      if (want.some((i) => i < originals)) matched++;
      const got = results[k]!;
      if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${c}: PostgreSQL selects ${JSON.stringify(got)}, the engine ${JSON.stringify(want)}\n  ${job.query.slice(0, 400)}`);
    });
    process.stdout.write(`postgres differential: ${compared} of ${cases.length} rules compared (${matched} match some original event; ${variantEvents} variant events), ${Object.keys(refused).length} refused\n`);
    for (const [c, why] of Object.entries(refused)) process.stdout.write(`  refused ${c}: ${why}\n`);
    assert.deepEqual(failures, []);
    assert.deepEqual(refused, REFUSED);
  })();
});

/** Hand-written cases: PostgreSQL and the engine must agree; `expect` pins the engine too. */
function agree(detection: string, events: EventObject[], expect: number[]): string {
  const { rule, diagnostics } = parseRule(ruleWith(detection));
  assert.ok(rule, diagnostics.map((d) => d.message).join('; '));
  const ir = lowerRule(rule as SigmaRule);
  assert.deepEqual(engineSelect(ir, events), expect, 'engine');
  const got = pgSelect(ir, events);
  assert.ok(got.ok, got.ok ? '' : got.error);
  assert.deepEqual(got.rows, expect, got.query);
  return got.query;
}

test('PostgreSQL: wildcards, case, null, exists, neq, not', { skip: noPostgres }, () => {
  const q = agree(`selection:\n    CommandLine: 'a*b?c'\n    Image|endswith: '\\x_y%.exe'\ncondition: selection`, [{ CommandLine: 'A--b!C', Image: 'C:\\X_Y%.EXE' }, { CommandLine: 'ab!c', Image: 'C:\\xay%.exe' }, { CommandLine: 'a\nb c', Image: 'D:\\x_y%.exe' }], [0, 2]);
  assert.match(q, /LIKE 'a%b_c' ESCAPE '\\'/);
  agree(`selection:\n    F: "it's*"\ncondition: selection`, [{ F: "It's me" }, { F: 'its' }], [0]);
  agree(`selection:\n    F|cased|contains: 'B?'\ncondition: selection`, [{ F: 'aB?' }, { F: 'ab?' }, { F: 'xB?y' }], [0, 2]);
  agree(`selection:\n    F: null\ncondition: selection`, [{ F: '' }, {}, { G: 'x' }, { F: 'x' }], [1, 2]);
  agree(`selection:\n    F|exists: false\ncondition: selection`, [{ F: '' }, {}, { F: 'x' }], [1]);
  agree(`selection:\n    F|neq: 'x'\ncondition: selection`, [{ F: '' }, {}, { F: 'X' }, { F: 'y' }], [0, 3]);
  agree(`selection:\n    F: 'x'\ncondition: not selection`, [{ F: '' }, {}, { F: 'X' }, { F: 'y' }], [0, 1, 3]);
  agree(`selection:\n    F|endswith: 'Ä.exe'\ncondition: selection`, [{ F: 'xä.EXE' }, { F: 'a.exe' }], [0]);
});

test('PostgreSQL: numbers through the guarded cast never fail the query', { skip: noPostgres }, () => {
  agree(`selection:\n    F: 10\ncondition: selection`, [{ F: 10 }, { F: '10' }, { F: '10.0' }, { F: ' 10 ' }, { F: '1_0' }, { F: '0x0a' }, { F: 'ten' }, { F: 'NaN' }, { F: 'Infinity' }, {}], [0, 1, 2, 3]);
  agree(`selection:\n    F|gte: 5\ncondition: not selection`, [{ F: 5 }, { F: '4.5' }, { F: 'x' }, {}, { F: '1e3' }, { F: '1_000' }, { F: '1e400' }], [1, 2, 3, 5]);
  agree(`selection:\n    F|lt: 0\ncondition: selection`, [{ F: -1 }, { F: '-0.5' }, { F: '0' }, { F: '-inf' }, { F: '.5' }, { F: '-5.' }], [0, 1, 5]);
});

test('PostgreSQL: RE2 patterns translated to ARE keep their meaning', { skip: noPostgres }, () => {
  agree(`selection:\n    F|re: '^a.c$'\ncondition: selection`, [{ F: 'abc' }, { F: 'ABC' }, { F: 'a\nc' }, { F: 'x\nabc' }], [0]);
  agree(`selection:\n    F|re|i|m|s: '^a.c$'\ncondition: selection`, [{ F: 'abc' }, { F: 'ABC' }, { F: 'a\nc' }, { F: 'x\nabc' }], [0, 1, 2, 3]);
  agree(`selection:\n    F|re|m: '^a[^x]c$'\ncondition: selection`, [{ F: 'a\nc' }, { F: 'z\nabc\nq' }, { F: 'axc' }], [0, 1]);
  agree(`selection:\n    F|re: '\\bcmd\\.exe\\s+/c\\W'\ncondition: selection`, [{ F: 'x cmd.exe  /c "' }, { F: 'xcmd.exe /c "' }, { F: 'cmd.exe /ca' }], [0]);
  agree(`selection:\n    F|re: '(?i)\\x41{2,3}[\\d_]\\z'\ncondition: selection`, [{ F: 'aa1' }, { F: 'AAA_' }, { F: 'aa1\n' }, { F: 'a1' }], [0, 1]);
  agree(`selection:\n    F|re: '(?P<n>ab)+[.[]\\w{2}'\ncondition: selection`, [{ F: 'abab.xy' }, { F: 'ab[é1' }, { F: 'ab[__' }], [0, 2]);
  agree(`selection:\n    F|re: 'a{,2}'\ncondition: selection`, [{ F: 'a{,2}' }, { F: 'aa' }], [0]);
});

test('PostgreSQL: CIDR as the engine reads addresses; IPv6 through inet <<= on text that cannot fail the cast', { skip: noPostgres }, () => {
  const q = agree(
    `selection:\n    F|cidr:\n        - 10.0.0.0/8\n        - 192.168.1.0/24\ncondition: selection`,
    [{ F: '10.1.2.3' }, { F: ' 010.001.2.3 ' }, { F: '192.168.1.255' }, { F: '192.168.2.1' }, { F: '::ffff:10.0.0.1' }, { F: '0:0:0:0:0:FFFF:a00:1' }, { F: '10.1.2' }, { F: '10.256.0.1' }, { F: 'x10.1.1.1' }, {}],
    [0, 1, 2, 4, 5],
  );
  assert.match(q, /BETWEEN 167772160 AND 184549375/);
  agree(`selection:\n    F|cidr: 0.0.0.0/0\ncondition: not selection`, [{ F: '1.2.3.4' }, { F: 'fe80::1' }, {}], [1, 2]);
  // Text that a cast to inet would reject (garbage, zones, brackets, leading zeros) must not fail the query.
  const v6 = agree(
    `selection:\n    F|cidr:\n        - 'fe80::/10'\n        - '2620:1ec:8f8::/46'\ncondition: selection`,
    [{ F: 'fe80::1' }, { F: '[FEBF:0::1%eth0]' }, { F: 'fec0::1' }, { F: 'fe80::1::1' }, { F: 'not an address' }, { F: '2620:1ec:8fb:ffff::' }, { F: '2620:1ec:8fc::' }, { F: '::ffff:010.0.0.1' }, { F: "'); DROP TABLE events; --" }, {}],
    [0, 1, 5],
  );
  // A cidr keyword: every column's value read as an address.
  agree(`keywords:\n    '|cidr': 10.0.0.0/8\ncondition: keywords`, [{ A: '10.1.1.1' }, { A: 'x', B: '::ffff:10.0.0.2' }, { A: 'fe80::1' }, {}], [0, 1]);
  assert.match(v6, /AS inet\) <<= ANY \(ARRAY\[inet 'fe80:0:0:0:0:0:0:0\/10', inet '2620:1ec:8f8:0:0:0:0:0\/46'\]\)/);
});

test('CIDR: every |cidr test of the SigmaHQ corpus (IPv4 and IPv6, negated too) selects in PostgreSQL exactly what the engine matches, over addresses in every spelling and text that is none', { skip: noPostgres }, () => {
  const cases = corpusCidrCases();
  const jobs = cases.map((c) => {
    const want = engineSelect(c.ir, c.events);
    assert.ok(Array.isArray(want), `${c.name}: ${String(want)}`);
    const job = pgJob(c.ir, c.events);
    assert.ok(job.ok, job.ok ? '' : `${c.name}: ${job.error}`);
    return { c, want, job };
  });
  // psql stops at the first error (runJobs throws): no address text may make a query fail.
  const results = runJobs(pg(), jobs.map((j) => j.job as Extract<PgJob, { ok: true }>));
  const failures: string[] = [];
  let events = 0;
  jobs.forEach(({ c, want }, k) => {
    const got = results[k]!;
    events += c.events.length;
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      const diff = [...new Set([...got, ...want])].filter((i) => got.includes(i) !== want.includes(i));
      failures.push(`${c.name}: differ on ${diff.map((i) => JSON.stringify(c.events[i])).slice(0, 5).join(', ')}`);
    }
  });
  process.stdout.write(`postgres cidr differential: ${cases.length} cases (${cases.length / 2} corpus field tests and their negations), ${events} events\n`);
  assert.deepEqual(failures, []);
  assert.ok(cases.length >= 40, `${cases.length} cases`);
});

test('PostgreSQL: keywords read every column of the row (row_to_json)', { skip: noPostgres }, () => {
  const q = agree(`keywords:\n    - 'evil'\n    - 'x*y?z'\ncondition: keywords`, [{ A: 'an EVIL one' }, { A: 'no', B: 'xAAyBz' }, { A: 'x', B: 'yz' }, { N: 12 }], [0, 1]);
  assert.match(q, /json_each_text\(row_to_json\(events\)\)/);
  agree(`keywords:\n    - 12\ncondition: not keywords`, [{ A: 'an EVIL one' }, { N: 12 }, { N: '12.0' }], [0]);
});

test('PostgreSQL refuses, never weaker: what ARE cannot say', () => {
  for (const [pattern, what] of [
    ['a(?i)b', /options inside the pattern/],
    ['\\pL', /escape \\p/],
    ['[\\D]', /inside a character class/],
    ['a{300}', /at most 255/],
    ['[[:alpha:]]', /POSIX class/],
  ] as const) {
    assert.throws(() => postgresRegex(pattern, { i: false, m: false, s: false }, 'F'), (e: unknown) => e instanceof ConversionError && e.code === 'regex-unsupported' && what.test(e.message), pattern);
  }
  assert.equal(postgresRegex('a.b\\.c', { i: true, m: true, s: false }, 'F'), '(?iw)a[^\\n]b\\.c');
});

test('the postgres target is registered with the none pipeline and the libpg-query validator', () => {
  assert.equal(TARGETS.postgres!.backend.target, 'postgres');
  assert.deepEqual(TARGETS.postgres!.listPipelines(), ['none']);
  assert.equal(VALIDATORS.postgres!('SELECT * FROM events WHERE "a" = \'b\'').ok, true);
  const bad = VALIDATORS.postgres!('SELECT * FROM events WHERE (a = ');
  assert.equal(bad.ok, false);
  assert.match(bad.problems[0]!, /syntax error/);
});

test('every PostgreSQL query of the SigmaHQ corpus parses (libpg-query) and runs in PostgreSQL', { skip: noPostgres }, () => {
  const { rules, converted, refusedBy, invalid: parseFailures } = convertSqlCorpus(postgresBackend, validatePostgres);
  assert.deepEqual(parseFailures.slice(0, 20), []);
  // Tables of the fields the rules name, spelled exactly as written (PostgreSQL compares quoted
  // names exactly), each for a run of rules naming at most 1500 (PostgreSQL allows 1600 columns);
  // two rows that exercise the predicates: all NULL, and every column 'a'.
  const failures: string[] = [];
  const batches: Array<[string[], typeof converted]> = [];
  let cols = new Set<string>();
  let xs: typeof converted = [];
  for (const x of converted) {
    const next = new Set([...cols, ...x.fields]);
    if (next.size > 1500 && xs.length) {
      batches.push([[...cols], xs]);
      cols = new Set(x.fields);
      xs = [x];
    } else {
      cols = next;
      xs.push(x);
    }
  }
  if (xs.length) batches.push([[...cols], xs]);
  for (const [cols, xs] of batches) {
    const load = loadTable([{}, Object.fromEntries(cols.map((n) => [n, 'a']))], cols);
    // Each query on its own line: psql names the line of an error.
    const base = load.split('\n').length;
    const r = pg().psql(load + xs.map((x) => `SELECT count(*) FROM (${x.query}) AS q;`).join('\n') + '\n', false);
    for (const m of r.stderr.matchAll(/<stdin>:(\d+): ERROR:\s+(.*)/g)) {
      const x = xs[Number(m[1]) - base];
      failures.push(`${x?.file ?? `line ${m[1]}`}: ${m[2]}`);
    }
  }
  process.stdout.write(`postgres corpus: ${converted.length} of ${rules} rules converted, parsed by libpg-query and run in PostgreSQL (${batches.length} tables); refused: ${JSON.stringify(Object.fromEntries(refusedBy))}\n`);
  assert.deepEqual(failures.slice(0, 20), []);
  assert.ok(converted.length > 3000);
});
