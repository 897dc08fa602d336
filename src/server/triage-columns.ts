// The columns a hunter triages detections by in the explorer: host, user, channel and event id,
// read by the hunt's own derivation (src/hunt/detection-fields.ts, which the CLI's timelines and the
// HTML report use too), and the orders the detections table offers. An event without the field
// shows nothing.
import type { StoredDetection } from '../hunt/detection.js';
import { detectionFields } from '../hunt/detection-fields.js';

export interface TriageColumns {
  host: string | null;
  user: string | null;
  channel: string | null;
  eventId: string | null;
}

export function triageColumns(d: StoredDetection): TriageColumns {
  // Stored detections keep no tags; the columns here need none (only the techniques would).
  const f = detectionFields({ ...d, rule: { ...d.rule, tags: [] } });
  return { host: f.computer || null, user: f.user || null, channel: f.channel || null, eventId: f.eventId || null };
}

/** The orders the detections table offers; `-` before a name reverses it. */
export const DETECTION_SORTS = ['time', 'level', 'rule', 'host', 'user', 'channel', 'eventId'] as const;
export type DetectionSort = (typeof DETECTION_SORTS)[number];

const LEVELS = ['critical', 'high', 'medium', 'low', 'informational'];

/**
 * Sorts selected detections in place by one column (stable: ties keep the results' order); missing
 * values (no timestamp, no host) go last either way, so reversing never brings blanks to the top.
 */
export function sortDetections<T extends { r: StoredDetection }>(rows: T[], spec: string): T[] {
  const desc = spec.startsWith('-');
  const by = (desc ? spec.slice(1) : spec) as DetectionSort;
  const key = (x: T): string | number | null => {
    switch (by) {
      case 'time': {
        const t = x.r.timestamp ? Date.parse(x.r.timestamp) : NaN;
        return Number.isNaN(t) ? null : t;
      }
      case 'level': {
        const i = LEVELS.indexOf(x.r.rule.level ?? '');
        return i < 0 ? null : i;
      }
      case 'rule':
        return x.r.rule.title;
      default:
        return triageColumns(x.r)[by];
    }
  };
  const keyed = rows.map((x, i) => ({ x, i, k: key(x) }));
  keyed.sort((a, b) => {
    if (a.k === null || b.k === null) return a.k === b.k ? a.i - b.i : a.k === null ? 1 : -1;
    const c = typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : String(a.k).localeCompare(String(b.k), undefined, { numeric: true });
    return (desc ? -c : c) || a.i - b.i;
  });
  return keyed.map((k) => k.x);
}
