// The rule cache: rule files already parsed and checked, kept between runs so that an unchanged
// corpus loads without YAML parsing (the `yaml` package is most of a cold load). Node only.
//
// One store file per set of rule paths (so `hunt rules/` and `validate rules-threat-hunting/` do not
// evict each other), under $QUARRY_CACHE_DIR, else $XDG_CACHE_HOME/quarry, else ~/.cache/quarry.
// An entry is a file's whole ParsedFile (documents with their text, diagnostics with their
// positions, file warnings) keyed by the file's path and the SHA-256 of its bytes; the store is keyed
// by Quarry's version and a hash of the running parser's own code, so a new build never reads an
// older build's results.
//
// A file whose status (size, modification and change times, inode) is what it was when its bytes
// were hashed is not read again: that is how git's index trusts a checkout, and a third of a warm
// load was reading and hashing files that had not changed. As in git, a status is trusted only when
// the file had been unchanged for a while when it was read (`SETTLED_MS`): a write within the same
// clock tick as the read could otherwise leave the status as it was. Such a file is read and hashed
// again on the next run, and its status kept then.
//
// Never wrong results: the store's file is store-file.ts's (atomic, checksummed, stamped with the
// build); one that cannot be used is ignored and the files parsed again. The YAML trees (`root`) are
// not kept: the linter and the editor parse their own.
import { createHash, hash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ParsedFile } from './collection.js';
import { buildStamp, COMPACT_PAYLOAD, readStore, writeStore, type StoreStats } from './store-file.js';

// 4: statuses kept as numbers (3 kept them as strings; 2 was v8's payload): an older store is corrupt to this build.
const MAGIC = Buffer.from('QUARRY-RULE-CACHE-4\n');
/** How long a file must have been unchanged before its status is trusted to stand for its bytes. */
const SETTLED_MS = 2000;

/**
 * A file's status as the store compares it: any write or replacement of the file changes one of
 * these. Numbers, compared one by one: a string of them made for every file cost ~5 ms of a warm
 * load of the corpus (a fractional time's shortest decimal form is slow to make).
 */
type Status = [size: number, mtimeMs: number, ctimeMs: number, ino: number, dev: number];
/** The bytes' hash, the file's status when they were read (null: changed too recently to trust), the parse. */
type Entry = [hash: string, status: Status | null, parsed: ParsedFile];

export interface RuleCacheStats extends StoreStats {
  hits: number;
  misses: number;
  /** Hits found by the file's status alone, without reading it. */
  unread: number;
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
  readonly stats: RuleCacheStats = { state: 'absent', hits: 0, misses: 0, unread: 0, written: false };
  private readonly storeFile: string;
  /** Names the set of rule paths: other stores kept per set (facts-store.ts) use it too. */
  readonly scope: string;
  private readonly old: Map<string, Entry>;
  private readonly next = new Map<string, Entry>();
  /** Entries whose status was learnt or changed this run: worth writing the store for. */
  private restated = 0;

  /**
   * The store for these rule paths in `dir` (read now; a bad store is ignored). `clock`: the time
   * now, ms (tests move it on rather than wait for files to settle).
   */
  constructor(
    readonly dir: string,
    paths: readonly string[],
    private readonly clock: () => number = Date.now,
  ) {
    this.scope = createHash('sha256').update(JSON.stringify(paths.map((p) => resolve(p)))).digest('hex').slice(0, 32);
    this.storeFile = join(dir, 'rules', `${this.scope}.bin`);
    this.old = this.read();
  }

  /** A hash of a file's bytes: the key its parse is kept under. */
  static hash(bytes: Buffer): string {
    // One call, no Hash object: a corpus is thousands of small files, where the object cost most.
    return hash('sha256', bytes, 'base64');
  }

  /** Whether a kept status is the status `st`. */
  private static holds(kept: Status | null, st: Stats): boolean {
    return kept !== null && kept[0] === st.size && kept[1] === st.mtimeMs && kept[2] === st.ctimeMs && kept[3] === st.ino && kept[4] === st.dev;
  }

  /** The file's parse from the store when its status `st` is the one its bytes were hashed with; `undefined` to read it. */
  unchanged(file: string, st: Stats): ParsedFile | undefined {
    const e = this.old.get(file);
    if (!e || !RuleCache.holds(e[1], st)) return undefined;
    this.stats.hits++;
    this.stats.unread++;
    this.next.set(file, e);
    return e[2];
  }

  /** The file's parse from the store when its bytes (`hash`) are unchanged; `undefined` to parse it. `st`: its status before reading. */
  get(file: string, hash: string, st: Stats): ParsedFile | undefined {
    const e = this.old.get(file);
    if (!e || e[0] !== hash) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    const status = this.settledStatus(st);
    if (status === null ? e[1] !== null : !RuleCache.holds(e[1], st)) this.restated++;
    this.next.set(file, [hash, status, e[2]]);
    return e[2];
  }

  /** A fresh parse of a file read with status `st`, to keep (given without its YAML trees: `withoutTrees`). */
  put(file: string, hash: string, st: Stats, parsed: ParsedFile): void {
    this.next.set(file, [hash, this.settledStatus(st), parsed]);
  }

  /** The hash of a file's bytes when it was loaded through this cache in this run (its key), else undefined. */
  contentHash(file: string): string | undefined {
    return this.next.get(file)?.[0];
  }

  /** Writes the store when anything changed (a file new, changed or gone); never throws. */
  save(): void {
    const changed = this.stats.misses > 0 || this.restated > 0 || this.next.size !== this.old.size || this.stats.state !== 'used';
    if (changed) writeStore(this.storeFile, MAGIC, COMPACT_PAYLOAD, buildStamp(PARSER_ROOMS), this.next, this.stats);
  }

  /** The status to keep for a file read with status `st`: null while it changed too recently to be trusted. */
  private settledStatus(st: Stats): Status | null {
    return this.clock() - Math.max(st.mtimeMs, st.ctimeMs) >= SETTLED_MS ? [st.size, st.mtimeMs, st.ctimeMs, st.ino, st.dev] : null;
  }

  private read(): Map<string, Entry> {
    return readStore(this.storeFile, MAGIC, COMPACT_PAYLOAD, buildStamp(PARSER_ROOMS), this.stats);
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
