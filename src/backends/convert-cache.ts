// The conversion cache: each rule's conversion result (its query and notes, or why it has none)
// kept between runs of `quarry convert`, so that a rule unchanged since the last run with the same
// target and pipelines is not taken through pipelines, lowering and rendering again. Node only.
//
// One store file per target, pipelines and Sigma filters (their whole content, not their names: an
// edited pipeline file is another store), in the rule cache's folder (sigma/rule-cache.ts says where)
// under convert/. An entry is keyed by the SHA-256 of the rule's file, its place in the file and its
// YAML text, which is all a rule is made from. The store is stamped with Quarry's version and a hash
// of the compiled code of every room a conversion runs through (sigma, pipeline, ir, backends), so a
// new build never reads an older build's results. Correlation rules are converted afresh each run.
//
// Never wrong results: the store's file is sigma/store-file.ts's (atomic, checksummed, stamped with
// the build); one that cannot be used is ignored and the rules converted again. Entries of rules not
// met in a run are dropped when it writes the store.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { SigmaFilter, SigmaRule } from '../sigma/model.js';
import type { ProcessingPipeline } from '../pipeline/types.js';
import { ruleCacheDir } from '../sigma/rule-cache.js';
import { buildStamp, readStore, V8_PAYLOAD, writeStore, type StoreStats } from '../sigma/store-file.js';
import type { ResultCache } from './common/convert.js';
import type { Backend, ConversionResult } from './common/types.js';

const MAGIC = Buffer.from('QUARRY-CONVERT-CACHE-1\n');
/** The rooms whose compiled code decides a conversion's result. */
const CONVERSION_ROOMS = ['sigma', 'pipeline', 'ir', 'backends'];

/** What a rule is made from: its file, its place there and its text (with the build, its parse). */
function ruleKey(rule: SigmaRule): string {
  return createHash('sha256').update(`${rule.file}\0${rule.docIndex}\0${rule.pos.line}:${rule.pos.col}\0${rule.source}`).digest('base64');
}

export class ConvertCache implements ResultCache {
  readonly stats: StoreStats & { hits: number; misses: number } = { state: 'absent', hits: 0, misses: 0, written: false };
  private readonly storeFile: string;
  private readonly old: Map<string, ConversionResult>;
  private readonly next = new Map<string, ConversionResult>();
  private readonly keys = new WeakMap<SigmaRule, string>();

  /** The store of conversions with this scope (target, pipelines, filters) in `dir`, read now. */
  constructor(dir: string, scope: string) {
    this.storeFile = join(dir, 'convert', `${createHash('sha256').update(scope).digest('hex').slice(0, 32)}.bin`);
    this.old = this.read();
  }

  lookup(rule: SigmaRule): ConversionResult | undefined {
    const key = ruleKey(rule);
    this.keys.set(rule, key);
    const hit = this.old.get(key);
    if (!hit) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    this.next.set(key, hit);
    return hit;
  }

  keep(rule: SigmaRule, result: ConversionResult): void {
    this.next.set(this.keys.get(rule) ?? ruleKey(rule), result);
  }

  /** Writes the store when anything changed (a rule new, changed or gone); never throws. */
  save(): void {
    if (this.stats.misses === 0 && this.next.size === this.old.size && this.stats.state === 'used') return;
    writeStore(this.storeFile, MAGIC, V8_PAYLOAD, buildStamp(CONVERSION_ROOMS), this.next, this.stats);
  }

  /** Where the store is (tests alter it on purpose). */
  get path(): string {
    return this.storeFile;
  }

  private read(): Map<string, ConversionResult> {
    return readStore(this.storeFile, MAGIC, V8_PAYLOAD, buildStamp(CONVERSION_ROOMS), this.stats);
  }
}

/**
 * The conversion cache for this target, these pipelines and filters as the environment configures
 * it: null when the rule cache is off (QUARRY_CACHE=off) or QUARRY_CONVERT_CACHE=off.
 */
export function openConvertCache(
  target: string,
  backend: Backend,
  pipelines: readonly ProcessingPipeline[],
  filters: readonly SigmaFilter[],
  env: NodeJS.ProcessEnv = process.env,
): ConvertCache | null {
  const dir = ruleCacheDir(env);
  if (!dir || /^(off|0|no|false)$/i.test(env.QUARRY_CONVERT_CACHE ?? '')) return null;
  // The pipelines as parsed (plain data from their YAML: a pipeline file's content, exactly), and the
  // filters' text: filters change the rules they name.
  const scope = JSON.stringify({ target, backend: backend.target, pipelines, filters: filters.map((f) => [f.file, f.docIndex, f.pos, f.source]) });
  return new ConvertCache(dir, scope);
}
