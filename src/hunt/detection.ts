// What a hunt produces: one record per (event, rule) match, in input order and then rule order.
import type { MatchedTest } from '../engine/explain.js';
import type { LogEvent, SourceLocation } from '../sources/types.js';
import { stringifyExact } from '../json/stringify-exact.js';

export interface HuntDetection {
  rule: { id?: string; title: string; level?: string; path: string; tags: string[] };
  source: SourceLocation;
  timestamp?: string;
  event: LogEvent;
  matched: MatchedTest[];
}

/** A detection as stored (the JSONL shape): what readers of hunt results get back. */
export interface StoredDetection {
  rule: { id?: string; title: string; level?: string; path: string };
  source: HuntDetection['source'];
  timestamp?: string;
  event: HuntDetection['event'];
  matched: HuntDetection['matched'];
}

/** Serialises detections (and events) with big integers kept exact. */
export function toJsonLine(d: HuntDetection): string {
  return stringifyExact({
    rule: { id: d.rule.id, title: d.rule.title, level: d.rule.level, path: d.rule.path },
    source: d.source,
    ...(d.timestamp ? { timestamp: d.timestamp } : {}),
    event: d.event,
    matched: d.matched,
  });
}
