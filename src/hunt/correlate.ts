// Correlations in a hunt: the base matches of the rules that correlations read go to the
// correlator (engine/correlation) on their event time, and its alerts come back as detections of
// the correlation rule. Rules that only feed correlations (`generate: false`) report nothing of
// their own. Matches whose event time cannot be read cannot be placed in a window: counted.
import type { SigmaCollection } from '../sigma/collection.js';
import { levelRank, type SigmaRule } from '../sigma/model.js';
import { correlationConditionText } from '../sigma/correlation-text.js';
import { fieldsReadFromRules, resolveCorrelations, type CorrelationPlan } from '../sigma/correlation-plan.js';
import { Correlator, type CorrelationAlert, type CorrelatorOptions } from '../engine/correlation/correlator.js';
import { eventTimeMs } from '../engine/event-time.js';
import type { EventMatches } from '../engine/detector.js';
import type { LogEvent, SourceLocation } from '../sources/types.js';
import type { HuntDetection } from './detection.js';

export interface HuntCorrelation {
  plan: CorrelationPlan;
  correlator: Correlator;
  /** By ruleKey: the fields correlations read from that rule's events (the rulebook names them through the pipelines). */
  fieldsRead: ReadonlyMap<string, readonly string[]>;
  /** Base matches that fed a correlation but had no readable event time. */
  untimed: number;
  /** Whether a rule reports its own detections (false: it only feeds correlations). */
  reports(rule: SigmaRule): boolean;
  /** Hands one event's matches to the correlator; returns the correlation detections it released. */
  feed(result: EventMatches, event: LogEvent, location: SourceLocation): HuntDetection[];
  /** End of input: the remaining correlation detections. */
  end(): HuntDetection[];
  /** The correlator's alerts as detections (those below --min-level left out): also for alerts made elsewhere. */
  detections(alerts: CorrelationAlert[]): HuntDetection[];
}

/** Null when the collection has no correlation that can run (the hunt then skips all of this). */
export function createHuntCorrelation(col: SigmaCollection, opts: CorrelatorOptions & { minLevel?: string } = {}): HuntCorrelation | null {
  const plan = resolveCorrelations(col.rules, col.correlations);
  if (!plan.correlations.length) return null;
  const correlator = new Correlator(plan, opts);
  // --min-level: a base rule below it still feeds its correlations, but reports nothing itself;
  // a correlation below it is evaluated (others may read it) and not reported.
  const min = opts.minLevel ? levelRank(opts.minLevel) : -1;
  const belowMin = (level: string | undefined) => min >= 0 && levelRank(level) < min;
  const h: HuntCorrelation = {
    plan,
    correlator,
    fieldsRead: fieldsReadFromRules(plan),
    untimed: 0,
    reports: (rule) => !correlator.silences(rule) && !belowMin(rule.level),
    feed(result, event, location) {
      const out: HuntDetection[] = [];
      for (const { rule } of result.matches) {
        const r = rule.ir.rule;
        if (!correlator.reads(r)) continue;
        const time = result.time === undefined ? NaN : eventTimeMs(result.time);
        if (Number.isNaN(time)) {
          h.untimed++;
          continue;
        }
        out.push(...h.detections(correlator.push({ rule: r, time, event, ref: location, ...(rule.ir.correlationFields ? { names: rule.ir.correlationFields } : {}) })));
      }
      return out;
    },
    end: () => h.detections(correlator.end()),
    detections: (alerts) => alerts.filter((a) => !belowMin(a.correlation.level)).map(toDetection),
  };
  return h;
}

function toDetection(a: CorrelationAlert): HuntDetection {
  const c = a.correlation;
  const last = a.events[a.events.length - 1];
  return {
    rule: { id: c.id, title: c.title, level: c.level, status: c.status, path: c.file, tags: c.tags, type: 'correlation', correlation: a.type },
    source: last ? last.ref : { file: c.file },
    timestamp: new Date(a.window.end).toISOString(),
    event: a.group,
    matched: [],
    correlation: {
      type: a.type,
      group: a.group,
      window: { start: new Date(a.window.start).toISOString(), end: new Date(a.window.end).toISOString() },
      value: a.value,
      condition: correlationConditionText(c),
      events: a.events.map((e) => ({ rule: e.rule, title: e.title, time: new Date(e.time).toISOString(), ...e.ref })),
      eventCount: a.eventCount,
    },
  };
}
