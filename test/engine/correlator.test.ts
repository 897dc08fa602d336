// The correlator, with hand-computed expectations: every type, conditions and ranges, aliases,
// chains, generate, missing group-by fields, out-of-order input, one event matching two rules, the
// window edges, three bugs peers shipped, and a property test of the sliding windows against a
// brute-force count on random events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyCollection, addParsedFile, checkCollection } from '../../src/sigma/collection.js';
import { parseSigmaText } from '../../src/sigma/collection.js';
import { resolveCorrelations } from '../../src/sigma/correlation-plan.js';
import { Correlator, type CorrelationAlert, type CorrelatorOptions } from '../../src/engine/correlation/correlator.js';
import type { SigmaRule } from '../../src/sigma/model.js';

const T0 = Date.UTC(2026, 10, 20, 8, 0, 0);
const min = (n: number) => T0 + n * 60_000;

function base(name: string, id: string): string {
  return `title: ${name}
id: ${id}
name: ${name}
logsource:
    product: test
detection:
    selection:
        kind: ${name}
    condition: selection
`;
}

function setup(yaml: string, opts: CorrelatorOptions = {}) {
  const col = emptyCollection();
  addParsedFile(col, parseSigmaText(yaml, 'rules.yml'));
  checkCollection(col);
  assert.deepEqual(col.rejected.map((r) => r.diagnostics.map((d) => d.message)), []);
  const plan = resolveCorrelations(col.rules, col.correlations);
  assert.deepEqual(plan.problems.map((p) => p.reason), []);
  const correlator = new Correlator(plan, opts);
  const rule = (name: string): SigmaRule => col.rules.find((r) => r.name === name)!;
  const alerts: CorrelationAlert[] = [];
  let line = 0;
  const push = (name: string, t: number, fields: Record<string, unknown> = {}) => {
    alerts.push(...correlator.push({ rule: rule(name), time: t, event: { kind: name, ...fields }, ref: { file: 'events', line: ++line } }));
  };
  const end = () => {
    alerts.push(...correlator.end());
    return alerts;
  };
  return { col, plan, correlator, push, end, rule };
}

const RULES = [base('failed', '00000000-0000-4000-8000-000000000001'), base('success', '00000000-0000-4000-8000-000000000002'), base('mfa', '00000000-0000-4000-8000-000000000003')].join('---\n');

function correlation(body: string, extra = ''): string {
  return `${RULES}---
title: The correlation
id: 00000000-0000-4000-8000-0000000000c1
name: the_correlation
${extra}correlation:
${body
  .trim()
  .split('\n')
  .map((l) => '    ' + l)
  .join('\n')}
level: high
`;
}

const groups = (alerts: CorrelationAlert[]) => alerts.map((a) => `${JSON.stringify(a.group)}@${(a.window.end - T0) / 60_000}=${a.value}`);

test('event_count gte 3 in 5m, by user: fires once per burst, per user, on the third event', () => {
  const s = setup(correlation('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 5m\ncondition:\n    gte: 3'));
  for (const [t, u] of [[0, 'a'], [1, 'b'], [2, 'a'], [3, 'a'], [4, 'a'], [4.5, 'b'], [20, 'b']] as const) s.push('failed', min(t), { User: u });
  assert.deepEqual(groups(s.end()), ['{"User":"a"}@3=3']);
});

test('the window includes an event exactly timespan before, and not one a millisecond older (Hayabusa #1896)', () => {
  const s = setup(correlation('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 5m\ncondition:\n    gte: 2'));
  s.push('failed', min(0), { User: 'edge' });
  s.push('failed', min(5), { User: 'edge' });
  s.push('failed', min(10) - 1, { User: 'out' });
  s.push('failed', min(15), { User: 'out' });
  assert.deepEqual(groups(s.end()), ['{"User":"edge"}@5=2']);
});

test('events spread beyond the timespan never fire (Zircolite does not enforce timespan)', () => {
  const s = setup(correlation('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 1m\ncondition:\n    gte: 3'));
  for (let i = 0; i < 10; i++) s.push('failed', min(i * 2), { User: 'slow' });
  assert.deepEqual(s.end(), []);
});

