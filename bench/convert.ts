// Converting the SigmaHQ corpus to KQL: rules/s for rules/ (pySigma: about 7.4 s for its 3,141
// rules on this machine kind; Quarry's target is under 0.75 s) and for all rules*/ folders, per pipeline.
// Usage: node dist/bench/convert.js [SIGMA_DIR]
import { join, resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { loadSigmaPaths } from '../src/sigma/load.js';
import { convertCollection } from '../src/backends/common/convert.js';
import { kqlBackend, listKqlPipelines } from '../src/backends/kql/index.js';
import { resolveConvertPipelines } from '../src/cli/convert-command.js';

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
  for (const name of listKqlPipelines()) {
    const pipelines = resolveConvertPipelines('kql', [name]);
    let best = Infinity;
    let ok = 0;
    for (let run = 0; run < 3; run++) {
      const t = performance.now();
      const results = convertCollection(col, kqlBackend, pipelines);
      best = Math.min(best, performance.now() - t);
      ok = results.filter((r) => r.result.ok).length;
    }
    console.log(
      `  kql ${name.padEnd(22)} ${String(ok).padStart(5)} converted  pipelines+lower+render ${best.toFixed(0).padStart(5)} ms = ${Math.round((col.rules.length / best) * 1000)} rules/s;  with load ${(best + load).toFixed(0)} ms`,
    );
  }
}
