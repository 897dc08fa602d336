// Everything a hunt needs before its loop: rules compiled per input format pipeline, inputs
// expanded and opened. Shared by `quarry hunt` and the explorer's demo hunt, so both find the
// same detections in the same logs.
//
// With worker threads (`--workers`), `quarry hunt` opens its inputs first (`openHuntInputs`: how
// many threads pay depends on them) and starts the workers then, with the rule paths: each worker
// loads and compiles the rules itself while this thread does the same, instead of waiting for this
// thread's collection and cloning it (the clone alone cost this thread more than a worker's warm
// load). A worker that loaded other rules than this thread (a rule file changed in between) is
// told by the collection's fingerprint and let go; the hunt never mixes two rule sets.
import { createHash } from 'node:crypto';
import { emptyCollection, loadSigmaPaths, type SigmaCollection } from '../sigma/load.js';
import { RuleCache, ruleCacheDir } from '../sigma/rule-cache.js';
import type { LogSource } from '../sigma/model.js';
import type { ProcessingPipeline } from '../pipeline/types.js';
import { builtinPipeline } from '../pipeline/builtin.js';
import type { RegexFactory } from '../engine/regex.js';
import { openSource, expandInputs, SourceError } from '../sources/open-source.js';
import { evtxReader } from '../sources/evtx-source.js';
import { createRulebook, type PreparedRules, type Rulebook, type RulebookOptions } from '../engine/rulebook.js';
import { factsBesideRuleCache } from '../engine/facts-store.js';
import type { CorrelatorOptions } from '../engine/correlation/correlator.js';
import type { HuntInput, HuntWorkers } from './hunt.js';
import type { EventSource } from '../sources/types.js';
import { huntThreads } from './shares.js';
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
   * than one, the workers are started when the inputs are opened, before this thread compiles the
   * rules, so that they build theirs meanwhile; `workers` is then what `hunt` takes. Absent: one thread.
   */
  threads?: number | 'auto';
  /** Facts of rules prepared in earlier runs (engine/facts-store.ts; `factsBesideRuleCache`), or none. */
  facts?: RulebookOptions['facts'];
}

export interface HuntSetup {
  /** The collection's correlations ready to run, or null when it has none that can run. */
  correlation: HuntCorrelation | null;
  /** The rules compiled with the given pipelines only (inputs of a format with its own pipeline get theirs). */
  prepared: PreparedRules;
  inputs: HuntInput[];
  /** Inputs that could not be listed or opened, as `file: reason`. */
  openProblems: string[];
  /** What a worker thread needs to build these same rules (`hunt`'s `workers` option): the collection itself. */
  recipe: HuntRulesRecipe;
  /** The hunt's worker threads, started (see `threads`); undefined: one thread. */
  workers?: HuntWorkers;
}

/** The accepted documents of a collection: all a hunt's rules are made of. */
export type HuntDocuments = Pick<SigmaCollection, 'rules' | 'filters' | 'correlations'>;

/**
 * The rules half of a hunt as plain data, for a worker thread (structured clone): where the rules
 * come from and the options, which `rulesFromRecipe` takes down the same path to the same rule sets,
 * rule for rule in the same order. RE2 is the regex engine in worker threads.
 */
export interface HuntRulesRecipe {
  /**
   * The rule paths, loaded again by the worker (through the rule cache unless `cache` is false; a
   * worker only reads the cache, this thread keeps it), or the accepted documents themselves (a
   * collection that is not only files, or already loaded when the workers start).
   */
  rules: { paths: string[]; cache: boolean } | { documents: HuntDocuments };
  pipelines: ProcessingPipeline[];
  formatPipelines: boolean;
  minLevel?: string;
}

/** The rules half of a hunt, no inputs: also what `quarry serve` runs on a stream (and rebuilds on reload). */
export interface HuntRules {
  book: Rulebook;
  prepared: PreparedRules;
  correlation: HuntCorrelation | null;
}

/** A recipe's rules built, with the fingerprint of the documents they were built from (`documentsFingerprint`). */
export function rulesFromRecipe(recipe: HuntRulesRecipe, regex: RegexFactory): HuntRules & { fingerprint: string } {
  const from = recipe.rules;
  const cache = 'paths' in from && from.cache ? readOnlyRuleCache(from.paths) : null;
  const col: SigmaCollection = 'documents' in from ? { ...emptyCollection(), ...from.documents } : loadSigmaPaths(from.paths, { cache });
  const facts = cache ? factsBesideRuleCache(cache, false) : undefined;
  const rules = setupHuntRules(col, { pipelines: recipe.pipelines, formatPipelines: recipe.formatPipelines, minLevel: recipe.minLevel, regex, ...(facts ? { facts } : {}) });
  return { ...rules, fingerprint: documentsFingerprint(col) };
}

