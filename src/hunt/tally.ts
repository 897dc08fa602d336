// A hunt's bookkeeping, shared by the one-thread loop (hunt.ts) and the merge of the worker threads'
// results (parallel-hunt.ts): an event's matches become detections here (event-detections.ts), the
// scope admits them, the counts and the per-input summaries grow, progress is told. Both paths feed
// it the same matched events in the same order, so they cannot disagree on what is reported.
import type { EventMatches } from '../engine/detector.js';
import type { EventSource, SourceRecord } from '../sources/types.js';
import type { HuntDetection } from './detection.js';
import { correlationKey, eventDetections } from './event-detections.js';
import type { HuntOptions, HuntSummary, InputSummary } from './hunt.js';

export class HuntTally {
  readonly summary: HuntSummary = { events: 0, detections: 0, perRule: new Map(), perLevel: new Map(), inputs: [], silenced: 0 };

  constructor(private readonly opts: HuntOptions) {}

  /** A new input's summary (pushed to the hunt's summary by `endInput`). */
  startInput(source: Pick<EventSource, 'name' | 'format'>): InputSummary {
    return { file: source.name, format: source.format, events: 0, detections: 0, problems: [], problemCount: 0, routing: { windows: 0, declared: 0, unknown: 0 } };
  }

  /** `n` more events read from input `index` (of `count`); progress is told at every 1,024th event. */
  events(s: InputSummary, n: number, index: number, count: number): void {
    const before = this.summary.events;
    s.events += n;
    this.summary.events += n;
    if (this.opts.onProgress && before >> 10 !== this.summary.events >> 10) {
      this.opts.onProgress(this.summary.events, { name: s.file, index, count, detections: this.summary.detections });
    }
  }

  /** One event's matches: its own detections in rule order, then what correlations released. */
  async matched(result: EventMatches, rec: SourceRecord, s: InputSummary): Promise<void> {
    const found = eventDetections(result, rec, this.opts.correlation ?? null);
    this.summary.silenced += found.silenced;
    for (const { detection, key } of found.own) await this.report(detection, key, s);
    for (const d of found.correlations) await this.report(d, correlationKey(d));
  }

  endInput(s: InputSummary): void {
    this.summary.inputs.push(s);
  }

  /** End of all inputs: the correlations still open are evaluated and reported. */
  async finish(): Promise<HuntSummary> {
    const correlation = this.opts.correlation;
    if (correlation) for (const d of correlation.end()) await this.report(d, correlationKey(d));
    return this.summary;
  }

  private async report(d: HuntDetection, key: string, input?: InputSummary): Promise<void> {
    if (this.opts.admit && !this.opts.admit(d)) return;
    if (input) input.detections++;
    this.summary.detections++;
    const entry = this.summary.perRule.get(key) ?? { title: d.rule.title, level: d.rule.level, count: 0 };
    entry.count++;
    this.summary.perRule.set(key, entry);
    const level = d.rule.level ?? 'unset';
    this.summary.perLevel.set(level, (this.summary.perLevel.get(level) ?? 0) + 1);
    await this.opts.onDetection(d);
  }
}
