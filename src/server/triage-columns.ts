// The columns a hunter triages detections by, read from the detected event: the host it happened on,
// the log channel and the event id. Windows events (EVTX or EVTX-as-JSON) carry them as Computer,
// Channel and EventID; web and network logs have a host or a client address and no event id.
// Values are shown as the event has them; an event without the field shows nothing.
import type { StoredDetection } from '../hunt/detection.js';

const HOST_FIELDS = ['Computer', 'host.name', 'hostname', 'Hostname', 'host', 'dvc_hostname', 'c-ip', 'src_ip', 'id.orig_h'];
const CHANNEL_FIELDS = ['Channel', 'winlog.channel', 'channel'];
const EVENT_ID_FIELDS = ['EventID', 'event.code', 'event_id'];

export interface TriageColumns {
  host: string | null;
  channel: string | null;
  eventId: string | null;
}

function first(event: StoredDetection['event'], fields: readonly string[]): string | null {
  for (const f of fields) {
    const v = (event as Record<string, unknown>)[f];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return String(v);
  }
  return null;
}

export function triageColumns(event: StoredDetection['event']): TriageColumns {
  return { host: first(event, HOST_FIELDS), channel: first(event, CHANNEL_FIELDS), eventId: first(event, EVENT_ID_FIELDS) };
}

/** The orders the detections table offers; `-` before a name reverses it. */
export const DETECTION_SORTS = ['time', 'level', 'rule', 'host', 'channel', 'eventId'] as const;
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
        return triageColumns(x.r.event)[by];
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
