// The correlator: base matches in, correlation alerts out, on event time.
//
// Decisions the specification leaves open (README, "Correlations"):
// - Windows slide. At every base match of a group (in event-time order) the window is the
//   `timespan` that ends at it, both ends included: entries with t ≥ now − timespan.
// - An alert fires for a group when the condition first holds on such a window; the group then
//   stays quiet until its window has moved past the alert (the next alert needs a window that starts
//   after it), so one burst gives one alert and a sustained one an alert per timespan.
// - An event without a group-by field joins no group (counted); group-by with no fields is one group.
// - One event matching two inputs: it counts once for event_count and the value types, and as each
//   input for temporal (for temporal_ordered it fills one position).
// - Input order does not matter within the lateness: matches are held in a buffer and released in
//   time order once the newest time seen is `lateness` past them; a match older than one already
//   released is late: counted and dropped. `end()` releases everything.
// - Chains: an alert is a match of its correlation for the correlations that read it, at the
//   alert's time, carrying its group values under the group-by names.
// - State is bounded: a group is dropped once its window has passed, and beyond `maxGroups` the
//   least recently seen group is evicted (counted). `snapshot()`/`restore()` save and reload it.
import type { SigmaCorrelation, SigmaRule } from '../../sigma/model.js';
import { EventView, textOf, numberOf, type EventObject } from '../event-access.js';
import { ruleKey, type CorrelationPlan, type ResolvedCorrelation } from '../../sigma/correlation-plan.js';
import { evaluateWindow, type WindowEntry } from './window.js';

/** Where a contributing event came from (as a detection's `source`). */
export interface EventRef {
  file: string;
  line?: number;
  record?: number;
  offset?: number;
}

export interface BaseMatch {
  rule: SigmaRule;
  /** Matches of one event by several rules are pushed one after another with the same object. */
  /** Event time, ms since the epoch. */
  time: number;
  event: EventObject;
  ref: EventRef;
  /**
   * What the correlations' fields are called in this rule's events after the pipelines
   * (ir/field-names.ts): field as written → names, the first present read. Absent: as written.
   */
  names?: ReadonlyMap<string, readonly string[]>;
}

export interface CorrelationAlert {
  correlation: SigmaCorrelation;
  type: ResolvedCorrelation['type'];
  /** Group-by name → value. */
  group: Record<string, string>;
  /** First and last time of the entries in the window that fired. */
  window: { start: number; end: number };
  /** The count, sum, average or percentile that met the condition. */
  value: number;
  /** The contributing entries (at most MAX_EVENTS kept), oldest first. */
  events: Array<{ rule: string; title: string; time: number; ref: EventRef }>;
  /** How many entries contributed in all. */
  eventCount: number;
  /** Whether the correlation reports it (false: it only feeds a correlation that reads it). */
  report: boolean;
}

export interface CorrelatorStats {
  matches: number;
  /** Matches older than a match already released (beyond the lateness). */
  late: number;
  /** Matches whose event lacked a group-by field, per correlation title. */
  ungrouped: number;
  /** Groups evicted because of maxGroups. */
  evicted: number;
  alerts: number;
  groups: number;
}

export interface CorrelatorOptions {
  /** How far behind the newest match a match may arrive and still be placed in order (ms; default: unlimited). */
  latenessMs?: number;
  /** Matches held for ordering before the oldest are released regardless (default 1,000,000). */
  maxBuffered?: number;
  /** Groups kept across all correlations before the least recently seen is evicted (default 1,000,000). */
  maxGroups?: number;
}

const MAX_EVENTS = 100;

/** A base match ready for the windows: its time, order, event and what it feeds. */
export interface PreparedMatch {
  t: number;
  seq: number;
  eventId: number;
  /** Per correlation fed: input index, group key and values, value. */
  feeds: CorrelationFeed[];
  rule: string;
  title: string;
  ref: EventRef;
}

type Pending = PreparedMatch;
type Feed = CorrelationFeed;

/** What one base match gives one correlation input: the group (key and values) and the value read. */
export interface CorrelationFeed {
  correlation: number;
  input: number;
  key: string;
  group: string[];
  value?: string | number;
}

interface Group {
  values: string[];
  entries: Array<WindowEntry & { rule: string; title: string; ref: EventRef }>;
  /** No alert while the window still reaches back to the last one (time of the last alert). */
  quietUntil: number;
  lastSeen: number;
}

