// The rule cache: rule files already parsed and checked, kept between runs so that an unchanged
// corpus loads without YAML parsing (the `yaml` package is most of a cold load). Node only.
//
// One store file per set of rule paths (so `hunt rules/` and `validate rules-threat-hunting/` do not
// evict each other), under $QUARRY_CACHE_DIR, else $XDG_CACHE_HOME/quarry, else ~/.cache/quarry.
// An entry is a file's whole ParsedFile (documents, diagnostics with their positions, file warnings)
// keyed by the file's path and the SHA-256 of its bytes; the store is keyed by Quarry's version and a
// hash of the running parser's own code, so a new build never reads an older build's results.
//
// Never wrong results: the store is written to a temporary file and renamed into place (a reader sees
// an old store or a new one, never half of one; two processes writing at once each rename a whole
// store, the last one stays); it carries a SHA-256 of its payload, and a store that is short, altered,
// of another format or unreadable is ignored and the files parsed again. The YAML trees (`root`) are
// not kept: the linter and the editor parse their own.
import { createHash, hash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { ParsedFile } from './collection.js';

const MAGIC = Buffer.from('QUARRY-RULE-CACHE-1\n');
const DIGEST_BYTES = 32;
/** Kept in place of a document's `source` when it is the whole file's text (read anyway, to hash it): a quarter of the store. */
const WHOLE_FILE = '\u0000whole file';

/** Why a store was not used, for tests and the bench; a cache miss is never an error to the user. */
export type CacheState = 'off' | 'absent' | 'used' | 'corrupt' | 'other-build';

export interface RuleCacheStats {
  state: CacheState;
  hits: number;
  misses: number;
  /** Whether the store was written at the end (something changed) and, if that failed, why. */
  written: boolean;
  writeError?: string;
}

/** The cache folder the environment names, or null when the cache is turned off (QUARRY_CACHE=off). */
export function ruleCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (/^(off|0|no|false)$/i.test(env.QUARRY_CACHE ?? '')) return null;
  if (env.QUARRY_CACHE_DIR) return resolve(env.QUARRY_CACHE_DIR);
  const base = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(base, 'quarry');
}

let buildKey: string | undefined;
/**
 * Quarry's version and a hash of this folder's compiled code (the whole parser: the sigma room imports
 * nothing else of ours), so that rebuilding the parser, even at the same version, empties the cache.
 */
function currentBuild(): string {
  if (buildKey) return buildKey;
  const here = dirname(fileURLToPath(import.meta.url));
  const h = createHash('sha256');
  try {
    h.update(JSON.parse(readFileSync(join(here, '..', '..', '..', 'package.json'), 'utf8')).version ?? '');
  } catch {
    h.update('no package.json');
  }
  for (const f of readdirSync(here).filter((f) => f.endsWith('.js')).sort()) h.update(f).update(readFileSync(join(here, f)));
  h.update(process.versions.v8); // the serialisation format
  buildKey = h.digest('hex');
  return buildKey;
}

interface Store {
  build: string;
  /** file path → [SHA-256 of its bytes, what parsing it gave] */
  entries: Map<string, [string, ParsedFile]>;
}

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
    if (!changed) return;
    const tmp = `${this.storeFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const payload = serialize({ build: currentBuild(), entries: this.next } satisfies Store);
      const digest = createHash('sha256').update(payload).digest();
      mkdirSync(dirname(this.storeFile), { recursive: true });
      writeFileSync(tmp, Buffer.concat([MAGIC, digest, payload]));
      renameSync(tmp, this.storeFile);
      this.stats.written = true;
    } catch (e) {
      this.stats.writeError = (e as Error).message;
      try {
        rmSync(tmp, { force: true });
      } catch {
        // The folder itself is unusable: there is no temporary file to remove.
      }
    }
  }

  private read(): Map<string, [string, ParsedFile]> {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.storeFile);
    } catch {
      return new Map(); // absent (or unreadable: the same to us)
    }
    const head = MAGIC.length + DIGEST_BYTES;
    const fail = (state: CacheState) => ((this.stats.state = state), new Map<string, [string, ParsedFile]>());
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
