// The rule cache: rule files already parsed and checked, kept between runs so that an unchanged
// corpus loads without YAML parsing (the `yaml` package is most of a cold load). Node only.
//
// One store file per set of rule paths (so `hunt rules/` and `validate rules-threat-hunting/` do not
// evict each other), under $QUARRY_CACHE_DIR, else $XDG_CACHE_HOME/quarry, else ~/.cache/quarry.
// An entry is a file's whole ParsedFile (documents, diagnostics with their positions, file warnings)
// keyed by the file's path and the SHA-256 of its bytes; the store is keyed by Quarry's version and a
// hash of the running parser's own code, so a new build never reads an older build's results.
//
// Never wrong results: the store's file is store-file.ts's (atomic, checksummed, stamped with the
// build); one that cannot be used is ignored and the files parsed again. The YAML trees (`root`) are
// not kept: the linter and the editor parse their own.
import { createHash, hash } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ParsedFile } from './collection.js';
import { buildStamp, readStore, writeStore, type StoreStats } from './store-file.js';

const MAGIC = Buffer.from('QUARRY-RULE-CACHE-1\n');
/** Kept in place of a document's `source` when it is the whole file's text (read anyway, to hash it): a quarter of the store. */
const WHOLE_FILE = '\u0000whole file';

export interface RuleCacheStats extends StoreStats {
  hits: number;
  misses: number;
}

/** The cache folder the environment names, or null when the cache is turned off (QUARRY_CACHE=off). */
export function ruleCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (/^(off|0|no|false)$/i.test(env.QUARRY_CACHE ?? '')) return null;
  if (env.QUARRY_CACHE_DIR) return resolve(env.QUARRY_CACHE_DIR);
  const base = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(base, 'quarry');
}

/** The parser's build: the sigma room imports nothing else of ours. */
const PARSER_ROOMS = ['sigma'];

export class RuleCache {
  readonly stats: RuleCacheStats = { state: 'absent', hits: 0, misses: 0, written: false };
  private readonly storeFile: string;
  private readonly old: Map<string, [string, ParsedFile]>;
  private readonly next = new Map<string, [string, ParsedFile]>();

  /** The store for these rule paths in `dir` (read now; a bad store is ignored). */
  constructor(dir: string, paths: readonly string[]) {
    const key = createHash('sha256').update(JSON.stringify(paths.map((p) => resolve(p)))).digest('hex').slice(0, 32);
    this.storeFile = join(dir, 'rules', `${key}.bin`);
    this.old = this.read();
  }

  /** A hash of a file's bytes: the key its parse is kept under. */
  static hash(bytes: Buffer): string {
    // One call, no Hash object: a corpus is thousands of small files, where the object cost most.
    return hash('sha256', bytes, 'base64');
  }

  /** The file's parse from the store when its bytes (`hash`, `text`) are unchanged; `undefined` to parse it. */
  get(file: string, hash: string, text: string): ParsedFile | undefined {
    const e = this.old.get(file);
    if (!e || e[0] !== hash) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    this.next.set(file, e);
    const parsed = e[1];
    return { ...parsed, documents: parsed.documents.map((d) => (d.document?.source === WHOLE_FILE ? { ...d, document: { ...d.document, source: text } } : d)) };
  }

  /** A fresh parse of `text`, to keep (without its YAML trees, and without the text itself). */
  put(file: string, hash: string, text: string, parsed: ParsedFile): void {
    const documents = parsed.documents.map(({ root: _root, ...d }) => (d.document?.source === text ? { ...d, document: { ...d.document, source: WHOLE_FILE } } : d));
    this.next.set(file, [hash, { ...parsed, documents }]);
  }

  /** Writes the store when anything changed (a file new, changed or gone); never throws. */
  save(): void {
    const changed = this.stats.misses > 0 || this.next.size !== this.old.size || this.stats.state !== 'used';
    if (changed) writeStore(this.storeFile, MAGIC, buildStamp(PARSER_ROOMS), this.next, this.stats);
  }

  private read(): Map<string, [string, ParsedFile]> {
    return readStore(this.storeFile, MAGIC, buildStamp(PARSER_ROOMS), this.stats);
  }

  /** Where the store is (tests corrupt it on purpose). */
  get path(): string {
    return this.storeFile;
  }
}

/** The cache for these rule paths as the environment configures it, or null when turned off. */
export function openRuleCache(paths: readonly string[], env: NodeJS.ProcessEnv = process.env): RuleCache | null {
  const dir = ruleCacheDir(env);
  return dir ? new RuleCache(dir, paths) : null;
}