test('a sustained burst alerts once per timespan: quiet until the window has moved past the alert', () => {
  const s = setup(correlation('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 10m\ncondition:\n    gte: 2'));
  for (let i = 0; i <= 25; i++) s.push('failed', min(i), { User: 'x' });
  // Alert at 1 (events 0 and 1); quiet through 11; at 12 the window [2, 12] starts after the alert
  // and holds its 11 events; quiet through 22; then [13, 23].
  assert.deepEqual(groups(s.end()), ['{"User":"x"}@1=2', '{"User":"x"}@12=11', '{"User":"x"}@23=11']);
});

test('ranges and neq: gt 2 and lte 3 fires at the third event; neq 1 at the second', () => {
  const r = setup(correlation('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 1h\ncondition:\n    gt: 2\n    lte: 3'));
  for (let i = 0; i < 6; i++) r.push('failed', min(i), { User: 'u' });
  assert.deepEqual(groups(r.end()), ['{"User":"u"}@2=3']);
  const n = setup(correlation('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 1h\ncondition:\n    neq: 1'));
  for (let i = 0; i < 3; i++) n.push('failed', min(i), { User: 'u' });
  assert.deepEqual(groups(n.end()), ['{"User":"u"}@1=2']);
});

test('value_count: distinct values of one field and of a pair of fields', () => {
  const one = setup(correlation('type: value_count\nrules: [failed]\ngroup-by: [Source]\ntimespan: 10m\ncondition:\n    field: User\n    gte: 3'));
  for (const [t, u] of [[0, 'a'], [1, 'a'], [2, 'b'], [3, 'b'], [4, 'c']] as const) one.push('failed', min(t), { Source: '10.0.0.1', User: u });
  assert.deepEqual(groups(one.end()), ['{"Source":"10.0.0.1"}@4=3']);
  const pair = setup(correlation('type: value_count\nrules: [failed]\ngroup-by: [Source]\ntimespan: 10m\ncondition:\n    field: [User, Domain]\n    gte: 3'));
  for (const [t, u, d] of [[0, 'a', 'x'], [1, 'a', 'y'], [2, 'a', 'x'], [3, 'b', 'x']] as const) pair.push('failed', min(t), { Source: 's', User: u, Domain: d });
  assert.deepEqual(groups(pair.end()), ['{"Source":"s"}@3=3']);
});

test('temporal: every rule, in any order, for the same group (Hayabusa #1841: group-by ignored)', () => {
  const s = setup(correlation('type: temporal\nrules: [failed, success]\ngroup-by: [User]\ntimespan: 10m'));
  s.push('success', min(0), { User: 'a' });
  s.push('failed', min(1), { User: 'b' }); // another user: no pair with a's success
  s.push('failed', min(2), { User: 'a' });
  assert.deepEqual(groups(s.end()), ['{"User":"a"}@2=2']);
});

test('temporal_ordered: the order of the rules list is enforced (Hayabusa #1841)', () => {
  const s = setup(correlation('type: temporal_ordered\nrules: [failed, success]\ngroup-by: [User]\ntimespan: 10m'));
  s.push('success', min(0), { User: 'a' });
  s.push('failed', min(1), { User: 'a' }); // success before failed: no
  s.push('failed', min(20), { User: 'b' });
  s.push('success', min(21), { User: 'b' });
  assert.deepEqual(groups(s.end()), ['{"User":"b"}@21=2']);
});

test('extended temporal condition: failed and not mfa (a boolean expression of rule names)', () => {
  const yaml = correlation("type: temporal\ngroup-by: [User]\ntimespan: 10m\ncondition: failed and not mfa");
  const s = setup(yaml);
  s.push('mfa', min(0), { User: 'with-mfa' });
  s.push('failed', min(1), { User: 'with-mfa' });
  s.push('failed', min(2), { User: 'no-mfa' });
  assert.deepEqual(groups(s.end()), ['{"User":"no-mfa"}@2=1']);
  assert.deepEqual(s.plan.correlations[0]!.inputs.map((i) => i.ref), ['failed', 'mfa']);
});

