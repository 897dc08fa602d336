// `--no-cache`, the one option of every command that loads rule folders (validate, hunt, convert,
// stack, serve): the rule cache (sigma/rule-cache.ts) is on unless this option or QUARRY_CACHE=off
// turns it off.
import { openRuleCache } from '../sigma/rule-cache.js';
import type { LoadOptions } from '../sigma/load.js';

export const NO_CACHE_OPTION = { 'no-cache': { type: 'boolean', default: false } } as const;

/** The option's help, its text starting at column `width` like the command's other options. */
export function noCacheHelp(width: number): string {
  const pad = ' '.repeat(width);
  return `${'  --no-cache'.padEnd(width)}parse every rule file (by default parses are kept in $XDG_CACHE_HOME/quarry
${pad}or ~/.cache/quarry and reused while a file's bytes are unchanged; QUARRY_CACHE=off
${pad}or QUARRY_CACHE_DIR=DIR set this for every command)
`;
}

/** How to load these rule paths: with the cache the environment names, unless `--no-cache`. */
export function ruleLoadOptions(noCache: boolean | undefined, paths: readonly string[]): LoadOptions {
  return { cache: noCache ? null : openRuleCache(paths) };
}
