// The corpus differential (corpus-differential.test.ts) on PostgreSQL: the same generated and shaped
// events, the `postgres` query of each Windows rule with the windows pipeline, run in a throw-away
// cluster. Needs Debian's postgresql package (the test says so and fails without it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PgCluster } from '../backends/postgres-cluster.js';
import { needs } from '../services.js';
import { buildCorpus, loadWindowsRules } from './corpus.js';
import { tally } from './tally.js';
import { printTally } from './report.js';
import { sortOut, unusedExceptions, type ExceptionTable } from './exceptions.js';
import { runPostgres } from './targets/postgres.js';

/** No disagreement is accepted today. */
const EXCEPTIONS: ExceptionTable = {};

test('PostgreSQL (postgres, windows pipeline) gives the oracle’s answer on every shaped event', { skip: needs('postgres') }, () => {
  const t0 = Date.now();
  const { all, windows } = loadWindowsRules();
  const corpus = buildCorpus(all, windows);
  process.stdout.write(`corpus differential (PostgreSQL): ${corpus.cases.length} rules, ${corpus.cases.reduce((n, c) => n + c.events.length, 0)} shaped events in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  const cluster = PgCluster.start();
  try {
    const t1 = Date.now();
    const t = tally(corpus, runPostgres(corpus, cluster));
    const { failing, used } = sortOut(t.disagreements, EXCEPTIONS);
    printTally(t, t.disagreements.length - failing.length, Date.now() - t1);
    for (const d of failing.slice(0, 20)) process.stdout.write(d.message + '\n');
    assert.ok(t.rules > 0 && t.comparisons > 0, 'PostgreSQL compared nothing');
    assert.deepEqual(failing.slice(0, 10).map((d) => d.message), [], `${failing.length} disagreements with the oracle`);
    assert.deepEqual(unusedExceptions(EXCEPTIONS, 'postgres', used), []);
  } finally {
    cluster.stop();
  }
});
