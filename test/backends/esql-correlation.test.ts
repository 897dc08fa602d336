// Correlations converted to ES|QL: exact text for shapes written by hand, the validator and the
// fixed-bucket note on every case, refusals with their codes, the validator against broken
// pipelines, and each query run on the seeded events by a test evaluator of ES|QL pipelines
// (esql-eval.ts runEsql) against the same buckets measured directly here. That checks the query's
// text, not the engine: ES|QL's fixed buckets differ from the engine's sliding window by design (the note).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { esqlBackend } from '../../src/backends/elastic/index.js';
import { validateEsql } from '../../src/backends/elastic/esql/validate.js';
import type { EventObject } from '../../src/engine/event-access.js';
import { collection, convertCase, CORRELATIONS, events, MORE_CORRELATIONS } from './correlation-cases.js';
import { interpolate, runEsql, type Row } from './esql-eval.js';

const ALL = { ...CORRELATIONS, ...MORE_CORRELATIONS };
const convert = (body: string) => convertCase(body, esqlBackend);
const query = (body: string) => {
  const { r } = convert(body);
  assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.error}`);
  return r.query;
};

test('event_count: WHERE the rule with time and group present, STATS COUNT(*) BY the bucket and group, WHERE the condition', () => {
  assert.equal(
    query(CORRELATIONS.event_count!),
    [
      'FROM logs-*',
      '| WHERE (TO_LOWER(kind) == "failed") AND @timestamp IS NOT NULL AND User IS NOT NULL AND User != ""',
      '| STATS correlation_value = COUNT(*) BY window_start = BUCKET(@timestamp, 5 minutes), User',
      '| WHERE correlation_value >= 3',
    ].join('\n'),
  );
});

test('temporal with aliases: rule flags and the alias column in EVAL, one MAX per rule, their sum', () => {
  assert.equal(
    query(CORRELATIONS['temporal with aliases']!),
    [
      'FROM logs-*',
      '| WHERE ((TO_LOWER(kind) == "failed") OR (TO_LOWER(kind) == "success")) AND @timestamp IS NOT NULL',
      '| EVAL rule_0 = COALESCE(TO_LOWER(kind) == "failed", FALSE), rule_1 = COALESCE(TO_LOWER(kind) == "success", FALSE), who = CASE(rule_0, User, rule_1, TargetUser)',
      '| WHERE who IS NOT NULL AND who != ""',
      '| STATS seen_0 = MAX(CASE(rule_0, 1, 0)), seen_1 = MAX(CASE(rule_1, 1, 0)) BY window_start = BUCKET(@timestamp, 3 minutes), who',
      '| EVAL correlation_value = seen_0 + seen_1',
      '| WHERE correlation_value >= 2',
    ].join('\n'),
  );
});

test('value_count of two fields: one length-prefixed CONCAT counted distinct; a range is two comparisons', () => {
  assert.match(query(CORRELATIONS['value_count, two fields']!), /\n\| EVAL correlation_values = CONCAT\(TO_STRING\(LENGTH\(Source\)\), ":", Source, Port\)\n\| STATS correlation_value = COUNT_DISTINCT\(correlation_values\) BY window_start = BUCKET\(@timestamp, 10 minutes\), User\n/);
  assert.match(query(MORE_CORRELATIONS['event_count, range, two group-by fields']!), /BY window_start = BUCKET\(@timestamp, 90 seconds\), User, Source\n\| WHERE correlation_value >= 2 AND correlation_value <= 3$/);
  assert.match(query(MORE_CORRELATIONS.value_percentile!), /STATS correlation_value = PERCENTILE\(TO_DOUBLE\(Bytes\), 95\) BY/);
});

test('every case converts, passes the validator and carries the fixed-bucket note', () => {
  for (const [name, body] of Object.entries(ALL)) {
    const { r } = convert(body);
    if (!r.ok) assert.fail(`${name}: ${r.error}`);
    assert.deepEqual(validateEsql(r.query).problems, [], `${name}\n${r.query}`);
    assert.match(r.notes[0]!, /^ES\|QL measures each group in fixed buckets of .* slides a window of .* ending at each event/, name);
  }
  const neq = convert(MORE_CORRELATIONS['event_count, neq']!).r;
  assert.match(neq.ok ? neq.notes.join(' ') : '', /an upper bound can hold on a bucket/);
});

test('temporal of one rule still flags it', () => {
  const q = query('type: temporal\nrules: [failed]\ngroup-by: [User]\ntimespan: 5m');
  assert.match(q, /\n\| EVAL rule_0 = COALESCE\(TO_LOWER\(kind\) == "failed", FALSE\)\n/);
  assert.deepEqual(validateEsql(q).problems, []);
});

test('refused with a reason: temporal_ordered of three rules, a condition written as an expression', () => {
  const refused = (body: string) => {
    const { r } = convert(body);
    assert.ok(!r.ok, r.ok ? r.query : '');
    return r.code;
  };
  assert.equal(refused('type: temporal_ordered\nrules: [failed, success, failed]\ngroup-by: [User]\ntimespan: 5m'), 'correlation-unsupported');
  assert.equal(refused('type: temporal\ngroup-by: [User]\ntimespan: 5m\ncondition: failed and not success'), 'correlation-condition');
});

test('validateEsql: pipelines with EVAL and STATS, broken ones rejected with their place', () => {
  const bad: Array<[string, RegExp]> = [
    ['FROM x\n| WHERE COUNT(*) > 2', /COUNT is an aggregate/],
    ['FROM x\n| STATS n = COUNT(*) BY BUCKET(@timestamp, 5 minutes), User\n| WHERE User2 == "a"', /User2 is not a column here/],
    ['FROM x\n| STATS n = MAX(COUNT(*)) BY User', /COUNT is an aggregate/],
    ['FROM x\n| EVAL b = BUCKET(@timestamp, 5 minutes)', /BUCKET groups/],
    ['FROM x\n| EVAL n == 1', /expected '='/],
    ['FROM x\n| STATS n = PERCENTILE(a) BY User', /PERCENTILE takes 2 arguments, not 1/],
    ['FROM x\n| STATS BY', /expected a field name or a value/],
  ];
  for (const [q, why] of bad) {
    const check = validateEsql(q);
    assert.equal(check.ok, false, q);
    assert.match(check.problems[0]!, why, q);
  }
});

// The buckets measured directly: the base rules are `kind: <name>` (case-insensitive), as correlation-cases.ts writes them.
const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;
function directBuckets(body: string, evs: readonly EventObject[]): string[] {
  const c = collection(body).correlations[0]!.correlation;
  const rules = c.rules;
  const span = c.timespanMs;
  const fieldOf = (g: string, rule: string) => c.aliases[g]?.[rule] ?? g;
  const buckets = new Map<string, { key: unknown[]; evs: Array<{ e: EventObject; rule: number; t: number }> }>();
  for (const e of evs) {
    const rule = rules.findIndex((r) => String(e.kind ?? '').toLowerCase() === r);
    if (rule < 0 || typeof e.timestamp !== 'string') continue;
    const t = Date.parse(e.timestamp);
    const groups = c.groupBy.map((g) => e[fieldOf(g, rules[rule]!)]);
    if (groups.some((v) => v === undefined || v === null || v === '')) continue;
    const key = [Math.floor(t / span) * span, ...groups.map(String)];
    const slot = buckets.get(JSON.stringify(key)) ?? { key, evs: [] };
    slot.evs.push({ e, rule, t });
    buckets.set(JSON.stringify(key), slot);
  }
  const field = c.conditions.find((x) => x.field !== undefined)?.field;
  const fields = field === undefined ? [] : Array.isArray(field) ? field : [field];
  const nums = (xs: Array<{ e: EventObject }>) => xs.map(({ e }) => e[fields[0]!]).filter((v) => v !== undefined && v !== null && NUMBER.test(String(v))).map(Number);
  const out: string[] = [];
  for (const { key, evs: members } of buckets.values()) {
    let value: number | null;
    switch (c.type) {
      case 'event_count':
        value = members.length;
        break;
      case 'value_count':
        value = new Set(members.filter(({ e }) => fields.every((f) => e[f] !== undefined && e[f] !== null)).map(({ e }) => JSON.stringify(fields.map((f) => String(e[f]))))).size;
        break;
      case 'value_sum':
      case 'value_avg': {
        const xs = nums(members);
        value = xs.length ? xs.reduce((a, b) => a + b, 0) / (c.type === 'value_avg' ? xs.length : 1) : null;
        break;
      }
      case 'value_percentile':
      case 'value_median': {
        const xs = nums(members).sort((a, b) => a - b);
        value = xs.length ? interpolate(xs, c.percentile ?? 50) : null;
        break;
      }
      case 'temporal':
        value = new Set(members.map((m) => m.rule)).size;
        break;
      case 'temporal_ordered': {
        const first0 = Math.min(...members.filter((m) => m.rule === 0).map((m) => m.t));
        const last1 = Math.max(...members.filter((m) => m.rule === 1).map((m) => m.t));
        value = first0 <= last1 ? 2 : Number.isFinite(first0) ? 1 : 0;
        break;
      }
    }
    const conds = c.conditions.length ? c.conditions : [{ op: 'gte' as const, value: rules.length }];
    const holds = (x: number, op: string, v: number) => ({ gt: x > v, gte: x >= v, lt: x < v, lte: x <= v, eq: x === v, neq: x !== v })[op];
    if (value !== null && conds.every((x) => holds(value!, x.op, x.value))) out.push(JSON.stringify(key));
  }
  return out.sort();
}

for (const [name, body] of Object.entries(ALL)) {
  test(`ES|QL query on the seeded events = the buckets measured directly: ${name} (5 seeded runs of 400 events)`, () => {
    const { col, r } = convert(body);
    if (!r.ok) assert.fail(r.error);
    const groupBy = col.correlations[0]!.correlation.groupBy;
    let found = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const evs = events(seed * 7919, 400);
      const rows: Row[] = evs.map((e) => {
        const row: Row = Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v === null ? null : String(v)]));
        if (typeof e.timestamp === 'string') row['@timestamp'] = e.timestamp;
        return row;
      });
      const got = runEsql(r.query, rows)
        .map((row) => JSON.stringify([row.window_start, ...groupBy.map((g) => row[g])]))
        .sort();
      const want = directBuckets(body, evs);
      assert.deepEqual(got, want, `seed ${seed}\n${r.query}`);
      found += want.length;
    }
    assert.ok(found > 0, 'some bucket meets the condition');
  });
}

test('--format elastic-rule: the example correlation as a Kibana ES|QL rule (and an EQL one) that looks back over its timespan', async () => {
  const { loadSigmaPaths } = await import('../../src/sigma/load.js');
  const { convertCollection } = await import('../../src/backends/common/convert.js');
  const { renderRuleFormat } = await import('../../src/backends/rule-formats.js');
  const { elasticPipeline, eqlBackend } = await import('../../src/backends/elastic/index.js');
  const { validateEql } = await import('../../src/backends/elastic/eql/validate.js');
  const { REPO } = await import('../helpers.js');
  const col = loadSigmaPaths([`${REPO}/examples/correlations`]);
  for (const [backend, validate] of [
    [esqlBackend, validateEsql],
    [eqlBackend, validateEql],
  ] as const) {
    const lines = renderRuleFormat(backend, 'elastic-rule', convertCollection(col, backend, [elasticPipeline('ecs-windows')!])).trim().split('\n');
    // The base rules (generate: false) are converted only inside the correlation.
    assert.equal(lines.length, 1);
    const rule = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(rule.rule_id, col.correlations[0]!.id);
    assert.equal(rule.type, backend.target);
    // Five minutes of interval, one late, five of timespan.
    assert.equal(rule.from, 'now-660s');
    assert.deepEqual(validate(rule.query as string).problems, []);
    assert.doesNotMatch(rule.query as string, /METADATA/);
  }
});
