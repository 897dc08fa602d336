// Everything a hunt needs before its loop: rules compiled per input format pipeline, inputs
// expanded and opened. Shared by `quarry hunt` and the explorer's demo hunt, so both find the
// same detections in the same logs.
import { emptyCollection, type SigmaCollection } from '../sigma/load.js';
import type { LogSource } from '../sigma/model.js';
import type { ProcessingPipeline } from '../pipeline/types.js';
import { builtinPipeline } from '../pipeline/builtin.js';
import type { RegexFactory } from '../engine/regex.js';
import { openSource, expandInputs, SourceError } from '../sources/open-source.js';
import { openEvtxSource } from '../sources/evtx-source.js';
import { EvtxPrefetch, mayHoldEvtx } from '../sources/evtx-prefetch.js';
import os from 'node:os';
import { createRulebook, type PreparedRules, type Rulebook } from '../engine/rulebook.js';
import type { CorrelatorOptions } from '../engine/correlation/correlator.js';
import type { HuntInput, HuntWorkers } from './hunt.js';
import type { EventSource } from '../sources/types.js';
import { AUTO_WORKERS_MIN_BYTES, huntThreads } from './shares.js';
import { HuntWorkerPool } from './worker-pool.js';
import { createHuntCorrelation, type HuntCorrelation } from './correlate.js';
import { ruleKey } from '../sigma/correlation-plan.js';

export interface HuntSetupOptions {
  pipelines: ProcessingPipeline[];
  /** Apply the built-in field mapping of an input's format (w3c, squid, zeek-http). */
  formatPipelines: boolean;
  regex: RegexFactory;
  minLevel?: string;
  /** The log source the user declared for every input (`--logsource`). */
  logsource?: LogSource;
  /**
   * Threads to hunt with (`--workers`; 'auto': as `huntThreads` decides from the inputs). When more
   * than one, the workers are started here, before this thread compiles the rules, so that they build
   * theirs meanwhile; `workers` is then what `hunt` takes. Absent: one thread.
   */
  threads?: number | 'auto';
  /** EVTX inputs read ahead on another thread (`startHuntPrefetch`); closed here when the hunt takes several threads. */
  prefetch?: EvtxPrefetch;
}

export interface HuntSetup {
  /** The collection's correlations ready to run, or null when it has none that can run. */
  correlation: HuntCorrelation | null;
  /** The rules compiled with the given pipelines only (inputs of a format with its own pipeline get theirs). */
  prepared: PreparedRules;
  inputs: HuntInput[];
  /** Inputs that could not be listed or opened, as `file: reason`. */
  openProblems: string[];
  /** What a worker thread needs to build these same rules (`hunt`'s `workers` option). */
  recipe: HuntRulesRecipe;
  /** The hunt's worker threads, started (see `threads`); undefined: one thread. */
  workers?: HuntWorkers;
}

/**
 * The rules half of a hunt as plain data, for a worker thread (structured clone): the accepted
 * documents and the options, which `rulesFromRecipe` takes down the same path to the same rule sets,
 * rule for rule in the same order. RE2 is the regex engine in worker threads.
 */
export interface HuntRulesRecipe {
  collection: Pick<SigmaCollection, 'rules' | 'filters' | 'correlations'>;
  pipelines: ProcessingPipeline[];
  formatPipelines: boolean;
  minLevel?: string;
}

export function rulesFromRecipe(recipe: HuntRulesRecipe, regex: RegexFactory): HuntRules {
  const col: SigmaCollection = { ...emptyCollection(), ...recipe.collection };
  return setupHuntRules(col, { pipelines: recipe.pipelines, formatPipelines: recipe.formatPipelines, minLevel: recipe.minLevel, regex });
}

/** The rules half of a hunt, no inputs: also what `quarry serve` runs on a stream (and rebuilds on reload). */
export interface HuntRules {
  book: Rulebook;
  prepared: PreparedRules;
  correlation: HuntCorrelation | null;
}

export function setupHuntRules(col: SigmaCollection, opts: Omit<HuntSetupOptions, 'logsource'> & { correlator?: CorrelatorOptions }): HuntRules {
  const correlation = createHuntCorrelation(col, { ...opts.correlator, minLevel: opts.minLevel });
  const book = createRulebook(col, {
    feedsCorrelation: (rule) => correlation?.correlator.reads(rule) ?? false,
    correlationFields: (rule) => correlation?.fieldsRead.get(ruleKey(rule)) ?? [],
    pipelines: opts.pipelines,
    formatPipeline: (name) => (opts.formatPipelines ? builtinPipeline(name) : null),
    regex: opts.regex,
    minLevel: opts.minLevel,
  });
  return { book, prepared: book.base, correlation };
}

/**
 * Starts reading the EVTX inputs ahead on the second core, to be called before loading the rules
 * (evtx-prefetch.ts), when the hunt will run on this thread alone: `--workers` not given (an explicit
 * `--workers 1` means one thread), at least two processors, a folder or an EVTX file among the inputs
 * (the worker leaves them all to this thread when they total the size from which the hunt's own
 * workers share them out). Undefined otherwise.
 */
export function startHuntPrefetch(inputPaths: string[], requestedThreads: number | undefined): EvtxPrefetch | undefined {
  if (requestedThreads !== undefined || os.availableParallelism() < 2 || !mayHoldEvtx(inputPaths)) return undefined;
  return new EvtxPrefetch(inputPaths, { maxInputBytes: AUTO_WORKERS_MIN_BYTES });
}

export async function setupHunt(col: SigmaCollection, inputPaths: string[], opts: HuntSetupOptions): Promise<HuntSetup> {
  // The read-ahead thread has listed the inputs already, and found which files are EVTX: no need to
  // list and sniff them again here.
  const prefetch = opts.prefetch;
  const expanded = prefetch?.listing() ?? (await expandInputs(inputPaths, { recursive: true }));
  const sources: EventSource[] = [];
  const openProblems: string[] = expanded.problems.map((p) => `${p.location.file}: ${p.message}`);
  for (const file of expanded.files) {
    try {
      if (prefetch?.holds(file)) sources.push(openEvtxSource(file, { prefetch }));
      else sources.push(await openSource(file, { readers: { evtx: (p) => openEvtxSource(p, prefetch ? { prefetch } : {}) } }));
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      openProblems.push(`${file}: ${e.message}`);
    }
  }
  const recipe: HuntRulesRecipe = {
    collection: { rules: col.rules, filters: col.filters, correlations: col.correlations },
    pipelines: opts.pipelines,
    formatPipelines: opts.formatPipelines,
    ...(opts.minLevel ? { minLevel: opts.minLevel } : {}),
  };
  const logsourceOf = (source: EventSource) => opts.logsource ?? source.logsource;
  const threads = opts.threads === undefined ? 1 : huntThreads(opts.threads === 'auto' ? undefined : opts.threads, sources.map((source) => ({ source, logsource: logsourceOf(source) })));
  if (threads > 1) opts.prefetch?.close(); // the hunt's workers read their shares themselves
  const workers: HuntWorkers | undefined = threads > 1 ? { threads, rules: recipe, pool: new HuntWorkerPool(recipe, threads - 1) } : undefined;
  const { book, prepared, correlation } = setupHuntRules(col, opts);
  const inputs: HuntInput[] = sources.map((source) => ({ source, logsource: logsourceOf(source), set: book.forFormat(source.pipeline).set }));
  return { prepared, inputs, openProblems, correlation, recipe, ...(workers ? { workers } : {}) };
}
