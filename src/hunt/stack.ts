// Stacking (least-frequency analysis): the distinct values of one field among selected events,
// with how often and from how many clients each was seen, and when first and last, rarest first.
import { EventView, textOf } from '../engine/event-access.js';
import type { Detector } from '../engine/detector.js';
import type { Predicate } from '../engine/compile.js';
import { enrichEvent, planEnrichment } from '../sources/derived-fields.js';
import type { EventSource } from '../sources/types.js';
import { eventTime } from '../engine/event-time.js';

export interface StackRow {
  value: string;
  count: number;
  clients: number;
  firstSeen?: string;
  lastSeen?: string;
}

export interface StackOptions {
  by: string;
  /** Field naming the client (source address or host); the first present of the defaults otherwise. */
  client?: string;
  /** Keep only events that the detector for the source (its rules, its log source) finds a match in. */
  detector?: (source: EventSource) => Detector;
  where?: Predicate;
  /** Field names the `where` predicate reads, for enrichment. */
  whereFields?: string[];
}

export interface StackResult {
  rows: StackRow[];
  events: number;
  selected: number;
  /** Selected events without the `by` field. */
  missing: number;
}

const CLIENT_FIELDS = ['c-ip', 'src_ip', 'id.orig_h', 'id_orig_h', 'c_ip', 'client_ip', 'Computer', 'host.name'];

interface Acc {
  count: number;
  clients: Set<string>;
  first?: string;
  last?: string;
}

/** One selected value occurrence, as the aggregators see it. */
export interface StackOccurrence {
  value: string;
  client?: string;
  time?: string;
  event: Record<string, unknown>;
  /** Titles of the rules that matched the event (with `--rules`). */
  rules?: string[];
  file: string;
  line?: number;
  record?: number;
}

export interface StackCounts {
  events: number;
  selected: number;
  missing: number;
}

/** Reads the sources, keeps the selected events, and hands every value of the `by` field to `emit`. */
export async function selectOccurrences(sources: EventSource[], opts: StackOptions, emit: (o: StackOccurrence) => void | Promise<void>): Promise<StackCounts> {
  const counts: StackCounts = { events: 0, selected: 0, missing: 0 };
  for (const source of sources) {
    const detector = opts.detector?.(source);
    // The detector adds the derived fields its rules read; these are the ones stacking reads.
    const needed = new Set<string>([opts.by, ...(opts.client ? [opts.client] : []), ...(opts.whereFields ?? [])]);
    const plan = planEnrichment(needed);
    for await (const rec of source.records()) {
      counts.events++;
      if (plan.bySource.size) enrichEvent(rec.event, plan);
      const ev = new EventView(rec.event);
      if (opts.where && !opts.where(ev)) continue;
      let matched: string[] | undefined;
      if (detector) {
        matched = detector.next(rec.event).matches.map((m) => m.rule.ir.rule.title);
        if (!matched.length) continue;
      }
      counts.selected++;
      const values = valuesOf(ev.get(opts.by));
      if (!values.length) {
        counts.missing++;
        continue;
      }
      const client = firstText(ev, opts.client ? [opts.client] : CLIENT_FIELDS);
      const time = eventTime(ev);
      for (const value of values) await emit({ value, client, time, event: rec.event, rules: matched, file: rec.location.file, line: rec.location.line, record: rec.location.record });
    }
  }
  return counts;
}

/** Stacks in memory: memory grows with the number of distinct values, not with the input. */
export async function stack(sources: EventSource[], opts: StackOptions): Promise<StackResult> {
  const acc = new Map<string, Acc>();
  const counts = await selectOccurrences(sources, opts, ({ value, client, time }) => {
    let a = acc.get(value);
    if (!a) acc.set(value, (a = { count: 0, clients: new Set() }));
    a.count++;
    if (client !== undefined && a.clients.size < 100_000) a.clients.add(client);
    if (time !== undefined) {
      if (a.first === undefined || time < a.first) a.first = time;
      if (a.last === undefined || time > a.last) a.last = time;
    }
  });
  const rows = [...acc].map(([value, a]) => ({ value, count: a.count, clients: a.clients.size, firstSeen: a.first, lastSeen: a.last }));
  rows.sort(compareRows);
  return { rows, ...counts };
}

/** Rarest first; ties by fewer clients, then by value. */
export function compareRows(x: StackRow, y: StackRow): number {
  return x.count - y.count || x.clients - y.clients || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0);
}

function valuesOf(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.flatMap(valuesOf);
  const t = textOf(v);
  return t === null ? [] : [t];
}

function firstText(ev: EventView, fields: string[]): string | undefined {
  for (const f of fields) {
    const t = textOf(ev.get(f));
    if (t) return t;
  }
  return undefined;
}
