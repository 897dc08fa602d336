// When an event happened, read the way each log format writes it: ISO text (EVTX, JSON), epoch
// seconds (Zeek, Squid native), W3C's separate date and time columns, or the Common Log Format's
// `20/Nov/2026:08:15:03 +0000` (Squid combined).
import type { EventView } from './event-access.js';

const ISO_FIELDS = ['@timestamp', 'timestamp', 'TimeCreated', 'UtcTime', 'EventTime'];
const EPOCH_FIELDS = ['ts', 'time', 'timestamp'];
const MONTHS: Record<string, string> = { jan: '01', feb: '02', mar: '03', apr: '04', may: '05', jun: '06', jul: '07', aug: '08', sep: '09', oct: '10', nov: '11', dec: '12' };
const CLF = /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})$/;
const FULL_DATE = /^\d{4}-\d{2}-\d{2}[T ]\d/;

/** The event's time as ISO 8601 text, or undefined when it carries none that can be read. */
export function eventTime(ev: EventView): string | undefined {
  for (const f of ISO_FIELDS) {
    const v = ev.get(f);
    if (typeof v === 'string' && FULL_DATE.test(v)) return v;
  }
  const date = ev.get('date');
  const time = ev.get('time');
  if (typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date) && typeof time === 'string' && /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(time)) return `${date}T${time}Z`;
  for (const f of EPOCH_FIELDS) {
    const v = ev.get(f);
    if (typeof v === 'number' && v > 0) return epochText(v);
    if (typeof v === 'string') {
      if (FULL_DATE.test(v)) return v;
      const m = CLF.exec(v);
      if (m && MONTHS[m[2]!.toLowerCase()]) return `${m[3]}-${MONTHS[m[2]!.toLowerCase()]}-${m[1]}T${m[4]}${m[5]}:${m[6]}`;
    }
  }
  return undefined;
}

/** Epoch seconds (Zeek, Squid) or milliseconds, told apart by size, as ISO 8601 text. */
function epochText(n: number): string {
  return new Date(n > 1e12 ? n : n * 1000).toISOString();
}

const ZONED = /(Z|[+-]\d{2}:?\d{2})$/i;

/** Milliseconds since the epoch of an event time as eventTime returns it; a time without a zone is UTC. */
export function eventTimeMs(iso: string): number {
  const t = iso.trim();
  return Date.parse(ZONED.test(t) ? t : `${t.replace(' ', 'T')}Z`);
}

/** The time in a field the user named (`--time-field`): ISO text, or epoch seconds or milliseconds. */
export function timeOfField(ev: EventView, field: string): string | undefined {
  const v = ev.get(field);
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  if (n > 0) return epochText(n);
  if (typeof v === 'string' && FULL_DATE.test(v)) return v;
  return undefined;
}
