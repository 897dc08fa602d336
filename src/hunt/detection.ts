// What a hunt produces: one record per (event, rule) match, in input order and then rule order.
import type { MatchedTest } from '../engine/explain.js';
import type { LogEvent, SourceLocation } from '../sources/types.js';

export interface HuntDetection {
  rule: { id?: string; title: string; level?: string; path: string; tags: string[] };
  source: SourceLocation;
  timestamp?: string;
  event: LogEvent;
  matched: MatchedTest[];
}

/** Serialises detections (and events) with big integers kept exact. */
export function toJsonLine(d: HuntDetection): string {
  return JSON.stringify(
    {
      rule: { id: d.rule.id, title: d.rule.title, level: d.rule.level, path: d.rule.path },
      source: d.source,
      ...(d.timestamp ? { timestamp: d.timestamp } : {}),
      event: d.event,
      matched: d.matched,
    },
    bigintReplacer,
  ).replace(BIGINT_TOKEN, '$1');
}

// A per-process random marker, so that no log content can forge a number in the output.
const MARK = `bigint${Math.random().toString(36).slice(2)}:`;
const BIGINT_TOKEN = new RegExp(`"${MARK}(-?\\d+)"`, 'g');

function bigintReplacer(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${MARK}${v}` : v;
}
