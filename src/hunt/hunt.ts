// The hunt loop: events from sources through the detector (engine/detector.ts decides which rules
// each event meets), detections counted and handed on. Output order is input order, then rule order: same inputs, same result.
import type { LogSource } from '../sigma/model.js';
import { Detector } from '../engine/detector.js';
import type { CompiledRuleSet } from '../engine/rule-set.js';
import type { RegexFactory } from '../engine/regex.js';
import type { EventSource, SourceProblem } from '../sources/types.js';
import type { HuntDetection } from './detection.js';
import type { HuntCorrelation } from './correlate.js';
import { correlationKey, eventDetections } from './event-detections.js';

export interface HuntInput {
  source: EventSource;
  /** The rules compiled for this input's pipelines (format pipelines differ); the hunt's set otherwise. */
  set?: CompiledRuleSet;
  /** The log source the user named for this input (`--logsource`): only its rules apply, unguarded. */
  logsource?: LogSource;
}

export interface InputSummary {
  file: string;
  format: string;
  events: number;
  detections: number;
  problems: SourceProblem[];
  problemCount: number;
  /** How events of this input were routed: by Windows channel, by the declared log source, or to every rule. */
  routing: { windows: number; declared: number; unknown: number };
}

export interface HuntSummary {
  events: number;
  detections: number;
  /** Detections per rule, keyed by `file#document` (the same rule under several pipelines counts once). */
  perRule: Map<string, { title: string; level?: string; count: number }>;
  perLevel: Map<string, number>;
  inputs: InputSummary[];
  /** Matches of rules that only feed correlations (`generate: false`), not reported on their own. */
  silenced: number;
  /** Set when `signal` stopped the hunt before the end of its inputs. */
  interrupted?: boolean;
}

export interface HuntOptions {
  regex: RegexFactory;
  onDetection(d: HuntDetection): void | Promise<void>;
  /** Called every 1,024 events: events so far, and which input (0-based) of how many. */
  onProgress?(events: number, input: { name: string; index: number; count: number; detections: number }): void;
  /** The hunt's scope (`hunt/scope.ts`): a detection it refuses is neither counted nor handed on. */
  admit?(d: HuntDetection): boolean;
  /** Skip explanations (faster when only counts are wanted). */
  explain?: boolean;
  /** Correlation rules to evaluate on the base matches (null or absent: none). */
  correlation?: HuntCorrelation | null;
  /** The field that holds each event's time (`--time-field`). */
  timeField?: string;
  /**
   * Stops the hunt between two events when aborted (SIGINT): the summary then has
   * `interrupted` set, and correlations are not flushed (their windows are incomplete).
   */
  signal?: AbortSignal;
}

export async function hunt(defaultSet: CompiledRuleSet, inputs: HuntInput[], opts: HuntOptions): Promise<HuntSummary> {
  const summary: HuntSummary = { events: 0, detections: 0, perRule: new Map(), perLevel: new Map(), inputs: [], silenced: 0 };
  const correlation = opts.correlation ?? null;
  const report = async (d: HuntDetection, key: string, input?: InputSummary) => {
    if (opts.admit && !opts.admit(d)) return;
    if (input) input.detections++;
    summary.detections++;
    const entry = summary.perRule.get(key) ?? { title: d.rule.title, level: d.rule.level, count: 0 };
    entry.count++;
    summary.perRule.set(key, entry);
    const level = d.rule.level ?? 'unset';
    summary.perLevel.set(level, (summary.perLevel.get(level) ?? 0) + 1);
    await opts.onDetection(d);
  };
  const reportCorrelations = async (ds: HuntDetection[]) => {
    for (const d of ds) await report(d, correlationKey(d));
  };
  for (const [index, input] of inputs.entries()) {
    const detector = new Detector(input.set ?? defaultSet, { regex: opts.regex, logsource: input.logsource, explain: opts.explain, timeField: opts.timeField });
    const s: InputSummary = { file: input.source.name, format: input.source.format, events: 0, detections: 0, problems: [], problemCount: 0, routing: { windows: 0, declared: 0, unknown: 0 } };
    for await (const rec of input.source.records()) {
      if (opts.signal?.aborted) break;
      s.events++;
      summary.events++;
      if (opts.onProgress && (summary.events & 1023) === 0) opts.onProgress(summary.events, { name: input.source.name, index, count: inputs.length, detections: summary.detections });
      const result = detector.next(rec.event);
      s.routing[result.routing]++;
      if (!result.matches.length) continue;
      const found = eventDetections(result, rec, correlation);
      summary.silenced += found.silenced;
      for (const { detection, key } of found.own) await report(detection, key, s);
      await reportCorrelations(found.correlations);
    }
    s.problems = input.source.problems;
    s.problemCount = input.source.problemCount;
    summary.inputs.push(s);
    if (opts.signal?.aborted) {
      summary.interrupted = true;
      return summary;
    }
  }
  if (correlation) await reportCorrelations(correlation.end());
  return summary;
}