test('value_sum, value_avg, value_median and value_percentile', () => {
  const run = (type: string, cond: string, values: number[]) => {
    const s = setup(correlation(`type: ${type}\nrules: [success]\ngroup-by: [Host]\ntimespan: 1h\ncondition:\n    field: Bytes\n${cond}`));
    values.forEach((v, i) => s.push('success', min(i), { Host: 'h', Bytes: v }));
    s.push('success', min(values.length), { Host: 'h' }); // no value: ignored by the value types
    return groups(s.end());
  };
  assert.deepEqual(run('value_sum', '    gt: 100', [40, 50, 20, 5]), ['{"Host":"h"}@2=110']);
  assert.deepEqual(run('value_avg', '    gte: 30', [10, 20, 60]), ['{"Host":"h"}@2=30']);
  assert.deepEqual(run('value_median', '    gte: 50', [10, 90, 60]), ['{"Host":"h"}@2=60']);
  // Nearest rank: the 75th percentile of 10, 20, 30, 40 is 30.
  assert.deepEqual(run('value_percentile', '    percentile: 75\n    gte: 30', [10, 20, 30, 40]), ['{"Host":"h"}@2=30']);
});

test('aliases: the group is keyed by the alias name, read from each rule’s own field', () => {
  const yaml = correlation('type: temporal\nrules: [failed, success]\ngroup-by: [ip]\ntimespan: 5m\naliases:\n    ip:\n        failed: SourceIp\n        success: ClientAddress');
  const s = setup(yaml);
  s.push('failed', min(0), { SourceIp: '10.1.1.1' });
  s.push('success', min(1), { ClientAddress: '10.9.9.9' });
  s.push('success', min(2), { ClientAddress: '10.1.1.1' });
  assert.deepEqual(groups(s.end()), ['{"ip":"10.1.1.1"}@2=2']);
});

test('chains: many failed logins followed by a success, the inner correlation silent (generate: false)', () => {
  const yaml = `${RULES}---
title: Many failed logins
id: 00000000-0000-4000-8000-0000000000c2
name: many_failed
correlation:
    type: event_count
    rules: [failed]
    group-by: [User]
    timespan: 10m
    condition:
        gte: 3
---
title: Brute force then success
id: 00000000-0000-4000-8000-0000000000c3
correlation:
    type: temporal_ordered
    rules: [many_failed, success]
    group-by: [User]
    timespan: 30m
level: high
`;
  const s = setup(yaml);
  assert.deepEqual(s.plan.correlations.map((c) => c.doc.title), ['Many failed logins', 'Brute force then success']);
  assert.ok(s.correlator.silences(s.rule('failed')) && s.correlator.silences(s.rule('success')));
  for (let i = 0; i < 3; i++) s.push('failed', min(i), { User: 'v' });
  s.push('success', min(5), { User: 'v' });
  s.push('success', min(6), { User: 'w' });
  const alerts = s.end();
  assert.deepEqual(alerts.map((a) => `${a.correlation.title} ${JSON.stringify(a.group)}@${(a.window.end - T0) / 60_000}`), ['Brute force then success {"User":"v"}@5']);
});

test('generate: true reports the inner correlation and the rules it reads', () => {
  const s = setup(correlation('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 5m\ngenerate: true\ncondition:\n    gte: 2'));
  assert.equal(s.plan.silent.size, 0);
});

test('an event without a group-by field joins no group and is counted; no group-by is one group', () => {
  const s = setup(correlation('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 5m\ncondition:\n    gte: 2'));
  s.push('failed', min(0), {});
  s.push('failed', min(1), {});
  assert.deepEqual(s.end(), []);
  assert.equal(s.correlator.stats.ungrouped, 2);
  const all = setup(correlation('type: event_count\nrules: [failed]\ntimespan: 5m\ncondition:\n    gte: 2'));
  all.push('failed', min(0), { User: 'a' });
  all.push('failed', min(1), { User: 'b' });
  assert.deepEqual(groups(all.end()), ['{}@1=2']);
});

test('one event matching two rules counts once for event_count and as each rule for temporal', () => {
  const count = setup(correlation('type: event_count\nrules: [failed, success]\ngroup-by: [User]\ntimespan: 5m\ncondition:\n    gte: 2'));
  const shared = { User: 'u' };
  // The same event handed over for both rules (as the detector reports both matches).
  const event = { kind: 'both', ...shared };
  for (const r of ['failed', 'success']) count.correlator.push({ rule: count.rule(r), time: min(0), event, ref: { file: 'e', line: 1 } });
  assert.deepEqual(count.end(), [], 'one event is one event');
  const temporal = setup(correlation('type: temporal\nrules: [failed, success]\ngroup-by: [User]\ntimespan: 5m'));
  const alerts: CorrelationAlert[] = [];
  for (const r of ['failed', 'success']) alerts.push(...temporal.correlator.push({ rule: temporal.rule(r), time: min(0), event, ref: { file: 'e', line: 1 } }));
  alerts.push(...temporal.correlator.end());
  assert.equal(alerts.length, 1);
});

