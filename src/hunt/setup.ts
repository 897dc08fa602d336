// Everything a hunt needs before its loop: rules compiled per input format pipeline, inputs
// expanded and opened. Shared by `quarry hunt` and the explorer's demo hunt, so both find the
// same detections in the same logs.
import type { SigmaCollection } from '../sigma/load.js';
import type { LogSource } from '../sigma/model.js';
import type { ProcessingPipeline } from '../pipeline/types.js';
import { builtinPipeline } from '../pipeline/builtin.js';
import type { RegexFactory } from '../engine/regex.js';
import { openSource, expandInputs, SourceError } from '../sources/open-source.js';
import { openEvtxSource } from '../sources/evtx-source.js';
import { createRulebook, type PreparedRules, type Rulebook } from '../engine/rulebook.js';
import type { CorrelatorOptions } from '../engine/correlation/correlator.js';
import type { HuntInput } from './hunt.js';
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
  /** EVTX parsing threads. */
  workers?: number;
}

export interface HuntSetup {
  /** The collection's correlations ready to run, or null when it has none that can run. */
  correlation: HuntCorrelation | null;
  /** The rules compiled with the given pipelines only (inputs of a format with its own pipeline get theirs). */
  prepared: PreparedRules;
  inputs: HuntInput[];
  /** Inputs that could not be listed or opened, as `file: reason`. */
  openProblems: string[];
}

/** The rules half of a hunt, no inputs: also what `quarry serve` runs on a stream (and rebuilds on reload). */
export interface HuntRules {
  book: Rulebook;
  prepared: PreparedRules;
  correlation: HuntCorrelation | null;
}

export function setupHuntRules(col: SigmaCollection, opts: Omit<HuntSetupOptions, 'logsource' | 'workers'> & { correlator?: CorrelatorOptions }): HuntRules {
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

export async function setupHunt(col: SigmaCollection, inputPaths: string[], opts: HuntSetupOptions): Promise<HuntSetup> {
  const { book, prepared, correlation } = setupHuntRules(col, opts);
  const expanded = await expandInputs(inputPaths, { recursive: true });
  const inputs: HuntInput[] = [];
  const openProblems: string[] = expanded.problems.map((p) => `${p.location.file}: ${p.message}`);
  for (const file of expanded.files) {
    try {
      const source = await openSource(file, { readers: { evtx: (p) => openEvtxSource(p, { workers: opts.workers }) } });
      inputs.push({ source, logsource: opts.logsource ?? source.logsource, set: book.forFormat(source.pipeline).set });
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      openProblems.push(`${file}: ${e.message}`);
    }
  }
  return { prepared, inputs, openProblems, correlation };
}
