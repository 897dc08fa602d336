// One share of a hunt, read and matched by whichever thread holds it (the hunt's own or a worker):
// events in, batches of hits out. A hit is an event that met at least one rule, with the rules by
// their place in the rule set, so it can cross to another thread (structured clone) and meet the
// same rules there; events that met nothing never leave the thread, only their count does.
import { createHash } from 'node:crypto';
import { Detector, type EventMatches, type Routing } from '../engine/detector.js';
import type { MatchedTest } from '../engine/explain.js';
import type { CompiledRuleSet } from '../engine/rule-set.js';
import { evtxReader, openEvtxSource } from '../sources/evtx-source.js';
import { openSource } from '../sources/open-source.js';
import type { EventSource, LogEvent, SourceLocation } from '../sources/types.js';
import type { Share } from './shares.js';

export interface Hit {
  event: LogEvent;
  location: SourceLocation;
  routing: Routing;
  time?: string;
  /** The rules met, by `CompiledRule.index`, in rule-set order. */
  rules: number[];
  matched: MatchedTest[][];
}

export interface Batch {
  /** Events read since the previous batch (hits included). */
  events: number;
  routing: Record<Routing, number>;
  hits: Hit[];
}

/**
 * A batch goes out every this many events, or sooner when this many hits wait. The first batches of
 * a share are smaller (64 events, doubling), so that the first detections are written at once.
 */
const BATCH_EVENTS = 2048;
const FIRST_BATCH_EVENTS = 64;
const BATCH_HITS = 256;

/** Reads and matches one share; yields its batches, the last one at the end of the share. */
export async function* huntShare(source: EventSource, detector: Detector, signal?: AbortSignal): AsyncGenerator<Batch> {
  let batch = emptyBatch();
  let size = FIRST_BATCH_EVENTS;
  for await (const rec of source.records()) {
    if (signal?.aborted) break;
    batch.events++;
    const result = detector.next(rec.event);
    batch.routing[result.routing]++;
    if (result.matches.length) batch.hits.push(toHit(result, rec.event, rec.location));
    if (batch.events >= size || batch.hits.length >= BATCH_HITS) {
      yield batch;
      batch = emptyBatch();
      size = Math.min(BATCH_EVENTS, size * 2);
    }
  }
  yield batch;
}

/** The detector's matches of a hit again, the rules taken from `set` (the same rules as where it was found). */
export function hitMatches(hit: Hit, set: CompiledRuleSet): EventMatches {
  const matches = hit.rules.map((index, k) => ({ rule: set.rules[index]!, matched: hit.matched[k]! }));
  return hit.time === undefined ? { routing: hit.routing, matches } : { routing: hit.routing, time: hit.time, matches };
}

/** Opens a share's input again in a worker thread: the format is known, the EVTX chunks are the share's. */
export async function openShare(share: Share): Promise<EventSource> {
  if (share.format === 'evtx') return openEvtxSource(share.file, share.chunks ? { chunks: share.chunks } : {});
  return openSource(share.file, { format: share.format, readers: { evtx: evtxReader() } });
}

const signatures = new WeakMap<CompiledRuleSet, string>();

/**
 * The identity of a rule set across threads: its rules' keys in order. Hits name rules by place, so
 * a worker whose set differs from the hunt's (it never should) is caught rather than misreported.
 */
export function ruleSetSignature(set: CompiledRuleSet): string {
  let sig = signatures.get(set);
  if (!sig) {
    const h = createHash('sha256');
    for (const r of set.rules) h.update(`${r.facts.file}#${r.facts.docIndex}\n`);
    signatures.set(set, (sig = `${set.rules.length}:${h.digest('hex').slice(0, 16)}`));
  }
  return sig;
}

function emptyBatch(): Batch {
  return { events: 0, routing: { windows: 0, declared: 0, unknown: 0 }, hits: [] };
}

function toHit(result: EventMatches, event: LogEvent, location: SourceLocation): Hit {
  const hit: Hit = { event, location, routing: result.routing, rules: result.matches.map((m) => m.rule.index), matched: result.matches.map((m) => m.matched) };
  if (result.time !== undefined) hit.time = result.time;
  return hit;
}
