// The facts of rules already prepared (rule-facts.ts), kept beside the rule cache, so that a run over
// unchanged rules with the same pipelines neither takes every rule down the pipelines and lowering
// nor walks every IR before the first event: the rule set is built from the facts, and a rule's IR
// is made when the rule is first evaluated or shown. For SigmaHQ's corpus under the `windows`
// pipeline that was three fifths of a warm load (pipelines, lowering and the walks over the IR),
// where a hunt then evaluates a few hundred of the rules.
//
// A rule's facts are kept under its file's path, the SHA-256 of the file's bytes (the rule cache's
// key for the file's parse) and its document's index, in a store per set of rule paths and
// pipelines (their content, as JSON): the same bytes through the same pipelines make the same IR.
// The store is stamped with the build of every room on the rule's path (sigma, pipeline, ir,
// engine), so a new build never reads an older build's facts. Rules that Sigma filters or
// correlations change on the way (rulebook.ts) are prepared in full and not kept.
//
// Never wrong results: the store is store-file.ts's (atomic, checksummed); one that cannot be used
// is ignored and every rule prepared in full. Node only.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ProcessingPipeline } from '../pipeline/types.js';
import type { SigmaRule } from '../sigma/model.js';
import type { RuleCache } from '../sigma/rule-cache.js';
import { buildStamp, COMPACT_PAYLOAD, readStore, writeStore, type StoreStats } from '../sigma/store-file.js';
import type { KeptFacts, RuleFacts } from './rule-facts.js';

// 2: facts carry the rule's file and document index (1 did not): an older store is corrupt to this build.
const MAGIC = Buffer.from('QUARRY-RULE-FACTS-2\n');
/** Every room a rule's IR and facts are made by. */
const PATH_ROOMS = ['sigma', 'pipeline', 'ir', 'engine'];

export interface FactsStoreStats extends StoreStats {
  /** Rules whose facts came from the store. */
  hits: number;
  /** Rules prepared in full whose facts were then kept. */
  misses: number;
}

/** Where a rule's file stands: its content hash, known when the file came through the rule cache. */
export type ContentHash = (file: string) => string | undefined;

export interface FactsStoreOptions {
  /** The cache folder. */
  dir: string;
  /** Names the set of rule paths (the rule cache's own key for them). */
  scope: string;
  contentHash: ContentHash;
  /** false: read only (a hunt's worker threads; the main thread writes). */
  write: boolean;
}

export class FactsStore implements KeptFacts {
  readonly stats: FactsStoreStats = { state: 'absent', written: false, hits: 0, misses: 0 };
  private readonly file: string;
  private readonly old: Map<string, RuleFacts>;
  private readonly next = new Map<string, RuleFacts>();

  private constructor(
    private readonly opts: FactsStoreOptions,
    fingerprint: string,
  ) {
    const key = createHash('sha256').update(opts.scope).update('\0').update(fingerprint).digest('hex').slice(0, 32);
    this.file = join(opts.dir, 'facts', `${key}.bin`);
    this.old = readStore<RuleFacts>(this.file, MAGIC, COMPACT_PAYLOAD, buildStamp(PATH_ROOMS), this.stats);
  }

  /** The store of these pipelines, or null when they cannot be told apart by their content (see `pipelinesFingerprint`). */
  static open(pipelines: readonly ProcessingPipeline[], opts: FactsStoreOptions): FactsStore | null {
    const fingerprint = pipelinesFingerprint(pipelines);
    return fingerprint === null ? null : new FactsStore(opts, fingerprint);
  }

  /** The rule's kept facts, or undefined (then prepare it and `put` them). */
  get(rule: SigmaRule): RuleFacts | undefined {
    const key = this.keyOf(rule);
    const facts = key === null ? undefined : this.old.get(key);
    if (facts === undefined) return undefined;
    this.stats.hits++;
    this.next.set(key!, facts);
    return facts;
  }

  put(rule: SigmaRule, facts: RuleFacts): void {
    const key = this.keyOf(rule);
    if (key === null) return;
    this.stats.misses++;
    this.next.set(key, facts);
  }

  /** Writes the store when it is writable and anything changed (a rule new, changed or gone); never throws. */
  save(): void {
    if (!this.opts.write) return;
    const changed = this.stats.misses > 0 || this.next.size !== this.old.size || this.stats.state !== 'used';
    if (changed) writeStore(this.file, MAGIC, COMPACT_PAYLOAD, buildStamp(PATH_ROOMS), this.next, this.stats);
  }

  private keyOf(rule: SigmaRule): string | null {
    const hash = this.opts.contentHash(rule.file);
    return hash === undefined ? null : `${rule.file}\0${hash}\0${rule.docIndex}`;
  }

  /** Where the store is (tests corrupt it on purpose). */
  get path(): string {
    return this.file;
  }
}

/**
 * The pipelines' content as one string (JSON of their names, priorities, variables and items as
 * written), or null when one holds something JSON would not tell apart (a function, a class
 * instance): then no store is used.
 */
export function pipelinesFingerprint(pipelines: readonly ProcessingPipeline[]): string | null {
  try {
    return JSON.stringify(pipelines, (_key, value: unknown) => {
      if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') throw new Error('not plain data');
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) throw new Error('not plain data');
      }
      return value;
    });
  } catch {
    return null;
  }
}

/** The facts stores of the rules loaded through `cache` (one per set of pipelines); `write: false` reads only. */
export function factsBesideRuleCache(cache: RuleCache, write: boolean): (pipelines: readonly ProcessingPipeline[]) => FactsStore | null {
  return (pipelines) => FactsStore.open(pipelines, { dir: cache.dir, scope: cache.scope, contentHash: (file) => cache.contentHash(file), write });
}
