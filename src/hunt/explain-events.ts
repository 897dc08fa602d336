// `quarry explain` and `quarry test` failures: events read from files (or given inline) meet the
// rules through the one detector (`Detector.explainNext`), and every applicable rule comes back
// with the detector's verdict and its condition tree (engine/explain.ts). Inputs are opened as a
// hunt opens them, so an input format's own pipeline and log source apply here as well.
import type { SigmaCollection } from '../sigma/collection.js';
import type { LogSource } from '../sigma/model.js';
import type { ProcessingPipeline } from '../pipeline/types.js';
import { builtinPipeline } from '../pipeline/builtin.js';
import type { RegexFactory } from '../engine/regex.js';
import { createRulebook, type PreparedRules } from '../engine/rulebook.js';
import { Detector } from '../engine/detector.js';
import { openSource, SourceError } from '../sources/open-source.js';
import { evtxReader } from '../sources/evtx-source.js';
import { normalizeEvent } from '../sources/flatten.js';
import type { LogEvent, SourceLocation, SourceProblem } from '../sources/types.js';
import { parseJsonExact } from '../json/parse-exact.js';

import type { ExplainedEvent } from './explained.js';
export type { ExplainedEvent, ExplainedRule, ExplainNode, LeafState, RuleExplanation } from './explained.js';

export interface ExplainOptions {
  pipelines: readonly ProcessingPipeline[];
  regex: RegexFactory;
  /** The log source declared for every input (`--logsource`). */
  logsource?: LogSource;
  /** Stop after this many events of one input (a test's failure shows the first few). */
  maxEventsPerInput?: number;
}

export interface Explainer {
  /** The rules compiled with the given pipelines (skipped ones with their reasons). */
  prepared: PreparedRules;
  /** Explains every event of a file (JSON, NDJSON, EVTX, …); problems reading it are collected. */
  explainFile(path: string, problems: SourceProblem[]): AsyncIterable<ExplainedEvent>;
  /** Explains events given as values (inline JSON, a test file's `events`), EVTX-as-JSON flattened. */
  explainEvents(events: readonly LogEvent[], name: string): ExplainedEvent[];
}

export function createExplainer(col: SigmaCollection, opts: ExplainOptions): Explainer {
  const book = createRulebook(col, { pipelines: opts.pipelines, regex: opts.regex, formatPipeline: (name) => builtinPipeline(name) });
  const explainOne = (detector: Detector, event: LogEvent, location: SourceLocation): ExplainedEvent => {
    const { routing, rules } = detector.explainNext(event);
    return {
      location,
      routing,
      event,
      rules: rules.map((v) => {
        const r = v.rule.ir.rule;
        return { rule: { id: r.id, title: r.title, file: r.file, level: r.level }, detected: v.detected, explanation: v.explanation };
      }),
    };
  };
  return {
    prepared: book.base,
    async *explainFile(path, problems) {
      let source;
      try {
        source = await openSource(path, { readers: { evtx: evtxReader() } });
      } catch (e) {
        if (!(e instanceof SourceError)) throw e;
        problems.push({ location: { file: path }, message: e.message });
        return;
      }
      const set = book.forFormat(source.pipeline).set;
      const detector = new Detector(set, { regex: opts.regex, logsource: opts.logsource ?? source.logsource });
      let n = 0;
      for await (const rec of source.records()) {
        yield explainOne(detector, rec.event, rec.location);
        if (opts.maxEventsPerInput !== undefined && ++n >= opts.maxEventsPerInput) break;
      }
      problems.push(...source.problems);
    },
    explainEvents(events, name) {
      const detector = new Detector(book.base.set, { regex: opts.regex, logsource: opts.logsource });
      return events.map((e, i) => explainOne(detector, normalizeEvent(structuredClone(e)), events.length > 1 ? { file: name, record: i + 1 } : { file: name }));
    },
  };
}

/** An EVENT argument that is JSON text rather than a path: one object, or an array of objects. */
export function inlineEvents(text: string): LogEvent[] | null {
  const t = text.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return null;
  const v = parseJsonExact(t);
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) throw new SyntaxError('an inline event must be a JSON object or an array of objects');
  return list as LogEvent[];
}
