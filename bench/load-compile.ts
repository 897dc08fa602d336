// Loading and compiling the whole SigmaHQ corpus, cold (every file parsed) and warm (from the rule
// cache, rule-cache.ts, filled by a first run into a temporary folder): times, rules/s, peak memory.
// Usage: node dist/bench/load-compile.js [SIGMA_DIR]
import { join, resolve } from 'node:path';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadSigmaPaths } from '../src/sigma/load.js';
import { RuleCache } from '../src/sigma/rule-cache.js';
import { builtinPipeline } from '../src/pipeline/builtin.js';
import { prepareRules } from '../src/engine/rulebook.js';
import { re2Regex } from '../src/engine/regex-re2.js';

const base = resolve(process.argv[2] ?? '../shared/data/sigmahq');
const folders = readdirSync(base).filter((f) => f.startsWith('rules') || f === 'deprecated').map((f) => join(base, f));
const windows = builtinPipeline('windows')!;
const cacheDir = mkdtempSync(join(tmpdir(), 'quarry-bench-cache-'));

/** Best of three runs: [load ms, compile ms, rules loaded, rules compiled]. */
function measure(cached: boolean): number[] {
  const runs: number[][] = [];
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    const col = loadSigmaPaths(folders, { cache: cached ? new RuleCache(cacheDir, folders) : null });
    const t1 = performance.now();
    const prepared = prepareRules(col, { pipelines: [windows], regex: re2Regex });
    const t2 = performance.now();
    runs.push([t1 - t0, t2 - t1, col.rules.length, prepared.set.rules.length]);
  }
  return runs.reduce((a, b) => (a[0]! + a[1]! <= b[0]! + b[1]! ? a : b));
}

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
console.log(`corpus: ${base} (${folders.length} folders)`);
const cold = measure(false);
console.log(`cold load+validate: ${cold[2]} rules in ${cold[0]!.toFixed(0)} ms = ${rate(cold[2]!, cold[0]!)} rules/s`);
loadSigmaPaths(folders, { cache: new RuleCache(cacheDir, folders) }); // fills the cache
const warm = measure(true);
console.log(`warm load (rule cache): ${warm[2]} rules in ${warm[0]!.toFixed(0)} ms = ${rate(warm[2]!, warm[0]!)} rules/s`);
console.log(`pipeline+lower+compile: ${cold[3]} rules in ${cold[1]!.toFixed(0)} ms = ${rate(cold[3]!, cold[1]!)} rules/s`);
const target = (ms: number, limit: number) => `${ms.toFixed(0)} ms, target < ${limit} ms: ${ms < limit ? 'met' : 'NOT met'}`;
console.log(`load+compile cold: ${target(cold[0]! + cold[1]!, 1500)}`);
console.log(`load+compile warm: ${target(warm[0]! + warm[1]!, 500)}`);
console.log(`load alone warm: ${target(warm[0]!, 500)}`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
rmSync(cacheDir, { recursive: true, force: true });
