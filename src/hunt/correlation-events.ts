// Where a correlation detection's contributing events are among a hunt's other detections: the
// correlation records each base event by its place (file and line, record or offset), and a
// detection of that same event carries the same place, so the explorer can open it.
import type { SourceLocation } from '../sources/types.js';
import type { StoredDetection } from './detection.js';

/** One string per place of an event in the inputs. */
export function locationKey(loc: SourceLocation): string {
  return `${loc.file}\n${loc.line ?? ''}\n${loc.record ?? ''}\n${loc.offset ?? ''}`;
}

/** The first single-event detection (its `n`) of each event place in the records. */
export function detectionsByPlace(records: ReadonlyArray<StoredDetection & { n: number }>): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) {
    if (r.correlation) continue;
    const k = locationKey(r.source);
    if (!out.has(k)) out.set(k, r.n);
  }
  return out;
}
