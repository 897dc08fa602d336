// One event's detections, from the detector's matches: the rules that report on their own, then
// what the correlations released. `quarry hunt` (files) and `quarry serve` (streams) both build
// their detections here, so a stream and a file of the same events give the same records.
import type { EventMatches } from '../engine/detector.js';
import type { SourceRecord } from '../sources/types.js';
import type { HuntDetection } from './detection.js';
import type { HuntCorrelation } from './correlate.js';

export interface EventDetections {
  /** Single-event detections with their per-rule key (`file#document`), in rule order. */
  own: Array<{ detection: HuntDetection; key: string }>;
  /** Correlation detections this event's matches released (on event time: possibly of earlier windows). */
  correlations: HuntDetection[];
  /** Matches of rules that only feed correlations (`generate: false`). */
  silenced: number;
}

/**
 * `feed: false` leaves the correlator alone (a detect stage that hands the matches to partitioned
 * correlators elsewhere) while still silencing the rules that only feed correlations.
 */
export function eventDetections(result: EventMatches, rec: SourceRecord, correlation: HuntCorrelation | null, opts: { feed: boolean } = { feed: true }): EventDetections {
  const out: EventDetections = { own: [], correlations: [], silenced: 0 };
  if (!result.matches.length) return out;
  for (const { rule, matched } of result.matches) {
    const r = rule.ir.rule;
    if (correlation && !correlation.reports(r)) {
      out.silenced++;
      continue;
    }
    const detection: HuntDetection = {
      rule: { id: r.id, title: r.title, level: r.level, status: r.status, path: r.file, tags: r.tags },
      source: rec.location,
      timestamp: result.time,
      event: rec.event,
      matched,
    };
    out.own.push({ detection, key: `${r.file}#${r.docIndex}` });
  }
  if (correlation && opts.feed) out.correlations = correlation.feed(result, rec.event, rec.location);
  return out;
}

/** The per-rule key of a correlation detection (counts in summaries and metrics). */
export function correlationKey(d: HuntDetection): string {
  return `${d.rule.path}#correlation:${d.rule.id ?? d.rule.title}`;
}
