// The corpus-wide differential: every Windows rule of SigmaHQ's rules*/ folders, events generated
// from its own detection (generate-events.ts), each in the Sysmon shape and, where the windows
// pipeline gives a field several names, the Security 4688 shape (shape.ts), answered by the engine
// through the windows pipeline (the Detector, as `quarry hunt` runs), by DuckDB on the `sql` query
// and by the Lucene, ES|QL and EQL evaluators on the ecs-windows queries. The expected answer of
// every event is the oracle's: the engine on the rule without pipeline (its own meaning). Every
// disagreement fails, unless EXCEPTIONS lists its target and rule with the reason.
// PostgreSQL runs the same cases in corpus-differential-postgres.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCorpus, loadWindowsRules, type Corpus } from './corpus.js';
import { corpusCounts, printCorpus, printTally } from './report.js';
import { tally } from './tally.js';
import { sortOut, unusedExceptions, type ExceptionTable } from './exceptions.js';
import type { TargetAnswers } from './targets/answers.js';
import { runEngine } from './targets/engine.js';
import { rowOrderHolds, runDuckdb } from './targets/duckdb.js';
import { ELASTIC_TARGETS, runElastic } from './targets/elastic.js';

/** No disagreement is accepted today: every target gives the oracle's answer on every event it can represent. */
const EXCEPTIONS: ExceptionTable = {};

let built: Corpus | undefined;
function corpus(): Corpus {
  if (!built) {
    const t0 = Date.now();
    const { all, windows } = loadWindowsRules();
    built = buildCorpus(all, windows);
    process.stdout.write(`corpus differential: rules loaded and events generated in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  return built;
}

test('events are generated from every Windows rule and meet it where the generator says so', () => {
  const c = corpus();
  const k = corpusCounts(c);
  printCorpus(k, c);
  // A conjunction whose literals all hold must meet the detection: otherwise the DNF is wrong and
  // every expectation built on it is suspect.
  assert.deepEqual(k.inconsistent.slice(0, 5), []);
  const runnable = k.windowsRules - k.notRunnable;
  const withoutMeeting = c.cases.filter((r) => !r.events.some((e) => e.logical.kind === 'meets' && e.expected));
  for (const r of withoutMeeting) process.stdout.write(`  no meeting event for ${r.rule.file}: ${[...r.generated.skipped.keys()].join('; ')}\n`);
  // The generator may fail on a rule (a contradictory path, a regex it cannot sample), but a
  // differential that meets few rules would prove little: at most 1% of the rules go unmet.
  assert.ok(withoutMeeting.length <= runnable / 100, `${withoutMeeting.length} of ${runnable} rules have no event that meets them`);
  // Both shapes of process_creation are there, and the oracle says no as well as yes.
  assert.ok((k.byShape.get(1) ?? 0) > 0, 'no event in a second (Security 4688) shape');
  assert.ok(k.expectedMatch > 0 && k.expectedMatch < k.shaped);
});

async function compare(run: () => TargetAnswers | Promise<TargetAnswers>): Promise<void> {
  const c = corpus();
  const t0 = Date.now();
  const answers = await run();
  const t = tally(c, answers);
  const { failing, used } = sortOut(t.disagreements, EXCEPTIONS);
  printTally(t, t.disagreements.length - failing.length, Date.now() - t0);
  for (const d of failing.slice(0, 20)) process.stdout.write(d.message + '\n');
  assert.ok(t.rules > 0 && t.comparisons > 0, `${answers.target} compared nothing`);
  assert.deepEqual(
    failing.slice(0, 10).map((d) => d.message),
    [],
    `${failing.length} disagreements with the oracle on ${new Set(failing.map((d) => d.file)).size} rules`,
  );
  assert.deepEqual(unusedExceptions(EXCEPTIONS, answers.target, used), [], 'exceptions no disagreement needs');
}

test('the engine through the windows pipeline (the Detector) gives the oracle’s answer', () => compare(() => runEngine(corpus())));

test('DuckDB (sql, windows pipeline) gives the oracle’s answer', () => compare(() => runDuckdb(corpus())));

for (const target of ELASTIC_TARGETS) {
  test(`${target} (ecs-windows) gives the oracle’s answer`, () => compare(() => runElastic(corpus(), target)));
}

test('DuckDB keeps a rule’s events in order in its `events` table (the rowid the comparison reads)', async () => {
  assert.equal(await rowOrderHolds(corpus(), 25), true);
});
