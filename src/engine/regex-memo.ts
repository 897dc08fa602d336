// The regular expressions the engine accepted in earlier runs, kept beside the rule cache, so that a
// run meeting them again builds each one's tester when a rule first needs it instead of compiling all
// of them up front only to learn that they compile. Compiling is how a rule with a pattern the engine
// refuses is found before the hunt (rule-set.ts): SigmaHQ's 149 distinct patterns cost RE2 about 25 ms
// of every warm load, for the few dozen a hunt evaluates. A pattern not remembered is compiled at once
// as before (and remembered when accepted), so a refusal is still reported before the hunt. Node only.
//
// Never wrong results: the store is store-file.ts's (atomic, checksummed), stamped with the engine's
// name and version and the engine room's build; one that cannot be used is ignored and every pattern
// compiled. The lazily built tester runs the same engine on the same pattern.
import { join } from 'node:path';
import { buildStamp, COMPACT_PAYLOAD, readStore, writeStore, type StoreStats } from '../sigma/store-file.js';
import { regexKey, type RegexFactory, type RegexFlags, type RegexTester } from './regex.js';

const MAGIC = Buffer.from('QUARRY-REGEX-MEMO-1\n');
/** Patterns kept at most: a long-lived service meeting ever new rules does not grow the store forever. */
export const MAX_REMEMBERED = 20_000;

export interface RegexMemoStats extends StoreStats {
  /** Patterns answered from the memo (their testers built on first use). */
  remembered: number;
  /** Patterns compiled now (not in the memo). */
  compiled: number;
}

/** Where the memo of an engine is kept in a cache folder. */
export function regexMemoFile(cacheDir: string): string {
  return join(cacheDir, 'regex-accepted');
}

/**
 * `regex` remembering the patterns it accepts in the store at `file`, under the engine's name and
 * version `engine`. `write: false` reads the store and never writes it (a hunt's worker threads).
 */
export function rememberingRegex(regex: RegexFactory, file: string, engine: string, opts: { write: boolean }): RegexFactory & { stats: RegexMemoStats } {
  const stats: RegexMemoStats = { state: 'absent', written: false, remembered: 0, compiled: 0 };
  const build = `${engine}\0${buildStamp(['engine'])}`;
  const known = readStore<1>(file, MAGIC, COMPACT_PAYLOAD, build, stats);
  let added = 0;
  const factory = (pattern: string, flags: RegexFlags): RegexTester => {
    const key = regexKey(pattern, flags);
    if (known.has(key)) {
      stats.remembered++;
      let tester: RegexTester | null = null;
      return (text) => (tester ??= regex(pattern, flags))(text);
    }
    stats.compiled++;
    const tester = regex(pattern, flags); // throws for a pattern the engine refuses: not remembered
    if (known.size < MAX_REMEMBERED) {
      known.set(key, 1);
      added++;
    }
    return tester;
  };
  const settle = () => {
    if (!opts.write || added === 0) return;
    added = 0;
    writeStore(file, MAGIC, COMPACT_PAYLOAD, build, known, stats);
  };
  return Object.assign(factory, { settle, stats });
}
