// Correlations converted to EQL sequences: exact text for the shapes written by hand, the validator
// on every case, refusals with their codes, and a differential against the engine on the seeded
// events of the SQL differentials (correlation-cases.ts): the sequences' first completion per key,
// evaluated as Elasticsearch's EQL reference describes its state machine (eql-eval.ts), are the
// engine's alerting groups and first window ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eqlBackend } from '../../src/backends/elastic/index.js';
import { validateEql } from '../../src/backends/elastic/eql/validate.js';
import { eventTimeMs } from '../../src/engine/event-time.js';
import { collection, convertCase, CORRELATIONS, engineFirstAlerts, events, MORE_CORRELATIONS } from './correlation-cases.js';
import { firstSequences } from './eql-eval.js';

const convert = (body: string) => convertCase(body, eqlBackend);
const query = (body: string) => {
  const { r } = convert(body);
  assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.error}`);
  assert.deepEqual(validateEql(r.query).problems, [], r.query);
  assert.deepEqual(r.notes, [], 'a sequence says what the correlation says: no note');
  return r.query;
};

test('temporal_ordered: a sequence by the group with maxspan, one query per rule in order', () => {
  assert.equal(
    query(CORRELATIONS.temporal_ordered!),
    'sequence by User with maxspan=3m\n  [any where kind : "failed" and User != null and User != ""]\n  [any where kind : "success" and User != null and User != ""]',
  );
});

test('temporal_ordered with aliases: each query keyed by its own field', () => {
  assert.equal(
    query(MORE_CORRELATIONS['temporal_ordered with aliases']!),
    'sequence with maxspan=3m\n  [any where kind : "failed" and User != null and User != ""] by User\n  [any where kind : "success" and TargetUser != null and TargetUser != ""] by TargetUser',
  );
});

test('event_count: one query with runs=N (gt N is N+1), the rules joined with or; no group-by, no key', () => {
  assert.equal(query(CORRELATIONS.event_count!), 'sequence by User with maxspan=5m\n  [any where kind : "failed" and User != null and User != ""] with runs=3');
  assert.equal(
    query(CORRELATIONS['event_count, two rules, gt']!),
    'sequence by User with maxspan=2m\n  [any where (kind : "failed" or kind : "success") and User != null and User != ""] with runs=3',
  );
  assert.equal(query(CORRELATIONS['event_count, no group-by']!), 'sequence with maxspan=1m\n  [any where kind : "success"] with runs=4');
});

test('what a sequence cannot say is refused with its reason and code', () => {
  const refused = (body: string) => {
    const { r } = convert(body);
    assert.ok(!r.ok, r.ok ? r.query : '');
    return [r.code, r.error];
  };
  for (const name of ['value_count', 'value_count, two fields', 'value_sum', 'value_avg', 'temporal', 'temporal with aliases']) {
    const [code, why] = refused(CORRELATIONS[name]!);
    assert.equal(code, 'correlation-unsupported', name);
    assert.match(why!, /has no EQL form/);
  }
  for (const name of ['value_percentile', 'value_median']) assert.equal(refused(MORE_CORRELATIONS[name]!)[0], 'correlation-unsupported');
  assert.deepEqual(refused(MORE_CORRELATIONS['event_count, range, two group-by fields']!), ['correlation-condition', `the condition 'lte' is not a lower bound: an EQL sequence says "at least N events" only`]);
  assert.equal(refused(MORE_CORRELATIONS['event_count, neq']!)[0], 'correlation-condition');
  assert.equal(refused('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 5m\ncondition:\n    gte: 101')[1], "runs=101 is beyond EQL's limit of 100");
  assert.equal(refused('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 5m\ncondition:\n    gte: 1')[0], 'correlation-condition');
  assert.equal(refused('type: temporal_ordered\nrules: [failed, success]\ngroup-by: [User]\ntimespan: 5m\ncondition:\n    gte: 1')[0], 'correlation-condition');
  assert.equal(refused('type: event_count\nrules: [failed, success]\ngroup-by: [who]\ntimespan: 5m\ncondition:\n    gte: 3\naliases:\n    who:\n        failed: User\n        success: TargetUser')[0], 'correlation-unsupported');
});

test('validateEql reads sequences and rejects broken ones with their place', () => {
  const bad: Array<[string, RegExp]> = [
    ['sequence with maxspan=5m\n  [any where a == 1] with runs=101', /runs must be from 1 to 100/],
    ['sequence with maxspan=5m\n  [any where a == 1]', /at least two events/],
    ['sequence with maxspan=5 m\n  [any where a == 1] with runs=2', /time unit/],
    ['sequence with maxspan=5m\n  [any where a == 1] by x\n  [any where b == 1] by x, y', /same number of 'by' keys/],
    ['sequence by x\n  [any where a == 1\n  [any where b == 1]', /expected '\]'/],
    ['sequence with span=5m [any where a == 1] [any where b == 1]', /expected 'maxspan'/],
  ];
  for (const [q, why] of bad) {
    const check = validateEql(q);
    assert.equal(check.ok, false, q);
    assert.match(check.problems[0]!, why, q);
  }
});

for (const [name, body] of Object.entries({ ...CORRELATIONS, ...MORE_CORRELATIONS })) {
  const { r } = convert(body);
  if (!r.ok) continue;
  test(`EQL sequence = the engine: ${name} (5 seeded runs of 400 events)`, () => {
    const col = collection(body);
    const groupBy = col.correlations[0]!.correlation.groupBy;
    let alerting = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const evs = events(seed * 7919, 400);
      const want = engineFirstAlerts(col, evs);
      // EQL reads events in time order; those without a time are not searched.
      const timed = evs
        .map((e) => ({ time: typeof e.timestamp === 'string' ? eventTimeMs(e.timestamp) : NaN, doc: (f: string) => (e[f] === undefined || e[f] === null ? null : String(e[f])) }))
        .filter((e) => Number.isFinite(e.time))
        .sort((a, b) => a.time - b.time);
      const got: Map<string, number> = new Map([...firstSequences(r.query, timed)].map(([key, t]) => [JSON.stringify(Object.fromEntries(groupBy.map((g, i) => [g, (JSON.parse(key) as string[])[i]]))), t]));
      assert.deepEqual([...got].sort(), [...want].sort(), `seed ${seed}\n${r.query}`);
      alerting += want.size;
    }
    assert.ok(alerting > 0, 'the events make some group alert');
  });
}
