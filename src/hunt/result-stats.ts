// Counting over hunt results for the explorer: detections per time bucket, and the values of one
// field over detections (real fields as the engine reads them, derived host fields computed).
import { EventView, textOf } from '../engine/event-access.js';
import { deriveHostFields, parseDerivedName } from '../enrich/derive.js';
import { stringifyExact } from '../json/stringify-exact.js';
import type { StoredDetection } from './detection.js';

export type Bucket = 'minute' | 'hour' | 'day';
const BUCKET_MS: Record<Bucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Detections per time bucket; the bucket is chosen so that the span makes at most a few hundred points. */
export function timeline(records: readonly StoredDetection[]): { bucket: Bucket; points: Array<{ t: string; count: number }>; undated: number } {
  const times: number[] = [];
  let undated = 0;
  for (const r of records) {
    const t = r.timestamp ? Date.parse(r.timestamp) : NaN;
    if (Number.isNaN(t)) undated++;
    else times.push(t);
  }
  if (!times.length) return { bucket: 'hour', points: [], undated };
  const min = Math.min(...times);
  const max = Math.max(...times);
  const span = max - min;
  const bucket: Bucket = span <= 6 * 3_600_000 ? 'minute' : span <= 14 * 86_400_000 ? 'hour' : 'day';
  const size = BUCKET_MS[bucket];
  const counts = new Map<number, number>();
  for (const t of times) {
    const b = Math.floor(t / size) * size;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  const points = [...counts].sort((a, b) => a[0] - b[0]).map(([t, count]) => ({ t: new Date(t).toISOString(), count }));
  return { bucket, points, undated };
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

