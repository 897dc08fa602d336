// The detect stage of the scaled-out service: stateless workers that share the events stream.
// For each event: its own detections go to the output; for every correlation a matching rule
// feeds, the group key and value go to the partition that owns the group (partitioning.ts). The
// event is acknowledged only once all of those publishes are confirmed, so a crash at any point
// means redelivery, and redelivery means the same message ids, which the broker drops.
import { parseJson } from '../../json/parse-exact.js';
import { normalizeEvent } from '../../sources/flatten.js';
import type { LogEvent, SourceRecord } from '../../sources/types.js';
import { eventTimeMs } from '../../engine/event-time.js';
import { ruleKey } from '../../sigma/correlation-plan.js';
import { toJsonLine } from '../../hunt/detection.js';
import type { LiveDetector } from '../live-detector.js';
import type { Logger } from '../log.js';
import type { Broker, EventMessage } from './broker.js';
import { partitionMap, type PartitionMap } from './partitioning.js';
import { detectionId, encodeRecord, messageText, recordId, type EndRecord, type MatchRecord } from './records.js';
import { failpoint } from './failpoints.js';

export interface DetectStageOptions {
  broker: Broker;
  /** The events stream's name: part of every message id (two streams' events never collide). */
  stream: string;
  /** Where events come from, as detections' `source.file` says. */
  origin: string;
  partitions: number;
  /** Events taken at once (the bound on what is in flight per worker). */
  batch: number;
  log: Logger;
  signal: AbortSignal;
}

export interface DetectCounters {
  events: number;
  detections: number;
  records: number;
  unreadable: number;
  untimed: number;
  ends: number;
  /** Event time of the last matched event (the lag gauge). */
  lastEventTimeMs: number | null;
}

export async function runDetectStage(live: () => LiveDetector, o: DetectStageOptions, counters: DetectCounters): Promise<void> {
  let map: { plan: unknown; map: PartitionMap } | null = null;
  const partitionsOf = (d: LiveDetector): PartitionMap | null => {
    const c = d.correlation;
    if (!c) return null;
    // Rebuilt when a reload brings a new plan.
    if (map?.plan !== c.plan) map = { plan: c.plan, map: partitionMap(c.plan, o.partitions) };
    return map.map;
  };
  for await (const batch of o.broker.events(o.batch, o.signal)) {
    const pending: Array<Promise<void>> = [];
    const done: EventMessage[] = [];
    for (const msg of batch) {
      if (msg.control === 'end') {
        // Every record of earlier events must be in the partitions before the end: wait until all
        // of them are acknowledged (by whichever worker holds them), then tell every partition.
        await Promise.all(pending);
        await ackAll(o, done);
        pending.length = 0;
        done.length = 0;
        await waitUntilDone(o, msg);
        const end: EndRecord = { v: 1, kind: 'end', event: msg.seq };
        failpoint('detect.before-publish');
        await Promise.all(Array.from({ length: o.partitions }, (_, p) => o.broker.publishRecord(p, recordId(o.stream, msg.seq, p, 'end'), encodeRecord(end))));
        failpoint('detect.after-publish');
        await ackAll(o, [msg]);
        counters.ends++;
        o.log('info', 'end of input passed to every partition', { event: msg.seq, partitions: o.partitions });
        continue;
      }
      const d = live();
      const event = readEvent(msg, o, counters);
      if (event) {
        counters.events++;
        const rec: SourceRecord = { event, location: { file: o.origin, record: msg.seq } };
        const { detections, result } = d.detectOnly(rec);
        const time = result.time === undefined ? NaN : eventTimeMs(result.time);
        if (!Number.isNaN(time)) counters.lastEventTimeMs = time;
        failpoint('detect.before-publish');
        for (const det of detections) {
          counters.detections++;
          pending.push(o.broker.publishDetection(detectionId(o.stream, msg.seq, `${det.rule.id ?? det.rule.path}\u0000${det.rule.title}`), toJsonLine(det)));
        }
        const pm = partitionsOf(d);
        if (pm && result.matches.length) {
          const records = matchRecords(d, pm, result, time, rec, msg.seq, counters);
          for (const [p, r] of records) {
            counters.records++;
            pending.push(o.broker.publishRecord(p, recordId(o.stream, msg.seq, p, 'match'), encodeRecord(r)));
          }
        }
      }
      done.push(msg);
    }
    await Promise.all(pending);
    if (pending.length) failpoint('detect.after-publish');
    await ackAll(o, done);
  }
}

/** Acknowledges the events and sends the acknowledgements (the broker may buffer them). */
async function ackAll(o: DetectStageOptions, msgs: EventMessage[]): Promise<void> {
  await Promise.all(msgs.map((m) => m.ack()));
  await o.broker.flushAcks();
}

/** The event of a message, or null (counted, logged, acknowledged: a bad event is never retried forever). */
function readEvent(msg: EventMessage, o: DetectStageOptions, counters: DetectCounters): LogEvent | null {
  try {
    const v = parseJson(messageText(msg.data));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('an event must be a JSON object');
    return normalizeEvent(v as LogEvent);
  } catch (e) {
    counters.unreadable++;
    o.log('warn', 'unreadable event skipped', { input: o.origin, record: msg.seq, reason: (e as Error).message });
    return null;
  }
}

/** One record per partition with what the event's matches give that partition's correlations (exported for the in-process equivalence test). */
export function matchRecords(d: LiveDetector, pm: PartitionMap, result: ReturnType<LiveDetector['detectOnly']>['result'], time: number, rec: SourceRecord, seq: number, counters: DetectCounters): Map<number, MatchRecord> {
  const c = d.correlation!;
  const out = new Map<number, MatchRecord>();
  result.matches.forEach(({ rule }, n) => {
    const r = rule.ir.rule;
    if (!c.correlator.reads(r)) return;
    if (Number.isNaN(time)) {
      counters.untimed++;
      c.untimed++;
      return;
    }
    const feeds = c.correlator.feedsOf({ rule: r, time, event: rec.event, ref: rec.location, ...(rule.ir.correlationFields ? { names: rule.ir.correlationFields } : {}) });
    for (const f of feeds ?? []) {
      const p = pm.partitionOf(f.correlation, f.key);
      let record = out.get(p);
      if (!record) out.set(p, (record = { v: 1, kind: 'match', event: seq, t: time, ref: rec.location, matches: [] }));
      let m = record.matches[record.matches.length - 1];
      if (m?.n !== n) record.matches.push((m = { n, rule: ruleKey(r), title: r.title, feeds: [] }));
      const { correlation, ...feed } = f;
      m.feeds.push({ c: pm.fingerprints[correlation]!, ...feed });
    }
  });
  return out;
}

async function waitUntilDone(o: DetectStageOptions, msg: EventMessage): Promise<void> {
  for (let waited = 0; ; waited += 100) {
    // A failed look (the broker restarting) is only a wait: the publishes' own retries bound the outage.
    if ((await o.broker.eventsDoneThrough().catch(() => -1)) >= msg.seq - 1) return;
    if (o.signal.aborted) throw new Error('stopped while waiting for earlier events before the end of input');
    if (waited % 5000 === 0) msg.working();
    await new Promise((r) => setTimeout(r, 100));
  }
}
