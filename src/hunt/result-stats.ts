// Counting over hunt results for the explorer: detections per time bucket (correlations as windows), and the values of one
// field over detections (real fields as the engine reads them, derived host fields computed).
import { EventView, textOf } from '../engine/event-access.js';
import { deriveHostFields, parseDerivedName } from '../enrich/derive.js';
import { stringifyExact } from '../json/stringify-exact.js';
import type { StoredDetection } from './detection.js';
import type { CorrelationType } from '../sigma/model.js';

export type Bucket = 'minute' | 'hour' | 'day';
const BUCKET_MS: Record<Bucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Detections over time: single-event detections per bucket, and each correlation detection's window. */
export interface Timeline {
  bucket: Bucket;
  points: Array<{ t: string; count: number }>;
  /** Single-event detections without a readable timestamp. */
  undated: number;
  windows: Array<{ n: number; start: string; end: string; title: string; level: string | null; type: CorrelationType }>;
  /** Correlation windows left out beyond MAX_TIMELINE_WINDOWS. */
  windowsDropped: number;
}

/** A timeline draws at most this many correlation windows (the first ones in record order); the rest are counted. */
export const MAX_TIMELINE_WINDOWS = 1000;

/**
 * Single-event detections per time bucket, and correlation detections as their windows (a
 * correlation's timestamp is its window's end: counted as a bar it would look like one more event).
 * The bucket is chosen so that the span, windows included, makes at most a few hundred points.
 */
export function timeline(records: ReadonlyArray<StoredDetection & { n: number }>): Timeline {
  const times: number[] = [];
  const windows: Timeline['windows'] = [];
  let undated = 0;
  let windowsDropped = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const r of records) {
    if (r.correlation) {
      const start = Date.parse(r.correlation.window.start);
      const end = Date.parse(r.correlation.window.end);
      if (Number.isNaN(start) || Number.isNaN(end)) continue;
      if (windows.length >= MAX_TIMELINE_WINDOWS) {
        windowsDropped++;
        continue;
      }
      min = Math.min(min, start);
      max = Math.max(max, end);
      windows.push({ n: r.n, start: r.correlation.window.start, end: r.correlation.window.end, title: r.rule.title, level: r.rule.level ?? null, type: r.correlation.type });
      continue;
    }
    const t = r.timestamp ? Date.parse(r.timestamp) : NaN;
    if (Number.isNaN(t)) undated++;
    else {
      times.push(t);
      if (t < min) min = t;
      if (t > max) max = t;
    }
  }
  if (min === Infinity) return { bucket: 'hour', points: [], undated, windows, windowsDropped };
  const span = max - min;
  const bucket: Bucket = span <= 6 * 3_600_000 ? 'minute' : span <= 14 * 86_400_000 ? 'hour' : 'day';
  const size = BUCKET_MS[bucket];
  const counts = new Map<number, number>();
  for (const t of times) {
    const b = Math.floor(t / size) * size;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  const points = [...counts].sort((a, b) => a[0] - b[0]).map(([t, count]) => ({ t: new Date(t).toISOString(), count }));
  return { bucket, points, undated, windows, windowsDropped };
}

/** A field's value in an event: as the engine reads it, or derived (`cs-host@tld`) when the event lacks it. */
export function fieldValues(event: Record<string, unknown>, field: string): unknown[] {
  const view = new EventView(event);
  let v = view.get(field);
  if (v === undefined) {
    const d = parseDerivedName(field);
    if (d) {
      const src = textOf(view.get(d.field));
      const derived = src === null ? null : deriveHostFields(src);
      v = derived?.[d.property];
    }
  }
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export const STACK_ROW_LIMIT = 1000;

/** Counts of a field's values over detections, most frequent first (ties by value). */
export function stackField(records: readonly StoredDetection[], field: string): { field: string; rows: Array<{ value: string; count: number }>; total: number; missing: number; distinct: number } {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const r of records) {
    const vs = fieldValues(r.event as Record<string, unknown>, field);
    if (!vs.length) missing++;
    for (const v of new Set(vs.map((x) => (typeof x === 'object' ? stringifyExact(x) : String(x))))) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const rows = [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return { field, rows: rows.slice(0, STACK_ROW_LIMIT), total: records.length, missing, distinct: rows.length };
}

