// RE2 (linear time, no backtracking) for the `re` modifier in Node.
import { createRequire } from 'node:module';
import type { RegexFactory } from './regex.js';
import { regexMemoFile, rememberingRegex } from './regex-memo.js';

const require = createRequire(import.meta.url);
type RE2Ctor = new (pattern: string, flags?: string) => { test(s: string | Buffer): boolean };
const RE2 = require('re2') as RE2Ctor;

// RE2 reads UTF-8: the binding converts every string it is given (into a Buffer, as Buffer.from
// does, lone surrogates replaced alike), and that costs more than the match itself. The rules of
// an event test the same few fields' text one regex after another, so the last text's UTF-8 form
// is kept here, shared by every regex, and handed over as bytes.
let lastText = '';
let lastBytes = Buffer.alloc(0);

function utf8(text: string): Buffer {
  if (text !== lastText) {
    lastBytes = Buffer.from(text, 'utf8');
    lastText = text;
  }
  return lastBytes;
}

export const re2Regex: RegexFactory = (pattern, flags) => {
  const re = new RE2(pattern, 'u' + (flags.i ? 'i' : '') + (flags.m ? 'm' : '') + (flags.s ? 's' : ''));
  return (text) => re.test(utf8(text));
};

/** RE2's name and version, and the native binding's ABI: what the patterns it accepted depend on. */
const RE2_ENGINE = `re2 ${(require('re2/package.json') as { version: string }).version} abi ${process.versions.modules}`;

const remembering = new Map<string, RegexFactory>();
/**
 * RE2 remembering the patterns it accepted in the cache folder `cacheDir` (regex-memo.ts), one
 * factory per folder in a process; plain `re2Regex` when the cache is off (null). `write: false`
 * never writes the memo (a hunt's worker threads: the main thread writes it).
 */
export function re2RegexCached(cacheDir: string | null, opts: { write: boolean } = { write: true }): RegexFactory {
  if (cacheDir === null) return re2Regex;
  const key = `${opts.write ? 'w' : 'r'}${cacheDir}`;
  let factory = remembering.get(key);
  if (!factory) remembering.set(key, (factory = rememberingRegex(re2Regex, regexMemoFile(cacheDir), RE2_ENGINE, opts)));
  return factory;
}
