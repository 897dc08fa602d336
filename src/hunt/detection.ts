// What a hunt produces: one record per (event, rule) match, in input order and then rule order.
import type { MatchedTest } from '../engine/explain.js';
import type { LogEvent, SourceLocation } from '../sources/types.js';
import type { CorrelationType } from '../sigma/model.js';
import { stringifyExact } from '../json/stringify-exact.js';

export interface HuntDetection {
  rule: { id?: string; title: string; level?: string; status?: string; path: string; tags: string[]; type?: 'correlation'; correlation?: CorrelationType };
  /** Where the event is; for a correlation, the event that completed it. */
  source: SourceLocation;
  timestamp?: string;
  /** The event; for a correlation, its group (group-by name → value). */
  event: LogEvent;
  matched: MatchedTest[];
  correlation?: CorrelationResult;
}

/** What a correlation detection adds: its group, window, measured value and contributing events. */
export interface CorrelationResult {
  type: CorrelationType;
  group: Record<string, string>;
  window: { start: string; end: string };
  /** The count, sum, average or percentile that met the condition. */
  value: number;
  /** The condition as written: `gte 3`, `gt 100 and lte 200`, or the temporal expression. */
  condition: string;
  /** The contributing base detections (at most 100), oldest first, with where each event is. */
  events: Array<{ rule: string; title: string; time: string } & SourceLocation>;
  eventCount: number;
}

/** A detection as stored (the JSONL shape): what readers of hunt results get back. */
export interface StoredDetection {
  rule: { id?: string; title: string; level?: string; path: string; type?: 'correlation'; correlation?: CorrelationType };
  source: HuntDetection['source'];
  timestamp?: string;
  event: HuntDetection['event'];
  matched: HuntDetection['matched'];
  correlation?: CorrelationResult;
}

/** Serialises detections (and events) with big integers kept exact. */
export function toJsonLine(d: HuntDetection): string {
  return stringifyExact({
    rule: { id: d.rule.id, title: d.rule.title, level: d.rule.level, path: d.rule.path, ...(d.correlation ? { type: 'correlation', correlation: d.correlation.type } : {}) },
    source: d.source,
    ...(d.timestamp ? { timestamp: d.timestamp } : {}),
    ...(d.correlation ? { group: d.correlation.group, window: d.correlation.window, value: d.correlation.value, condition: d.correlation.condition, events: d.correlation.events, eventCount: d.correlation.eventCount } : {}),
    event: d.event,
    matched: d.matched,
  });
}

/** Sigma's levels, lowest first, for the rooms that order detections by level (report). */
export { LEVELS } from '../sigma/model.js';
