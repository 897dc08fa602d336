// Converting the SigmaHQ corpus with every target and pipeline: rules/s for rules/ (pySigma: about
// 7.4 s for its 3,141 rules to KQL on this machine kind; Quarry's target is under 0.75 s) and for all
// rules*/ folders, then the total for all targets (target: under 2 s).
// Usage: node dist/bench/convert.js [SIGMA_DIR] [TARGET…]
import { join, resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { loadSigmaPaths } from '../src/sigma/load.js';
import { convertCollection } from '../src/backends/common/convert.js';
import { TARGETS } from '../src/backends/targets.js';
import { resolveConvertPipelines } from '../src/backends/resolve-pipelines.js';

const base = resolve(process.argv[2] ?? '../shared/data/sigmahq');
const sets: Array<[string, string[]]> = [
  ['rules/', [join(base, 'rules')]],
  ['rules*/', readdirSync(base).filter((f) => f.startsWith('rules')).map((f) => join(base, f))],
];
for (const [label, folders] of sets) {
  const t0 = performance.now();
  const col = loadSigmaPaths(folders);
  const load = performance.now() - t0;
  console.log(`${label}: ${col.rules.length} rules loaded and validated in ${load.toFixed(0)} ms`);
  let total = 0;
  const only = process.argv.slice(3);
  for (const [targetName, target] of Object.entries(TARGETS)) {
   if (only.length && !only.includes(targetName)) continue;
   for (const name of target.listPipelines()) {
    const pipelines = resolveConvertPipelines(targetName, [name]);
    let best = Infinity;
    let ok = 0;
    for (let run = 0; run < 3; run++) {
      const t = performance.now();
      const results = convertCollection(col, target.backend, pipelines);
      best = Math.min(best, performance.now() - t);
      ok = results.filter((r) => r.result.ok).length;
    }
    total += best;
    console.log(
      `  ${targetName.padEnd(7)} ${name.padEnd(22)} ${String(ok).padStart(5)} converted  pipelines+lower+render ${best.toFixed(0).padStart(5)} ms = ${Math.round((col.rules.length / best) * 1000)} rules/s;  with load ${(best + load).toFixed(0)} ms`,
    );
   }
  }
  console.log(`  all targets and pipelines: ${total.toFixed(0)} ms conversion + ${load.toFixed(0)} ms load = ${(total + load).toFixed(0)} ms`);
}