/** The rule cache of these paths as the environment names it, never written (two writers of one store would only waste time). */
function readOnlyRuleCache(paths: string[]): RuleCache | null {
  const dir = ruleCacheDir();
  return dir ? new ReadOnlyRuleCache(dir, paths) : null;
}

class ReadOnlyRuleCache extends RuleCache {
  override save(): void {}
}

/**
 * What a hunt's rules are made of, as one string: every accepted rule, filter and correlation by
 * file, document and text (the pipelines and options travel in the recipe as they are). Equal for
 * two loads of unchanged files; a worker whose fingerprint differs from this thread's is not used.
 */
export function documentsFingerprint(docs: HuntDocuments): string {
  const h = createHash('sha256');
  for (const list of [docs.rules, docs.filters, docs.correlations]) {
    h.update(`${list.length}\n`);
    for (const d of list) h.update(`${d.file}#${d.docIndex}\n${d.source.length}\n`).update(d.source);
  }
  return h.digest('hex').slice(0, 32);
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
    ...(opts.facts ? { facts: opts.facts } : {}),
  });
  return { book, prepared: book.base, correlation };
}

/** A hunt's inputs opened, and its worker threads started when several threads pay (`openHuntInputs`). */
export interface OpenedInputs {
  sources: EventSource[];
  /** Inputs that could not be listed or opened, as `file: reason`. */
  openProblems: string[];
  /** The workers, building their rules from `recipe` (undefined: one thread). */
  workers?: { threads: number; pool: HuntWorkerPool; recipe: HuntRulesRecipe };
}

/**
 * Expands and opens the inputs and, when `threads` asks for several (or 'auto' finds they pay), starts
 * the worker threads on `rules` at once (`quarry hunt` gives its rule paths, before loading them).
 */
export async function openHuntInputs(
  inputPaths: string[],
  opts: Pick<HuntSetupOptions, 'pipelines' | 'formatPipelines' | 'minLevel' | 'logsource' | 'threads'>,
  rules: HuntRulesRecipe['rules'],
): Promise<OpenedInputs> {
  const expanded = await expandInputs(inputPaths, { recursive: true });
  const sources: EventSource[] = [];
  const openProblems: string[] = expanded.problems.map((p) => `${p.location.file}: ${p.message}`);
  for (const file of expanded.files) {
    try {
      sources.push(await openSource(file, { readers: { evtx: evtxReader() } }));
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      openProblems.push(e.message); // it begins with the path
    }
  }
  const threads = opts.threads === undefined ? 1 : huntThreads(opts.threads === 'auto' ? undefined : opts.threads, sources.map((source) => ({ source, logsource: opts.logsource ?? source.logsource })));
  if (threads <= 1) return { sources, openProblems };
  const recipe: HuntRulesRecipe = { rules, pipelines: opts.pipelines, formatPipelines: opts.formatPipelines, ...(opts.minLevel ? { minLevel: opts.minLevel } : {}) };
  return { sources, openProblems, workers: { threads, recipe, pool: new HuntWorkerPool(recipe, threads - 1) } };
}

/**
 * The hunt ready to run: `inputs` as paths (opened here; workers, if any, are given the collection)
 * or as `openHuntInputs` opened them (its workers, started on the rule paths, must arrive at `col`).
 */
export async function setupHunt(col: SigmaCollection, inputs: string[] | OpenedInputs, opts: HuntSetupOptions): Promise<HuntSetup> {
  const documents: HuntDocuments = { rules: col.rules, filters: col.filters, correlations: col.correlations };
  const opened = Array.isArray(inputs) ? await openHuntInputs(inputs, opts, { documents }) : inputs;
  const recipe: HuntRulesRecipe = { rules: { documents }, pipelines: opts.pipelines, formatPipelines: opts.formatPipelines, ...(opts.minLevel ? { minLevel: opts.minLevel } : {}) };
  const w = opened.workers;
  const workers: HuntWorkers | undefined = w ? { threads: w.threads, rules: w.recipe, pool: w.pool, fingerprint: documentsFingerprint(col) } : undefined;
  const { book, prepared, correlation } = setupHuntRules(col, opts);
  const logsourceOf = (source: EventSource) => opts.logsource ?? source.logsource;
  const huntInputs: HuntInput[] = opened.sources.map((source) => ({ source, logsource: logsourceOf(source), set: book.forFormat(source.pipeline).set }));
  return { prepared, inputs: huntInputs, openProblems: opened.openProblems, correlation, recipe, ...(workers ? { workers } : {}) };
}
