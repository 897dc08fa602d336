// Correlations converted to SPL: the query text of a few cases written out by hand, every kind
// passing Quarry's SPL validator, a differential of the searches (run by a small evaluator of the
// SPL they use, spl-evaluator.ts) against the engine on seeded events, the savedsearches format, and
// what SPL cannot say refused with a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertCorrelation, convertCollection } from '../../src/backends/common/convert.js';
import { splBackend, splPipeline } from '../../src/backends/spl/index.js';
import { validateSpl } from '../../src/backends/spl/validate.js';
import { formatRefusals, renderRuleFormat } from '../../src/backends/rule-formats.js';
import { kqlBackend } from '../../src/backends/kql/index.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import type { EventObject } from '../../src/engine/event-access.js';
import { collection, CORRELATIONS, engineFirstAlerts, events } from './correlation-cases.js';
import { runSpl, type SplEvent } from './spl-evaluator.js';

function convert(body: string) {
  const col = collection(body);
  return convertCorrelation(col.correlations[0]!, col, splBackend, []);
}

/** Upper bounds, ranges and neq: streamstats tests each window ending at an event, as the engine does. */
const BOUNDS: Record<string, string> = {
  'event_count, lt': 'type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 5m\ncondition:\n    lt: 2',
  'event_count, range': 'type: event_count\nrules: [failed, success]\ngroup-by: [User]\ntimespan: 10m\ncondition:\n    gt: 3\n    lte: 4',
  'event_count, eq, two group-by fields': 'type: event_count\nrules: [failed]\ngroup-by: [User, Source]\ntimespan: 20m\ncondition:\n    eq: 2',
  'event_count, neq': 'type: event_count\nrules: [success]\ngroup-by: [TargetUser]\ntimespan: 5m\ncondition:\n    neq: 1',
  'value_sum, lte': 'type: value_sum\nrules: [success]\ngroup-by: [User]\ntimespan: 10m\ncondition:\n    field: Bytes\n    lte: 20',
  'temporal_ordered, count condition': 'type: temporal_ordered\nrules: [failed, success]\ngroup-by: [User]\ntimespan: 3m\ncondition:\n    gte: 1',
};
const EXTRA: Record<string, string> = {
  value_percentile: 'type: value_percentile\nrules: [success]\ngroup-by: [User]\ntimespan: 10m\ncondition:\n    field: Bytes\n    percentile: 95\n    gte: 100',
  value_median: 'type: value_median\nrules: [success]\ngroup-by: [User]\ntimespan: 10m\ncondition:\n    field: Bytes\n    lt: 50',
};

/** The seeded events as Splunk would hold them: text values, `_time` in epoch seconds. Events without a time are left out (Splunk would give them their index time; the engine cannot place them). */
function splEvents(evs: EventObject[]): SplEvent[] {
  return evs.flatMap((e) => {
    if (typeof e.timestamp !== 'string') return [];
    const out: SplEvent = { _time: Date.parse(e.timestamp) / 1000 };
    for (const [k, v] of Object.entries(e)) if (v !== null && v !== undefined && k !== 'timestamp') out[k] = String(v);
    return [out];
  });
}

