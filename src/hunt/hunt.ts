// The hunt loop: events from sources through the detector (engine/detector.ts decides which rules
// each event meets), detections counted and handed on (tally.ts). Output order is input order, then
// rule order: same inputs, same result, with one thread or several (parallel-hunt.ts).
import type { LogSource } from '../sigma/model.js';
import { Detector } from '../engine/detector.js';
import type { CompiledRuleSet } from '../engine/rule-set.js';
import type { RegexFactory } from '../engine/regex.js';
import type { EventSource, SourceProblem } from '../sources/types.js';
import type { HuntDetection } from './detection.js';
import type { HuntCorrelation } from './correlate.js';
import { HuntTally } from './tally.js';
import { huntInParallel } from './parallel-hunt.js';
import type { HuntRulesRecipe } from './setup.js';
import type { HuntWorkerPool } from './worker-pool.js';

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
  /**
   * Hunt with several threads (parallel-hunt.ts): `threads` hunters (this one and threads − 1
   * workers), each reading and matching its own share of the inputs; the workers build the same
   * rules from `rules`. Absent or 1: this thread alone.
   */
  workers?: HuntWorkers;
}

export interface HuntWorkers {
  threads: number;
  rules: HuntRulesRecipe;
  /**
   * `documentsFingerprint` of this thread's collection: a worker that built its rules from other
   * documents is let go. Absent: the fingerprint of the recipe's documents (a recipe of paths needs it).
   */
  fingerprint?: string;
  /** Workers started beforehand with these rules (setup.ts starts them early); else the hunt starts them. */
  pool?: HuntWorkerPool;
  /** The workers' module when the hunt starts them (default hunt-worker.js; a test gives one that crashes). */
  script?: URL;
  /** Whether this thread hunts shares too (default true); false leaves every share it can to the workers (tests, benchmarks). */
  hereToo?: boolean;
  /** EVTX chunks per share (default shares.ts's `EVTX_CHUNKS_PER_SHARE`; tests cut small files). */
  chunksPerShare?: number;
}

export async function hunt(defaultSet: CompiledRuleSet, inputs: HuntInput[], opts: HuntOptions): Promise<HuntSummary> {
  if (opts.workers && opts.workers.threads > 1) return huntInParallel(defaultSet, inputs, opts, opts.workers);
  const tally = new HuntTally(opts);
  for (const [index, input] of inputs.entries()) {
    const detector = new Detector(input.set ?? defaultSet, { regex: opts.regex, logsource: input.logsource, explain: opts.explain, timeField: opts.timeField });
    const s = tally.startInput(input.source);
    for await (const rec of input.source.records()) {
      if (opts.signal?.aborted) break;
      tally.events(s, 1, index, inputs.length);
      const result = detector.next(rec.event);
      s.routing[result.routing]++;
      if (result.matches.length) await tally.matched(result, rec, s);
    }
    s.problems = input.source.problems;
    s.problemCount = input.source.problemCount;
    tally.endInput(s);
    if (opts.signal?.aborted) {
      tally.summary.interrupted = true;
      return tally.summary;
    }
  }
  return tally.finish();
}