test('out-of-order input gives the alerts of sorted input; beyond the lateness a match is late and counted', () => {
  const yaml = correlation('type: temporal_ordered\nrules: [failed, success]\ngroup-by: [User]\ntimespan: 10m');
  const sorted = setup(yaml);
  sorted.push('failed', min(0), { User: 'a' });
  sorted.push('success', min(3), { User: 'a' });
  const shuffled = setup(yaml);
  shuffled.push('success', min(3), { User: 'a' });
  shuffled.push('failed', min(0), { User: 'a' });
  assert.deepEqual(groups(shuffled.end()), groups(sorted.end()));
  assert.deepEqual(groups(sorted.end()), ['{"User":"a"}@3=2']);
  const bounded = setup(yaml, { latenessMs: 60_000 });
  bounded.push('success', min(3), { User: 'a' });
  bounded.push('failed', min(10), { User: 'z' }); // releases the success at 3
  bounded.push('failed', min(0), { User: 'a' }); // older than a released match: late
  assert.deepEqual(bounded.end(), []);
  assert.equal(bounded.correlator.stats.late, 1);
});

test('state is bounded: passed windows are dropped, and beyond maxGroups the oldest group is evicted and counted', () => {
  const s = setup(correlation('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 1m\ncondition:\n    gte: 2'), { maxGroups: 3 });
  for (let i = 0; i < 10; i++) s.push('failed', min(0) + i, { User: `u${i}` });
  s.end();
  assert.ok(s.correlator.groupsHeld <= 3);
  assert.equal(s.correlator.stats.evicted, 7);
  const later = setup(correlation('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 1m\ncondition:\n    gte: 2'), { maxGroups: 3 });
  for (let i = 0; i < 10; i++) later.push('failed', min(i * 2), { User: `u${i}` });
  later.end();
  assert.equal(later.correlator.stats.evicted, 0, 'groups whose window passed make room without eviction');
});

test('at the cap, the group evicted is the one seen least recently, not the one created first', () => {
  const s = setup(correlation('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 1m\ncondition:\n    gte: 3'), { maxGroups: 3, latenessMs: 0 });
  const sec = (n: number) => min(0) + n * 1000;
  for (const [t, user] of [[0, 'u0'], [1, 'u1'], [2, 'u2'], [3, 'u0'], [4, 'u3']] as const) s.push('failed', sec(t), { User: user });
  assert.equal(s.correlator.stats.evicted, 1);
  // u0 (created first, seen at 3 s) kept its two matches; u1 (seen last at 1 s) lost its one.
  for (const [t, user] of [[5, 'u0'], [6, 'u1'], [7, 'u1']] as const) s.push('failed', sec(t), { User: user });
  assert.deepEqual(s.end().map((a) => a.group.User), ['u0']);
});

test('a snapshot restored into a new correlator continues exactly where the first left off', () => {
  const yaml = correlation('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 10m\ncondition:\n    gte: 3');
  const whole = setup(yaml, { latenessMs: 0 });
  const first = setup(yaml, { latenessMs: 0 });
  const events: Array<[number, string]> = [[0, 'a'], [1, 'b'], [2, 'a'], [3, 'b'], [4, 'a'], [5, 'b'], [30, 'a'], [31, 'a'], [32, 'a']];
  events.forEach(([t, u]) => whole.push('failed', min(t), { User: u }));
  events.slice(0, 3).forEach(([t, u]) => first.push('failed', min(t), { User: u }));
  const snap = JSON.parse(JSON.stringify(first.correlator.snapshot()));
  const second = setup(yaml, { latenessMs: 0 });
  second.correlator.restore(snap);
  events.slice(3).forEach(([t, u]) => second.push('failed', min(t), { User: u }));
  assert.deepEqual(groups([...first.end(), ...second.end()]), groups(whole.end()));
  assert.deepEqual(groups(whole.end()), ['{"User":"a"}@4=3', '{"User":"b"}@5=3', '{"User":"a"}@32=3']);
});