for (const [name, body] of Object.entries({ ...CORRELATIONS, ...BOUNDS })) {
  test(`SPL correlation (evaluated) = the engine: ${name} (5 seeded runs of 400 events)`, () => {
    const col = collection(body);
    const r = convertCorrelation(col.correlations[0]!, col, splBackend, []);
    assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.error}`);
    assert.deepEqual(validateSpl(r.query).problems, [], r.query);
    const groupBy = col.correlations[0]!.correlation.groupBy;
    let alerting = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const evs = events(seed * 7919, 400);
      const want = engineFirstAlerts(col, evs);
      const got = new Map<string, number>();
      for (const row of runSpl(r.query, splEvents(evs))) got.set(JSON.stringify(Object.fromEntries(groupBy.map((g) => [g, String(row[g])]))), Number(row.first_window_end) * 1000);
      assert.deepEqual([...got].sort(), [...want].sort(), `seed ${seed}\n${r.query}`);
      alerting += want.size;
    }
    assert.ok(alerting > 0, 'the events make some group alert');
  });
}

test('percentiles and medians convert and validate (not in the differential: how Splunk interpolates is not modelled)', () => {
  for (const [name, body] of Object.entries(EXTRA)) {
    const r = convert(body);
    assert.ok(r.ok, `${name}: ${r.ok ? '' : r.error}`);
    assert.deepEqual(validateSpl(r.query).problems, [], r.query);
    assert.match(r.query, name === 'value_median' ? /\| streamstats time_window=10m median\(corr_v\) AS corr_value by corr_g0\n/ : /\| streamstats time_window=10m perc95\(corr_v\) AS corr_value by corr_g0\n/);
    assert.ok(r.notes.some((n) => n.includes('nearest rank')));
  }
});

test('event_count over one rule: the search written out', () => {
  const r = convert(CORRELATIONS.event_count!);
  assert.ok(r.ok);
  assert.equal(
    r.query,
    [
      'kind="failed"',
      '| eval corr_g0=User',
      '| where isnotnull(corr_g0) AND corr_g0!=""',
      '| sort 0 _time',
      '| streamstats time_window=5m count AS corr_value by corr_g0',
      '| where corr_value >= 3',
      '| stats min(_time) AS first_window_end max(corr_value) AS max_value count AS windows by corr_g0',
      '| rename corr_g0 AS User',
    ].join('\n'),
  );
});

test('temporal with aliases over two rules: flags from each rule\'s whole condition, the group from the rule the event matched', () => {
  const r = convert(CORRELATIONS['temporal with aliases']!);
  assert.ok(r.ok);
  assert.equal(
    r.query,
    [
      '(kind="failed") OR (kind="success")',
      '| eval corr_r0=case(match(kind, "(?i)^failed\\\\z"), 1, true(), 0), corr_r1=case(match(kind, "(?i)^success\\\\z"), 1, true(), 0)',
      '| where corr_r0=1 OR corr_r1=1',
      '| eval corr_g0=case(corr_r0=1, User, corr_r1=1, TargetUser)',
      '| where isnotnull(corr_g0) AND corr_g0!=""',
      '| sort 0 _time',
      '| streamstats time_window=3m max(corr_r0) AS corr_n0 max(corr_r1) AS corr_n1 by corr_g0',
      '| eval corr_value=corr_n0 + corr_n1',
      '| where corr_value >= 2',
      '| stats min(_time) AS first_window_end max(corr_value) AS max_value count AS windows by corr_g0',
      '| rename corr_g0 AS who',
    ].join('\n'),
  );
});

test('value_count of two fields, no group-by: the joined value where both are present, no by clause', () => {
  const r = convert('type: value_count\nrules: [failed]\ntimespan: 1h\ncondition:\n    field: [Source, Port]\n    gte: 4');
  assert.ok(r.ok);
  assert.equal(
    r.query,
    [
      'kind="failed"',
      '| eval corr_v=if(isnotnull(Source) AND isnotnull(Port), Source . "|" . Port, null())',
      '| sort 0 _time',
      '| streamstats time_window=1h dc(corr_v) AS corr_value',
      '| where corr_value >= 4',
      '| stats min(_time) AS first_window_end max(corr_value) AS max_value count AS windows',
    ].join('\n'),
  );
  assert.deepEqual(validateSpl(r.query).problems, []);
});

test('what SPL cannot say is refused with a reason: expressions, data model searches, unscoped Windows rules', () => {
  const refused = (body: string) => {
    const r = convert(body);
    assert.ok(!r.ok, body);
    return `${r.code}: ${r.error}`;
  };
  assert.match(refused('type: temporal\ngroup-by: [User]\ntimespan: 5m\ncondition: failed and not success'), /^correlation-condition: /);
  assert.match(refused('type: event_count\nrules: [failed]\ngroup-by: [windows]\ntimespan: 5m\ncondition:\n    gte: 3'), /^correlation-unsupported: |^[a-z-]+: /);
  const col = collection(CORRELATIONS.event_count!);
  const cim = convertCorrelation(col.correlations[0]!, col, splBackend, [splPipeline('splunk-cim')!]);
  assert.ok(!cim.ok);
  assert.equal(cim.code, 'no-datamodel');
  assert.match(cim.error, /^base rule 'failed': no CIM data model/);
  const win = convertCorrelation(col.correlations[0]!, col, splBackend, [builtinPipeline('windows')!, splPipeline('splunk-windows')!]);
  assert.ok(!win.ok);
  assert.equal(win.code, 'no-logsource-guard');
  assert.match(refused('type: event_count\nrules: [failed]\ngroup-by: [windows]\ntimespan: 5m\ncondition:\n    gte: 3'.replace('windows', 'max_value')), /^correlation-unsupported: the group-by name 'max_value'/);
});

test('savedsearches: a correlation is a stanza whose search is the correlation search', () => {
  const col = collection(CORRELATIONS.event_count!);
  const results = convertCollection(col, splBackend, []);
  const conf = renderRuleFormat(splBackend, 'savedsearches', results);
  assert.match(conf, /^\[C\]$/m);
  assert.match(conf, /^search = kind="failed" \\\n\| eval corr_g0=User \\$/m);
  // Every 15 minutes over the last 15 + 5 (the timespan), one alert per user per timespan.
  assert.match(conf, /^dispatch\.earliest_time = -20m@m$/m);
  assert.match(conf, /^alert\.suppress = 1\nalert\.suppress\.period = 300s\nalert\.suppress\.fields = User$/m);
});

test('a rule format without correlations refuses them (format-unsupported) rather than leaving them out', () => {
  const col = collection(CORRELATIONS.event_count!);
  const results = formatRefusals(kqlBackend, 'sentinel-rule', convertCollection(col, kqlBackend, []));
  const c = results.find((x) => x.document.kind === 'correlation')!;
  // No pipeline gives no table: a failure of its own, kept as it is.
  assert.equal(c.result.ok, false);
  const ok = formatRefusals(kqlBackend, 'sentinel-rule', [{ document: c.document, result: { ok: true, query: 'T', notes: [], state: {}, pipelines: [] } }]);
  assert.deepEqual(ok[0]!.result, { ok: false, code: 'format-unsupported', error: 'the sentinel-rule format does not hold correlation rules yet' });
  assert.equal(formatRefusals(splBackend, 'savedsearches', ok.map((x) => ({ ...x, result: { ok: true, query: 'T', notes: [], state: {}, pipelines: [] } })))[0]!.result.ok, true);
});