export interface CorrelatorSnapshot {
  version: 1;
  seq: number;
  eventId: number;
  released: number;
  newest: number;
  buffer: Pending[];
  groups: Array<[number, string, Group]>;
  stats: CorrelatorStats;
}

export class Correlator {
  /** By ruleKey: the pipelines' processed copy of a rule keeps the loaded rule's id, name and place. */
  private readonly byRule = new Map<string, Array<{ c: ResolvedCorrelation; input: number }>>();
  private readonly byCorrelation = new Map<string, Array<{ c: ResolvedCorrelation; input: number }>>();
  private readonly groups: Array<Map<string, Group>>;
  private buffer: Pending[] = [];
  private sorted = true;
  private seq = 0;
  private eventId = 0;
  /** Time of the last match released (matches before it are late). */
  private released = -Infinity;
  private newest = -Infinity;
  private groupCount = 0;
  private lastEvent: EventObject | undefined;
  /** Event time of the last sweep of passed windows, and the longest timespan (the sweep interval). */
  private lastSweep = -Infinity;
  private readonly longestSpan: number;
  readonly stats: CorrelatorStats = { matches: 0, late: 0, ungrouped: 0, evicted: 0, alerts: 0, groups: 0 };
  private readonly lateness: number;
  private readonly maxBuffered: number;
  private readonly maxGroups: number;

  constructor(
    readonly plan: CorrelationPlan,
    opts: CorrelatorOptions = {},
  ) {
    this.lateness = opts.latenessMs ?? Infinity;
    this.maxBuffered = opts.maxBuffered ?? 1_000_000;
    this.maxGroups = opts.maxGroups ?? 1_000_000;
    for (const c of plan.correlations)
      c.inputs.forEach((input, i) => {
        const map = input.kind === 'rule' ? this.byRule : this.byCorrelation;
        const key = ruleKey(input.kind === 'rule' ? input.rule : input.correlation);
        const list = map.get(key) ?? [];
        list.push({ c, input: i });
        map.set(key, list);
      });
    this.groups = plan.correlations.map(() => new Map());
    this.longestSpan = Math.max(0, ...plan.correlations.map((c) => c.timespanMs));
  }

  /** Whether a rule's matches feed a correlation (the hunt hands the correlator only those). */
  reads(rule: SigmaRule): boolean {
    return this.byRule.has(ruleKey(rule));
  }

  /** Whether a rule only feeds correlations (`generate: false`) and reports nothing of its own. */
  silences(rule: SigmaRule): boolean {
    return this.plan.silent.has(ruleKey(rule));
  }

  /** Takes one base match; returns the alerts that matches released by it produced. */
  push(m: BaseMatch): CorrelationAlert[] {
    // The detector hands over one event's matches one after another, with the same event object.
    if (m.event !== this.lastEvent) {
      this.eventId++;
      this.lastEvent = m.event;
    }
    const feeds = this.feedsOf(m);
    if (!feeds) return [];
    return this.pushFeeds({ t: m.time, seq: ++this.seq, eventId: this.eventId, feeds, rule: ruleKey(m.rule), title: m.rule.title, ref: m.ref });
  }

  /**
   * What a base match gives each correlation it feeds (group key, value), with no state touched
   * but the counts: the half of push() that a stateless stage can do (runtime/topology), or null
   * when the match feeds nothing (late, not read, or no group-by field).
   */
  feedsOf(m: BaseMatch): CorrelationFeed[] | null {
    this.stats.matches++;
    if (m.time < this.released) {
      this.stats.late++;
      return null;
    }
    const targets = this.byRule.get(ruleKey(m.rule));
    if (!targets) return null;
    const view = new EventView(m.event);
    const feeds: Feed[] = [];
    for (const { c, input } of targets) {
      const f = feedOf(c, input, read(view, m.names));
      if (f) feeds.push(f);
      else this.stats.ungrouped++;
    }
    return feeds.length ? feeds : null;
  }

