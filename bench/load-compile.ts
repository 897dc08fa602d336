// Loading and compiling the whole SigmaHQ corpus: rules/s and peak memory.
// Usage: node dist/bench/load-compile.js [SIGMA_DIR]
import { join, resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { loadSigmaPaths } from '../src/sigma/load.js';
import { builtinPipeline } from '../src/pipeline/builtin.js';
import { prepareRules } from '../src/engine/rulebook.js';
import { re2Regex } from '../src/engine/regex-re2.js';

const base = resolve(process.argv[2] ?? '../shared/data/sigmahq');
const folders = readdirSync(base).filter((f) => f.startsWith('rules') || f === 'deprecated').map((f) => join(base, f));
const windows = builtinPipeline('windows')!;

const runs: number[][] = [];
for (let run = 0; run < 3; run++) {
  const t0 = performance.now();
  const col = loadSigmaPaths(folders);
  const t1 = performance.now();
  const prepared = prepareRules(col, { pipelines: [windows], regex: re2Regex });
  const t2 = performance.now();
  runs.push([t1 - t0, t2 - t1, col.rules.length, prepared.set.rules.length]);
}
const best = runs.reduce((a, b) => (a[0]! + a[1]! <= b[0]! + b[1]! ? a : b));
const [load, compile, loaded, compiled] = best as [number, number, number, number];
console.log(`corpus: ${base} (${folders.length} folders)`);
console.log(`load+validate: ${loaded} rules in ${load.toFixed(0)} ms = ${Math.round((loaded / load) * 1000)} rules/s`);
console.log(`pipeline+lower+compile: ${compiled} rules in ${compile.toFixed(0)} ms = ${Math.round((compiled / compile) * 1000)} rules/s`);
console.log(`total: ${(load + compile).toFixed(0)} ms (best of ${runs.length}); peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
