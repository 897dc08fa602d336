// What the SQL correlation differentials share: correlations of every converted kind over two base
// rules, seeded random events, and the engine's answer (the detector and the correlator, as `quarry
// hunt` runs them): each alerting group with the end of its first window.
import assert from 'node:assert/strict';
import { emptyCollection, addParsedFile, checkCollection, parseSigmaText } from '../../src/sigma/collection.js';
import { resolveCorrelations } from '../../src/sigma/correlation-plan.js';
import { Correlator } from '../../src/engine/correlation/correlator.js';
import { prepareRules } from '../../src/engine/rulebook.js';
import { Detector } from '../../src/engine/detector.js';
import { eventTimeMs } from '../../src/engine/event-time.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import type { EventObject } from '../../src/engine/event-access.js';
import { convertCorrelation } from '../../src/backends/common/convert.js';
import type { Backend } from '../../src/backends/common/types.js';

export const EVENT_FIELDS = ['kind', 'User', 'TargetUser', 'timestamp', 'Source', 'Port', 'Bytes'];

const base = (name: string) => `title: ${name}\nname: ${name}\nlogsource:\n    product: test\ndetection:\n    selection:\n        kind: ${name}\n    condition: selection\n`;
const RULES = [base('failed'), base('success')].join('---\n');

export const CORRELATIONS: Record<string, string> = {
  event_count: 'type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 5m\ncondition:\n    gte: 3',
  'event_count, two rules, gt': 'type: event_count\nrules: [failed, success]\ngroup-by: [User]\ntimespan: 2m\ncondition:\n    gt: 2',
  'event_count, no group-by': 'type: event_count\nrules: [success]\ntimespan: 1m\ncondition:\n    gte: 4',
  value_count: 'type: value_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 10m\ncondition:\n    field: Source\n    gte: 3',
  'value_count, two fields': 'type: value_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 10m\ncondition:\n    field: [Source, Port]\n    gte: 4',
  value_sum: 'type: value_sum\nrules: [success]\ngroup-by: [User]\ntimespan: 10m\ncondition:\n    field: Bytes\n    gt: 150',
  value_avg: 'type: value_avg\nrules: [success]\ngroup-by: [User]\ntimespan: 10m\ncondition:\n    field: Bytes\n    gte: 70',
  temporal: 'type: temporal\nrules: [failed, success]\ngroup-by: [User]\ntimespan: 3m',
  temporal_ordered: 'type: temporal_ordered\nrules: [failed, success]\ngroup-by: [User]\ntimespan: 3m',
  'temporal with aliases': 'type: temporal\nrules: [failed, success]\ngroup-by: [who]\ntimespan: 3m\naliases:\n    who:\n        failed: User\n        success: TargetUser',
};

/** More shapes for the targets that take them (ES|QL, EQL): percentiles, medians, ranges, `neq`, ordered aliases. */
export const MORE_CORRELATIONS: Record<string, string> = {
  value_percentile: 'type: value_percentile\nrules: [success]\ngroup-by: [User]\ntimespan: 10m\ncondition:\n    field: Bytes\n    percentile: 95\n    gt: 100',
  value_median: 'type: value_median\nrules: [success]\ngroup-by: [User]\ntimespan: 10m\ncondition:\n    field: Bytes\n    gte: 70',
  'event_count, range, two group-by fields': 'type: event_count\nrules: [failed]\ngroup-by: [User, Source]\ntimespan: 90s\ncondition:\n    gte: 2\n    lte: 3',
  'event_count, neq': 'type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 1h\ncondition:\n    neq: 2',
  'event_count, gte 2, no group-by': 'type: event_count\nrules: [failed]\ntimespan: 30s\ncondition:\n    gte: 2',
  'temporal_ordered with aliases': 'type: temporal_ordered\nrules: [failed, success]\ngroup-by: [who]\ntimespan: 3m\naliases:\n    who:\n        failed: User\n        success: TargetUser',
};

export function collection(body: string) {
  const col = emptyCollection();
  addParsedFile(col, parseSigmaText(`${RULES}---\ntitle: C\ncorrelation:\n${body.split('\n').map((l) => '    ' + l).join('\n')}\nlevel: high\n`, 'c.yml'));
  checkCollection(col);
  assert.deepEqual(col.rejected.flatMap((r) => r.diagnostics.map((d) => d.message)), []);
  return col;
}

/** A case's collection and its correlation converted for a backend (no pipelines). */
export function convertCase(body: string, backend: Backend) {
  const col = collection(body);
  return { col, r: convertCorrelation(col.correlations[0]!, col, backend, []) };
}

/** Seeded events over two hours: a few users, failed and successful logins, values good and bad. */
export function events(seed: number, n: number): EventObject[] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const t0 = Date.UTC(2026, 10, 20, 8);
  return Array.from({ length: n }, () => {
    const e: EventObject = { kind: pick(['failed', 'failed', 'success', 'other']) };
    const user = pick(['alice', 'bob', 'carol', 'dave', '', null]);
    if (user !== null) e.User = user;
    e.TargetUser = pick(['alice', 'bob', 'erin']);
    if (rnd() > 0.03) e.timestamp = new Date(t0 + Math.floor(rnd() * 7_200_000 / 1000) * 1000).toISOString();
    e.Source = pick(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
    if (rnd() > 0.2) e.Port = pick(['22', '445', '3389']);
    const bytes = pick([10, 40, 75, 120, '90', ' 60', 'n/a', null]);
    if (bytes !== null) e.Bytes = bytes;
    return e;
  });
}

/** The engine's first alert per group: group values as JSON → end of the first window (ms). */
export function engineFirstAlerts(col: ReturnType<typeof collection>, evs: EventObject[]): Map<string, number> {
  const detector = new Detector(prepareRules(col, { pipelines: [], regex: re2Regex }).set, { regex: re2Regex });
  const correlator = new Correlator(resolveCorrelations(col.rules, col.correlations));
  const alerts = [];
  evs.forEach((e, i) => {
    const event = { ...e };
    const r = detector.next(event);
    for (const m of r.matches) if (r.time) alerts.push(...correlator.push({ rule: m.rule.ir.rule, time: eventTimeMs(r.time), event, ref: { file: 'e', line: i + 1 } }));
  });
  alerts.push(...correlator.end());
  const first = new Map<string, number>();
  for (const a of alerts) {
    const key = JSON.stringify(a.group);
    if (!first.has(key) || a.window.end < first.get(key)!) first.set(key, a.window.end);
  }
  return first;
}

