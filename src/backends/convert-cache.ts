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
// Never wrong results: the store is written to a temporary file and renamed into place (a reader sees
// an old store or a new one, never half of one); it carries a SHA-256 of its payload, and a store
// that is short, altered, of another format or of another build is ignored and the rules converted
// again. Entries of rules not met in a run are dropped when it writes the store.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { SigmaFilter, SigmaRule } from '../sigma/model.js';
import type { ProcessingPipeline } from '../pipeline/types.js';
import { ruleCacheDir } from '../sigma/rule-cache.js';
import type { ResultCache } from './common/convert.js';
import type { Backend, ConversionResult } from './common/types.js';

const MAGIC = Buffer.from('QUARRY-CONVERT-CACHE-1\n');
const DIGEST_BYTES = 32;

/** Why a store was not used (tests and the bench read it); a miss is never an error to the user. */
export type ConvertCacheState = 'absent' | 'used' | 'corrupt' | 'other-build';

interface Store {
  build: string;
  entries: Map<string, ConversionResult>;
}

/** The rooms whose compiled code decides a conversion's result. */
const CONVERSION_ROOMS = ['sigma', 'pipeline', 'ir', 'backends'];

let buildKey: string | undefined;
function currentBuild(): string {
  if (buildKey) return buildKey;
  const src = join(dirname(fileURLToPath(import.meta.url)), '..');
  const h = createHash('sha256');
  try {
    h.update(JSON.parse(readFileSync(join(src, '..', '..', 'package.json'), 'utf8')).version ?? '');
  } catch {
    h.update('no package.json');
  }
  for (const room of CONVERSION_ROOMS) {
    const files = (readdirSync(join(src, room), { recursive: true }) as string[]).filter((f) => f.endsWith('.js')).sort();
    for (const f of files) h.update(`${room}/${f}`).update(readFileSync(join(src, room, f)));
  }
  h.update(process.versions.v8); // the serialisation format
  buildKey = h.digest('hex');
  return buildKey;
}

/** What a rule is made from: its file, its place there and its text (with the build, its parse). */
function ruleKey(rule: SigmaRule): string {
  return createHash('sha256').update(`${rule.file}\0${rule.docIndex}\0${rule.pos.line}:${rule.pos.col}\0${rule.source}`).digest('base64');
}

export class ConvertCache implements ResultCache {
  readonly stats: { state: ConvertCacheState; hits: number; misses: number; written: boolean; writeError?: string } = { state: 'absent', hits: 0, misses: 0, written: false };
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
    const tmp = `${this.storeFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const payload = serialize({ build: currentBuild(), entries: this.next } satisfies Store);
      mkdirSync(dirname(this.storeFile), { recursive: true });
      writeFileSync(tmp, Buffer.concat([MAGIC, createHash('sha256').update(payload).digest(), payload]));
      renameSync(tmp, this.storeFile);
      this.stats.written = true;
    } catch (e) {
      this.stats.writeError = (e as Error).message;
      rmSync(tmp, { force: true });
    }
  }

  /** Where the store is (tests alter it on purpose). */
  get path(): string {
    return this.storeFile;
  }

  private read(): Map<string, ConversionResult> {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.storeFile);
    } catch {
      return new Map(); // absent (or unreadable: the same to us)
    }
    const fail = (state: ConvertCacheState) => ((this.stats.state = state), new Map<string, ConversionResult>());
    const head = MAGIC.length + DIGEST_BYTES;
    if (bytes.length < head || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return fail('corrupt');
    const payload = bytes.subarray(head);
    if (!createHash('sha256').update(payload).digest().equals(bytes.subarray(MAGIC.length, head))) return fail('corrupt');
    let store: Store;
    try {
      store = deserialize(payload) as Store;
    } catch {
      return fail('corrupt');
    }
    if (!store || typeof store !== 'object' || !(store.entries instanceof Map)) return fail('corrupt');
    if (store.build !== currentBuild()) return fail('other-build');
    this.stats.state = 'used';
    return store.entries;
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
