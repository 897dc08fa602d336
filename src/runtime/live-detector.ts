// The detection half of `quarry serve`: one event at a time in, detections out, with the same rules,
// pipelines, routing and correlations as `quarry hunt` (hunt/setup.ts builds both, and
// hunt/event-detections.ts makes both detections). What a stream adds: a bounded lateness (a hunt
// holds every match until its input ends; a service cannot), state that can be saved and restored,
// and rules swapped while correlations of unchanged definitions keep their windows.
import type { SigmaCollection } from '../sigma/load.js';
import type { LogSource } from '../sigma/model.js';
import type { ProcessingPipeline } from '../pipeline/types.js';
import type { RegexFactory } from '../engine/regex.js';
import type { RulebookOptions } from '../engine/rulebook.js';
import { Detector, type EventMatches } from '../engine/detector.js';
import type { CorrelatorSnapshot } from '../engine/correlation/correlator.js';
import { carryState, planFingerprints } from '../engine/correlation/carry-state.js';
import { setupHuntRules, type HuntRules } from '../hunt/setup.js';
import { eventDetections } from '../hunt/event-detections.js';
import type { HuntDetection } from '../hunt/detection.js';
import type { SourceRecord } from '../sources/types.js';

export interface LiveOptions {
  pipelines: ProcessingPipeline[];
  regex: RegexFactory;
  minLevel?: string;
  /** The log source of every event (`--logsource`). */
  logsource?: LogSource;
  timeField?: string;
  /** How far behind the newest base match a match may arrive and still count (ms). */
  latenessMs: number;
  /** Groups kept across all correlations before the least recently seen is evicted. */
  maxGroups: number;
  /** Matches held for ordering before the oldest are released regardless. */
  maxBuffered: number;
  /** The facts store of the rules last loaded (engine/facts-store.ts), asked at each build; none by default. */
  facts?: () => RulebookOptions['facts'] | undefined;
}

/** What `--state` holds: the correlator's state under the rules it was taken with, and how far input went. */
export interface LiveSnapshot {
  version: 1;
  /** One fingerprint per correlation position of the snapshot (engine/correlation/carry-state.ts). */
  correlations: string[];
  correlator: CorrelatorSnapshot | null;
  /** Events consumed before the snapshot. */
  events: number;
}

export interface LiveCounters {
  events: number;
  detections: number;
  correlationDetections: number;
  /** Matches of rules that only feed correlations. */
  silenced: number;
}

export class LiveDetector {
  private rules: HuntRules;
  private detector: Detector;
  readonly counters: LiveCounters = { events: 0, detections: 0, correlationDetections: 0, silenced: 0 };

  constructor(
    col: SigmaCollection,
    private readonly opts: LiveOptions,
  ) {
    this.rules = this.build(col);
    this.detector = this.detectorFor(this.rules);
  }

  private build(col: SigmaCollection): HuntRules {
    // Format pipelines follow a file's sniffed format; a stream of NDJSON events has none.
    const facts = this.opts.facts?.();
    return setupHuntRules(col, {
      ...(facts ? { facts } : {}),
      pipelines: this.opts.pipelines,
      formatPipelines: false,
      regex: this.opts.regex,
      minLevel: this.opts.minLevel,
      correlator: { latenessMs: this.opts.latenessMs, maxGroups: this.opts.maxGroups, maxBuffered: this.opts.maxBuffered },
    });
  }

  private detectorFor(r: HuntRules): Detector {
    return new Detector(r.prepared.set, { regex: this.opts.regex, logsource: this.opts.logsource, timeField: this.opts.timeField });
  }

  get prepared(): HuntRules['prepared'] {
    return this.rules.prepared;
  }

  get correlation(): HuntRules['correlation'] {
    return this.rules.correlation;
  }

  /** One event's detections: its own (rule order), then the correlations its matches released. */
  handle(rec: SourceRecord): HuntDetection[] {
    this.counters.events++;
    const result = this.detector.next(rec.event);
    if (!result.matches.length) return [];
    const found = eventDetections(result, rec, this.rules.correlation);
    this.counters.silenced += found.silenced;
    const out = found.own.map((o) => o.detection);
    this.counters.detections += out.length;
    this.counters.correlationDetections += found.correlations.length;
    return out.concat(found.correlations);
  }

  /**
   * One event's own detections, and its matches for correlations computed elsewhere (the detect
   * stage of the scaled-out service): the correlator here is not fed.
   */
  detectOnly(rec: SourceRecord): { detections: HuntDetection[]; result: EventMatches } {
    this.counters.events++;
    const result = this.detector.next(rec.event);
    if (!result.matches.length) return { detections: [], result };
    const found = eventDetections(result, rec, this.rules.correlation, { feed: false });
    this.counters.silenced += found.silenced;
    this.counters.detections += found.own.length;
    return { detections: found.own.map((o) => o.detection), result };
  }

  /** End of input: every held match is released and the open windows evaluated. */
  finish(): HuntDetection[] {
    const out = this.rules.correlation?.end() ?? [];
    this.counters.correlationDetections += out.length;
    return out;
  }

  snapshot(): LiveSnapshot {
    const c = this.rules.correlation;
    return { version: 1, correlations: c ? planFingerprints(c.plan) : [], correlator: c ? c.correlator.snapshot() : null, events: this.counters.events };
  }

  /** Loads a snapshot taken under these rules or others: state of unchanged correlations is kept. */
  restore(s: LiveSnapshot): { kept: string[]; dropped: number } {
    if (s.version !== 1) throw new Error(`state version ${String(s.version)} is not 1`);
    this.counters.events = s.events;
    const c = this.rules.correlation;
    if (!c || !s.correlator) return { kept: [], dropped: s.correlator?.groups.length ?? 0 };
    const carried = carryState(s.correlator, s.correlations, c.plan);
    c.correlator.restore(carried.snapshot);
    return { kept: carried.kept, dropped: carried.dropped };
  }

  /** New rules in place of the old; held matches and windows of unchanged correlations carry over. */
  reload(col: SigmaCollection): { kept: string[]; dropped: number } {
    const before = this.snapshot();
    const events = this.counters.events;
    const untimed = this.rules.correlation?.untimed ?? 0;
    const next = this.build(col);
    this.rules = next;
    this.detector = this.detectorFor(next);
    const r = this.restore(before);
    this.counters.events = events;
    // Counted across reloads, as the correlator's own counts are (they travel in its snapshot).
    if (next.correlation) next.correlation.untimed = untimed;
    return r;
  }

  /** Correlation groups and held matches now (the state that a long stream must keep bounded). */
  get state(): { groups: number; buffered: number; late: number; evicted: number; untimed: number; ungrouped: number } {
    const c = this.rules.correlation;
    if (!c) return { groups: 0, buffered: 0, late: 0, evicted: 0, untimed: 0, ungrouped: 0 };
    return { groups: c.correlator.groupsHeld, buffered: c.correlator.bufferedMatches, late: c.correlator.stats.late, evicted: c.correlator.stats.evicted, untimed: c.untimed, ungrouped: c.correlator.stats.ungrouped };
  }
}
