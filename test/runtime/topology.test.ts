// The scaled-out service's pieces in one process, no broker: the detect stage's records, routed to
// 1–16 partitions, each with its own correlator, give exactly the detections of the embedded
// service (the hunt's path) on the same events; partitioning keeps groups and chains whole; ids
// and snapshots are what a replay needs them to be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyCollection, addParsedFile, parseSigmaText } from '../../src/sigma/collection.js';
import { resolvePipelines } from '../../src/pipeline/resolve.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { LiveDetector } from '../../src/runtime/live-detector.js';
import { createHuntCorrelation } from '../../src/hunt/correlate.js';
import { toJsonLine, type HuntDetection } from '../../src/hunt/detection.js';
import { matchRecords, type DetectCounters } from '../../src/runtime/topology/detect-stage.js';
import { partitionMap, fnv1a } from '../../src/runtime/topology/partitioning.js';
import { alertId, decodeRecord, encodeRecord, preparedMatches, type PartitionRecord } from '../../src/runtime/topology/records.js';
import { stateFromJson, stateToJson } from '../../src/runtime/snapshot-json.js';
import { LOGON_RULES, logonEvents } from './logon-stream.js';
import { parseJson } from '../../src/json/parse-exact.js';
import { eventTimeMs } from '../../src/engine/event-time.js';
import type { LogEvent } from '../../src/sources/types.js';

const col = emptyCollection();
addParsedFile(col, parseSigmaText(LOGON_RULES, 'logon.yml'));
const live = { pipelines: resolvePipelines([], true).pipelines, regex: re2Regex, latenessMs: 5 * 60_000, maxGroups: 100_000, maxBuffered: 100_000 };
const events = logonEvents(3000, 7).map((l) => parseJson(l) as LogEvent);
const origin = 'nats://test/EVENTS';

/** The embedded service: every event through one LiveDetector, then end of input. */
function embedded(): string[] {
  const d = new LiveDetector(col, live);
  const out: HuntDetection[] = [];
  events.forEach((event, i) => out.push(...d.handle({ event, location: { file: origin, record: i + 1 } })));
  out.push(...d.finish());
  return out.map(toJsonLine);
}

/** The topology in one process: detect (records through encode/decode), then a correlator per partition. */
function partitioned(partitions: number, order: (records: Array<{ p: number; r: PartitionRecord }>) => void = () => undefined): { lines: string[]; ids: string[] } {
  const d = new LiveDetector(col, live);
  const pm = partitionMap(d.correlation!.plan, partitions);
  const counters: DetectCounters = { events: 0, detections: 0, records: 0, unreadable: 0, untimed: 0, ends: 0, lastEventTimeMs: null };
  const own: HuntDetection[] = [];
  const routed: Array<{ p: number; r: PartitionRecord }> = [];
  events.forEach((event, i) => {
    const rec = { event, location: { file: origin, record: i + 1 } };
    const { detections, result } = d.detectOnly(rec);
    own.push(...detections);
    const time = result.time === undefined ? NaN : eventTimeMs(result.time);
    for (const [p, r] of matchRecords(d, pm, result, time, rec, i + 1, counters)) routed.push({ p, r: decodeRecord(encodeRecord(r)) });
  });
  order(routed);
  for (let p = 0; p < partitions; p++) routed.push({ p, r: { v: 1, kind: 'end', event: events.length + 1 } });
  const lines = own.map(toJsonLine);
  const ids: string[] = [];
  const owners = Array.from({ length: partitions }, () => createHuntCorrelation(col, { latenessMs: live.latenessMs })!);
  const positions = new Map(pm.fingerprints.map((f, i) => [f, i]));
  for (const { p, r } of routed) {
    const h = owners[p]!;
    const alerts = r.kind === 'end' ? h.correlator.end() : preparedMatches(r, positions).matches.flatMap((m) => h.correlator.pushFeeds(m));
    for (const a of alerts)
      for (const det of h.detections([a])) {
        lines.push(toJsonLine(det));
        ids.push(alertId('EVENTS', a));
      }
  }
  return { lines, ids };
}

const want = embedded().sort();

test('records routed to 1, 2, 4, 16 and 64 partitions give exactly the embedded service\'s detections', () => {
  assert.ok(want.length > 500);
  for (const n of [1, 2, 4, 16, 64]) assert.deepEqual(partitioned(n).lines.sort(), want, `${n} partitions`);
});

test('records reaching a partition out of order within the lateness change nothing (detect workers finish in any order)', () => {
  // Swap neighbours in runs of 8: the disorder of a few workers taking small batches.
  const shuffled = partitioned(16, (routed) => {
    for (let i = 0; i + 8 <= routed.length; i += 8) routed.splice(i, 8, ...routed.slice(i, i + 8).reverse());
  });
  assert.deepEqual(shuffled.lines.sort(), want);
});

test('correlation message ids: one per detection, the same on a replay', () => {
  const a = partitioned(4);
  const b = partitioned(4);
  assert.equal(new Set(a.ids).size, a.ids.length);
  assert.deepEqual(b.ids, a.ids);
});

test('a group always lands in one partition; groups spread; a chain stays in one partition whatever its groups', () => {
  const d = new LiveDetector(col, live);
  const plan = d.correlation!.plan;
  const pm = partitionMap(plan, 16);
  const spray = plan.correlations.findIndex((c) => c.doc.title === 'Password Spray From One Address');
  const used = new Set<number>();
  for (let i = 0; i < 400; i++) {
    const key = JSON.stringify([`10.0.${i >> 8}.${i & 255}`]);
    assert.equal(pm.partitionOf(spray, key), partitionMap(plan, 16).partitionOf(spray, key));
    used.add(pm.partitionOf(spray, key));
  }
  assert.equal(used.size, 16);
  const chain = ['Brute Force From One Address', 'Repeated Brute Force From One Address'].map((t) => plan.correlations.findIndex((c) => c.doc.title === t));
  const parts = new Set(chain.flatMap((c) => Array.from({ length: 50 }, (_, i) => pm.partitionOf(c, JSON.stringify([`h${i}`, `u${i}`])))));
  assert.equal(parts.size, 1);
  assert.equal(fnv1a('quarry'), fnv1a('quarry'));
  assert.notEqual(fnv1a('quarry'), fnv1a('quarrz'));
});

test('a record naming a correlation these rules do not have is counted, not applied', () => {
  const r: PartitionRecord = { v: 1, kind: 'match', event: 5, t: Date.UTC(2026, 10, 20), ref: { file: origin, record: 5 }, matches: [{ n: 0, rule: 'x', title: 'X', feeds: [{ c: 'not-a-fingerprint', input: 0, key: '["a"]', group: ['a'] }] }] };
  assert.deepEqual(preparedMatches(r, new Map()), { matches: [], unknown: 1 });
  assert.throws(() => decodeRecord(Buffer.from('{"v":2,"kind":"match","event":1}')), /not a Quarry partition record/);
});

test('snapshot JSON keeps infinities (JSON.stringify would make them null, which compares as 0)', () => {
  const back = stateFromJson<{ released: number; newest: number; quiet: number[]; name: string }>(stateToJson({ released: -Infinity, newest: Infinity, quiet: [-Infinity, 5], name: 'Infinity' }));
  assert.deepEqual(back, { released: -Infinity, newest: Infinity, quiet: [-Infinity, 5], name: 'Infinity' });
});