test('references to unknown rules and cycles are reported, and the rest still runs', () => {
  const yaml = `${RULES}---
title: Unknown
id: 00000000-0000-4000-8000-0000000000d1
correlation:
    type: event_count
    rules: [nope]
    timespan: 5m
    condition:
        gte: 1
---
title: Cycle A
id: 00000000-0000-4000-8000-0000000000d2
name: cycle_a
correlation:
    type: event_count
    rules: [cycle_b]
    timespan: 5m
    condition:
        gte: 1
---
title: Cycle B
id: 00000000-0000-4000-8000-0000000000d3
name: cycle_b
correlation:
    type: event_count
    rules: [cycle_a]
    timespan: 5m
    condition:
        gte: 1
---
title: Fine
id: 00000000-0000-4000-8000-0000000000d4
correlation:
    type: event_count
    rules: [failed]
    timespan: 5m
    condition:
        gte: 1
`;
  const col = emptyCollection();
  addParsedFile(col, parseSigmaText(yaml, 'r.yml'));
  const plan = resolveCorrelations(col.rules, col.correlations);
  assert.deepEqual(plan.correlations.map((c) => c.doc.title), ['Fine']);
  assert.deepEqual(plan.problems.map((p) => `${p.correlation.title}: ${p.reason.split(':')[0]}`).sort(), ["Cycle A: its chain is a cycle", "Cycle B: its chain is a cycle", "Unknown: it names 'nope', which is neither a loaded rule nor a correlation (by id or name)"]);
});

// ---- property test: the sliding window against a brute-force reading of the same rules ----

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Straight from the written rules, O(n²): windows end at each event; quiet until the window has moved past. */
function bruteForce(events: Array<{ t: number; user: string }>, span: number, n: number): string[] {
  const out: string[] = [];
  const users = [...new Set(events.map((e) => e.user))].sort();
  for (const u of users) {
    const mine = events.filter((e) => e.user === u).sort((a, b) => a.t - b.t);
    let lastAlert = -Infinity;
    for (const e of mine) {
      if (e.t <= lastAlert + span) continue;
      const inWindow = mine.filter((x) => x.t <= e.t && x.t >= e.t - span && x.t > lastAlert && mine.indexOf(x) <= mine.indexOf(e));
      if (inWindow.length >= n) {
        out.push(`${u}@${e.t}`);
        lastAlert = e.t;
      }
    }
  }
  return out.sort();
}

test('property: event_count on random events equals a brute-force count (200 runs, seeded)', () => {
  const rnd = lcg(20261206);
  for (let run = 0; run < 200; run++) {
    const span = (1 + Math.floor(rnd() * 10)) * 1000;
    const n = 1 + Math.floor(rnd() * 4);
    const events = Array.from({ length: 5 + Math.floor(rnd() * 40) }, () => ({ t: T0 + Math.floor(rnd() * 60) * 1000, user: `u${Math.floor(rnd() * 3)}` }));
    const s = setup(correlation(`type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: ${span / 1000}s\ncondition:\n    gte: ${n}`));
    for (const e of events) s.push('failed', e.t, { User: e.user });
    const got = s.end().map((a) => `${a.group.User}@${a.window.end}`).sort();
    assert.deepEqual(got, bruteForce(events, span, n), `run ${run}: span ${span}, n ${n}`);
  }
});

test('validate: an extended temporal condition is accepted; a broken one or one on a count type is a located error', () => {
  const parse = (body: string) => {
    const col = emptyCollection();
    addParsedFile(col, parseSigmaText(correlation(body), 'c.yml'));
    return col.rejected.flatMap((r) => r.diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`));
  };
  assert.deepEqual(parse('type: temporal_ordered\ngroup-by: [User]\ntimespan: 10m\ncondition: failed and not (mfa or success)'), []);
  assert.deepEqual(parse('type: temporal\ngroup-by: [User]\ntimespan: 10m\ncondition: failed and and mfa'), ["38:27 invalid-correlation-condition the condition expression: unexpected 'and'"]);
  assert.deepEqual(parse('type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 10m\ncondition: failed'), ["39:16 invalid-correlation-condition a condition written as an expression ('failed') is for temporal and temporal_ordered correlations only"]);
  assert.deepEqual(parse('type: temporal\nrules: [failed, success]\ngroup-by: [User]\ntimespan: 10m\ncondition: failed and mfa'), [
    "39:16 invalid-correlation-condition the condition names 'mfa', which 'rules' does not list",
    "36:5 invalid-correlation-condition 'rules' lists 'success', which the condition does not use",
  ]);
});
