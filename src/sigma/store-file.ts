// One file of kept results (the rule cache's parses, the conversion cache's queries): a map written
// whole and read whole, never wrong. Written to a temporary file and renamed into place, a reader sees
// an old store or a new one, never half of one (two processes writing at once each rename a whole
// store; the last one stays). The file is a format line, a SHA-256 of the payload and the payload
// (the build stamp and the map, in the caller's payload format): a store that is short, altered, of
// another format or of another build is ignored, so the caller makes its results afresh. Node only.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { decodeStore, encodeStore } from './store-codec.js';

/** How a store's payload is written and read back; decode throws on bytes encode did not write. */
export interface PayloadFormat {
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}
/**
 * v8's own serialization: any value Node can clone. The conversion cache's: its store is small (2.7 MB
 * for SigmaHQ's rules/ to KQL, 3,141 results of a few objects and a long query each) and v8 reads it
 * faster than store-codec.ts: 6.5 ms against 9.9 after the rule store was read (as in `quarry convert`).
 */
export const V8_PAYLOAD: PayloadFormat = { encode: serialize, decode: deserialize };
/** store-codec.ts's format: plain data only, read back with ~1.5× less CPU than v8's (the rule cache's parses). */
export const COMPACT_PAYLOAD: PayloadFormat = { encode: encodeStore, decode: decodeStore };

/**
 * Whether a store was used, or why not (tests and the benches read it; a miss is never an error to
 * the user). `off`: the cache is turned off and no store is opened.
 */
export type StoreState = 'off' | 'absent' | 'used' | 'corrupt' | 'other-build';

export interface StoreStats {
  state: StoreState;
  /** Whether the store was written and, if that failed, why. */
  written: boolean;
  writeError?: string;
}

const DIGEST_BYTES = 32;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

const stamps = new Map<string, string>();
/**
 * A hash of Quarry's version and of the compiled files of `rooms` (folders of `src/`), so that a
 * rebuild of the code a result is made by, even at the same version, empties the stores of such results.
 * Each file counts by its name, size and modification time, not its bytes: a build rewrites every
 * file it changes (a new time), and reading and hashing the code cost every command 12 ms for the
 * rule cache alone. An installed package has npm's one fixed time on every file, but then its
 * version, which is hashed too, differs from any other build's.
 */
export function buildStamp(rooms: readonly string[]): string {
  const key = rooms.join(',');
  let stamp = stamps.get(key);
  if (!stamp) stamps.set(key, (stamp = codeStamp(join(dirname(fileURLToPath(import.meta.url)), '..'), rooms)));
  return stamp;
}

/** buildStamp's hash for the compiled code under `src` (the `dist/src` folder, beside `../../package.json`). */
export function codeStamp(src: string, rooms: readonly string[]): string {
  const h = createHash('sha256');
  try {
    h.update(JSON.parse(readFileSync(join(src, '..', '..', 'package.json'), 'utf8')).version ?? '');
  } catch {
    h.update('no package.json');
  }
  for (const room of rooms) {
    const files = jsFilesUnder(join(src, room)).sort();
    for (const f of files) {
      const st = statSync(join(src, room, f));
      h.update(`${room}/${f}\0${st.size}\0${st.mtimeMs}\0`);
    }
  }
  h.update(process.versions.v8); // the serialisation format
  return h.digest('hex');
}

/** The `.js` files under a folder, as paths relative to it. Node 20's `readdirSync(…, { recursive: true })` took 7 ms for one folder. */
function jsFilesUnder(dir: string, prefix = '', out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) jsFilesUnder(join(dir, e.name), `${prefix}${e.name}/`, out);
    else if (e.name.endsWith('.js')) out.push(prefix + e.name);
  }
  return out;
}

/**
 * The store at `file` in the format `magic` (whose payload is in `format`) of `build`; empty, and
 * `stats.state` says why, when it cannot be used.
 */
export function readStore<V>(file: string, magic: Buffer, format: PayloadFormat, build: string, stats: StoreStats): Map<string, V> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return new Map(); // absent (or unreadable: the same to us)
  }
  const fail = (state: StoreState) => ((stats.state = state), new Map<string, V>());
  const head = magic.length + DIGEST_BYTES;
  if (bytes.length < head || !bytes.subarray(0, magic.length).equals(magic)) return fail('corrupt');
  const payload = bytes.subarray(head);
  if (!sha256(payload).equals(bytes.subarray(magic.length, head))) return fail('corrupt');
  let store: { build?: unknown; entries?: unknown };
  try {
    store = format.decode(payload) as typeof store;
  } catch {
    return fail('corrupt');
  }
  if (!store || typeof store !== 'object' || !(store.entries instanceof Map)) return fail('corrupt');
  if (store.build !== build) return fail('other-build');
  stats.state = 'used';
  markUsed(file);
  return store.entries as Map<string, V>;
}

// A cache folder of stores (one per set of rule paths, of pipelines, of targets) would grow with
// every new set for ever: each write keeps the stores used most recently and removes the rest. A
// store's modification time is when it was last written or used (markUsed), so a store read every
// day is never removed however old its content. Removing a store another process is reading is safe
// (an open file stays readable); one removed before it is opened is absent to that process, which
// then makes its results afresh.
/** Stores kept in one folder, the most recently used. */
export const STORES_KEPT = 32;
/** A store unused for this long is removed whatever the count. */
export const STORE_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
/** A temporary file this old was left by a process that died while writing it. */
const TMP_MAX_AGE_MS = 3600 * 1000;
/** Stores are files named so (the regex memo's single file beside the folders is not one of them). */
const STORE_FILE = /\.bin$/;

/** Marks a store as used now (its modification time); a folder that cannot be written is no error. */
function markUsed(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // a read-only cache: the store is used all the same, only not remembered as such
  }
}

/**
 * Removes from `file`'s folder the stores beyond the STORES_KEPT most recently used, those unused
 * for STORE_MAX_AGE_MS, and temporary files left by writers that died; never `file` itself, never
 * throws. Only for stores named `*.bin`.
 */
function pruneStores(file: string): void {
  const now = Date.now();
  if (!STORE_FILE.test(file)) return;
  const dir = dirname(file);
  try {
    const stores: Array<{ path: string; used: number }> = [];
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (path === file) continue;
      const used = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
      if (used === undefined) continue; // removed meanwhile
      if (name.endsWith('.tmp')) {
        if (now - used > TMP_MAX_AGE_MS) rmSync(path, { force: true });
      } else if (STORE_FILE.test(name)) stores.push({ path, used });
    }
    stores.sort((a, b) => b.used - a.used);
    stores.forEach((s, i) => {
      if (i >= STORES_KEPT - 1 || now - s.used > STORE_MAX_AGE_MS) rmSync(s.path, { force: true });
    });
  } catch {
    // an unreadable folder or a file that cannot be removed: kept, and tried again at the next write
  }
}

/**
 * Writes `entries` as the store at `file`; never throws (`stats.writeError` says why it could not, e.g.
 * a value `format` cannot encode: then nothing is written and the store stays as it was).
 */
export function writeStore<V>(file: string, magic: Buffer, format: PayloadFormat, build: string, entries: Map<string, V>, stats: StoreStats): void {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const payload = format.encode({ build, entries });
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, Buffer.concat([magic, sha256(payload), payload]));
    renameSync(tmp, file);
    stats.written = true;
    pruneStores(file);
  } catch (e) {
    stats.writeError = (e as Error).message;
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The folder itself is unusable: there is no temporary file to remove.
    }
  }
}