  /**
   * Takes feeds made by feedsOf (here or in another process), ordered by (t, seq); eventId says
   * which feeds came from one event. The other half of push().
   */
  pushFeeds(p: PreparedMatch): CorrelationAlert[] {
    if (p.t < this.released) {
      this.stats.late++;
      return [];
    }
    // Seq and eventId given from outside stay ahead of the ones this correlator makes for chains.
    if (p.seq > this.seq) this.seq = p.seq;
    if (p.eventId > this.eventId) this.eventId = p.eventId;
    if (this.buffer.length && compare(p, this.buffer[this.buffer.length - 1]!) < 0) this.sorted = false;
    this.buffer.push(p);
    if (p.t > this.newest) this.newest = p.t;
    return this.release(false);
  }

  /** Releases every held match (end of input): the remaining alerts. */
  end(): CorrelationAlert[] {
    return this.release(true);
  }

  private release(all: boolean): CorrelationAlert[] {
    const limit = all ? Infinity : this.newest - this.lateness;
    if (!all && this.buffer.length <= this.maxBuffered && !(limit >= this.buffer[0]!.t)) return [];
    if (!this.sorted) {
      this.buffer.sort(compare);
      this.sorted = true;
    }
    const out: CorrelationAlert[] = [];
    let n = 0;
    while (n < this.buffer.length && (this.buffer[n]!.t <= limit || this.buffer.length - n > this.maxBuffered)) {
      const p = this.buffer[n++]!;
      this.released = p.t;
      // Memory follows the groups active within a timespan, not all groups ever seen.
      if (p.t - this.lastSweep > this.longestSpan) this.sweep(p.t);
      for (const f of p.feeds) this.apply(this.plan.correlations[f.correlation]!, f, p, out);
    }
    if (n) this.buffer.splice(0, n); // in place: releases happen on nearly every push when lateness is small
    return out.filter((a) => a.report);
  }

  private apply(c: ResolvedCorrelation, f: Feed, p: Pending, out: CorrelationAlert[]): void {
    const groups = this.groups[c.index]!;
    let g = groups.get(f.key);
    if (!g) {
      if (this.groupCount >= this.maxGroups) this.evictOne(p.t);
      g = { values: f.group, entries: [], quietUntil: -Infinity, lastSeen: p.t };
      groups.set(f.key, g);
      this.groupCount++;
    }
    else {
      // Each map is kept in order of lastSeen (released times never go back): a touched group moves
      // to the end, so passed windows and the least recently seen group are found at the front.
      groups.delete(f.key);
      groups.set(f.key, g);
    }
    g.lastSeen = p.t;
    g.entries.push({ t: p.t, seq: p.seq, eventId: p.eventId, input: f.input, ...(f.value !== undefined ? { value: f.value } : {}), rule: p.rule, title: p.title, ref: p.ref });
    const from = p.t - c.timespanMs;
    let drop = 0;
    while (drop < g.entries.length && g.entries[drop]!.t < from) drop++;
    if (drop) g.entries.splice(0, drop);
    if (p.t <= g.quietUntil) return;
    const r = evaluateWindow(c, g.entries);
    if (!r.holds) return;
    // Quiet until the window has moved past this alert; what it used is spent.
    g.quietUntil = p.t + c.timespanMs;
    const alert: CorrelationAlert = {
      correlation: c.doc,
      type: c.type,
      group: Object.fromEntries(c.groupBy.map((name, i) => [name, g!.values[i]!])),
      window: { start: g.entries[0]!.t, end: p.t },
      value: r.value,
      events: g.entries.slice(0, MAX_EVENTS).map((e) => ({ rule: e.rule, title: e.title, time: e.t, ref: e.ref })),
      eventCount: g.entries.length,
      report: !this.plan.silent.has(ruleKey(c.doc)),
    };
    g.entries = [];
    this.stats.alerts++;
    out.push(alert);
    // Chains: the alert is a match of this correlation for those that read it, now.
    const readers = this.byCorrelation.get(ruleKey(c.doc));
    if (readers) {
      const eventId = ++this.eventId;
      const view = new EventView(alert.group);
      for (const r2 of readers) {
        const f2 = feedOf(r2.c, r2.input, read(view));
        if (!f2) {
          this.stats.ungrouped++;
          continue;
        }
        this.apply(r2.c, f2, { t: p.t, seq: ++this.seq, eventId, feeds: [], rule: ruleKey(c.doc), title: c.doc.title, ref: { file: c.doc.file } }, out);
      }
    }
  }

