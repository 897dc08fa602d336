// RE2 (linear time, no backtracking) for the `re` modifier in Node.
import { createRequire } from 'node:module';
import type { RegexFactory } from './regex.js';

const require = createRequire(import.meta.url);
type RE2Ctor = new (pattern: string, flags?: string) => { test(s: string): boolean };
const RE2 = require('re2') as RE2Ctor;

export const re2Regex: RegexFactory = (pattern, flags) => {
  const re = new RE2(pattern, 'u' + (flags.i ? 'i' : '') + (flags.m ? 'm' : '') + (flags.s ? 's' : ''));
  return (text) => re.test(text);
};