  /**
   * Drops the groups whose windows have passed (their state can no longer matter). Each map is in
   * order of lastSeen, so this stops at the first group still in its window. A passed group is never
   * quiet any more: its last alert was at or before lastSeen, and quiet lasts one timespan.
   */
  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [ci, map] of this.groups.entries()) {
      const from = now - this.plan.correlations[ci]!.timespanMs;
      for (const [key, g] of map) {
        if (g.lastSeen >= from) break;
        map.delete(key);
        this.groupCount--;
      }
    }
  }

  /** At the cap: drops groups whose windows have passed; if none, the least recently seen one (counted). */
  private evictOne(now: number): void {
    this.sweep(now);
    if (this.groupCount < this.maxGroups) return;
    let oldest: { map: Map<string, Group>; key: string; t: number } | undefined;
    for (const map of this.groups) {
      const first = map.entries().next();
      if (!first.done && (!oldest || first.value[1].lastSeen < oldest.t)) oldest = { map, key: first.value[0], t: first.value[1].lastSeen };
    }
    if (oldest) {
      oldest.map.delete(oldest.key);
      this.groupCount--;
      this.stats.evicted++;
    }
  }

  /** Base matches held for ordering (within the lateness), not yet applied to windows. */
  get bufferedMatches(): number {
    return this.buffer.length;
  }

  /** Groups held now (windows that have passed are dropped as groups are added). */
  get groupsHeld(): number {
    return this.groupCount;
  }

  snapshot(): CorrelatorSnapshot {
    const groups: CorrelatorSnapshot['groups'] = [];
    this.groups.forEach((map, ci) => {
      for (const [key, g] of map) groups.push([ci, key, structuredClone(g)]);
    });
    return { version: 1, seq: this.seq, eventId: this.eventId, released: this.released, newest: this.newest, buffer: structuredClone(this.buffer), groups, stats: { ...this.stats, groups: this.groupCount } };
  }

  restore(s: CorrelatorSnapshot): void {
    if (s.version !== 1) throw new Error(`correlator snapshot version ${String(s.version)} is not 1`);
    this.seq = s.seq;
    this.eventId = s.eventId;
    this.released = s.released;
    this.newest = s.newest;
    this.buffer = structuredClone(s.buffer);
    this.sorted = false;
    for (const map of this.groups) map.clear();
    this.groupCount = 0;
    // In order of lastSeen, as the maps keep it (see apply), whatever order the snapshot lists them in.
    for (const [ci, key, g] of [...s.groups].sort((a, b) => a[2].lastSeen - b[2].lastSeen)) {
      const map = this.groups[ci];
      if (!map) throw new Error(`the snapshot holds correlation ${ci}, which these rules do not have`);
      map.set(key, structuredClone(g));
      this.groupCount++;
    }
    Object.assign(this.stats, s.stats);
  }
}

function compare(a: { t: number; seq: number }, b: { t: number; seq: number }): number {
  return a.t - b.t || a.seq - b.seq;
}

/** Reads a field as the correlation writes it, by its names in the event (the first present). */
type FieldReader = (field: string) => unknown;

function read(view: EventView, names?: ReadonlyMap<string, readonly string[]>): FieldReader {
  if (!names?.size) return (f) => view.get(f);
  return (f) => {
    const alternatives = names.get(f);
    if (!alternatives) return view.get(f);
    for (const name of alternatives) {
      const v = view.get(name);
      if (v !== undefined && v !== null) return v;
    }
    return undefined;
  };
}

/** The group and value an event gives a correlation input, or null when a group-by field is missing. */
function feedOf(c: ResolvedCorrelation, input: number, get: FieldReader): Feed | null {
  const fields = c.groupFields[input]!;
  const group: string[] = [];
  for (const f of fields) {
    const v = textOf(get(f));
    if (v === null || v === '') return null;
    group.push(v);
  }
  const feed: Feed = { correlation: c.index, input, key: JSON.stringify(group), group };
  if (c.valueFields.length) {
    if (c.type === 'value_count') {
      const parts = c.valueFields.map((f) => textOf(get(f)));
      if (parts.every((x) => x !== null)) feed.value = parts.length === 1 ? parts[0]! : JSON.stringify(parts);
    } else {
      const n = numberOf(get(c.valueFields[0]!));
      if (n !== null && n !== undefined && Number.isFinite(n)) feed.value = n;
    }
  }
  return feed;
}
