// Issue 14 target 5: the whole process of `quarry convert --target kql --pipeline sentinel-asim` over
// SigmaHQ's rules/ against pySigma's Kusto backend with its Sentinel ASIM pipeline on the same folder,
// timed in turn in the same run (whole-process.ts), min and median of the runs. Quarry is timed as a
// user runs it twice in a row (the rule cache filled by the warm-up run), with the conversion cache off
// (the real path) and on, and with --no-cache; where its
// time goes is printed below: start-up (`quarry --version`), and loading (with and without the rule
// cache) against converting in one process.
// Usage: node dist/bench/convert-peer.js [RUNS] [SIGMA_DIR]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSigmaPaths } from '../src/sigma/load.js';
import { openRuleCache } from '../src/sigma/rule-cache.js';
import { convertCollection } from '../src/backends/common/convert.js';
import { TARGETS } from '../src/backends/targets.js';
import { resolveConvertPipelines } from '../src/backends/resolve-pipelines.js';
import { report, type Peer } from './result.js';
import { canTime, median, spread, timeInTurn, type Command, type Run } from './whole-process.js';
import { findPySigma, peerVersions, REPO } from './peers.js';

const runs = Number(process.argv[2] ?? 3);
const rules = resolve(process.argv[3] ?? join(REPO, '../shared/data/sigmahq'), 'rules');
const cacheDir = mkdtempSync(join(tmpdir(), 'quarry-bench-convert-cache-'));
const quarry = [process.execPath, join(REPO, 'bin/quarry.js')];
const env = { ...process.env, QUARRY_CACHE_DIR: cacheDir };
const convertArgs = ['convert', '--target', 'kql', '--pipeline', 'sentinel-asim', rules];

/** "N of M rules converted" from the end of standard error, as each program prints its own summary. */
function counted(r: Run | undefined): string {
  const tail = r?.stderrTail ?? '';
  const q = /(\d+) of (\d+) rules converted/.exec(tail);
  if (q) return `${q[1]} of ${q[2]} converted`;
  const p = /pysigma: (\d+) rules, (\d+) converted/.exec(tail);
  return p ? `${p[2]} of ${p[1]} converted` : 'count not printed';
}

try {
  if (!canTime()) throw new Error('GNU time (/usr/bin/time) is needed for whole-process figures: apt-get install -y time');
  const py = findPySigma();
  // The real path first: the rule cache warm but every rule converted (QUARRY_CONVERT_CACHE=off); then
  // a second run as a user makes it, the conversion cache warm too (backends/convert-cache.ts).
  const [REAL, CACHED, NO_CACHE, START, PY] = [0, 1, 2, 3, 4];
  const commands: Command[] = [
    { name: 'quarry convert (rule cache warm)', argv: [...quarry, ...convertArgs], env: { ...env, QUARRY_CONVERT_CACHE: 'off' } },
    { name: 'quarry convert (+ conversion cache)', argv: [...quarry, ...convertArgs], env },
    { name: 'quarry convert --no-cache', argv: [...quarry, convertArgs[0]!, '--no-cache', ...convertArgs.slice(1)], env },
    { name: 'quarry --version (start-up)', argv: [...quarry, '--version'], env },
  ];
  if (py.ok) commands.push({ name: 'pySigma (Kusto, sentinel_asim)', argv: [...py.argv, rules], env: py.env });
  const timed = timeInTurn(commands, runs, 1);
  console.log(`whole process, ${runs} runs each in turn after a warm-up; ${rules}`);
  commands.forEach((c, i) => {
    const rs = timed[i]!;
    console.log(
      `  ${c.name.padEnd(36)} wall ${spread(rs, (r) => r.wall)}  cpu ${spread(rs, (r) => r.cpu)}  peak ${Math.max(...rs.map((r) => r.rssMB)).toFixed(0)} MB  ${i === START ? '' : counted(rs[0])}`,
    );
  });
  if (py.ok) console.log(`  peers: ${peerVersions()}`);
  // Judged on CPU time (user + system): this machine is shared, so wall time mostly measures the
  // neighbours; both programs convert on one thread, so on an idle machine the two are about equal.
  const med = (i: number) => median(timed[i]!.map((r) => r.cpu));
  const peer = (): Peer => (py.ok ? { name: 'pySigma', figure: med(PY) } : { name: 'pySigma', unavailable: py.why });
  const note = `whole process, CPU s (user+system), median of ${runs} runs in turn`;
  report({ target: 5, label: 'convert rules/ to KQL, CPU (rule cache warm)', figure: med(REAL), unit: 's CPU', peer: peer(), goal: { on: 'speedup', op: '>=', value: 10 }, note });
  report({ target: 5, label: 'convert rules/ to KQL, CPU (rule and conversion caches warm)', figure: med(CACHED), unit: 's CPU', peer: peer(), goal: { on: 'speedup', op: '>=', value: 10 }, note });
  report({ target: 5, label: 'convert rules/ to KQL, CPU (--no-cache)', figure: med(NO_CACHE), unit: 's CPU', peer: peer(), goal: { on: 'speedup', op: '>=', value: 10 }, note });

  // Where Quarry's time goes, in this process (CPU ms: the machine is shared): loading with the rule
  // cache the runs above filled (what a warm run pays the cache: it reads the store and every rule
  // file) and without it; then the first pass of pipelines, lowering and rendering (what a process pays:
  // its code is not yet compiled hot), then warm passes with rules refused early (backends/common/
  // convert.ts) and with the plain path that lowers and renders every rule. The rest of a whole run is
  // start-up (the --version row), module imports, parsing the pipelines and writing.
  const cpuMs = (f: () => unknown): number => {
    const c = process.cpuUsage();
    f();
    const u = process.cpuUsage(c);
    return (u.user + u.system) / 1000;
  };
  let col!: ReturnType<typeof loadSigmaPaths>;
  const warmLoad = cpuMs(() => (col = loadSigmaPaths([rules], { cache: openRuleCache([rules], env) })));
  const coldLoad = cpuMs(() => loadSigmaPaths([rules]));
  const target = TARGETS.kql!;
  let pipelines!: ReturnType<typeof resolveConvertPipelines>;
  const parse = cpuMs(() => (pipelines = resolveConvertPipelines('kql', ['sentinel-asim'])));
  const first = cpuMs(() => convertCollection(col, target.backend, pipelines));
  const early: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < 3; i++) {
    early.push(cpuMs(() => convertCollection(col, target.backend, pipelines)));
    plain.push(cpuMs(() => convertCollection(col, target.backend, pipelines, { early: false })));
  }
  console.log(
    `  in one process, CPU: load ${col.rules.length} rules with the warm rule cache ${warmLoad.toFixed(0)} ms, without it ${coldLoad.toFixed(0)} ms; ` +
      `parse the pipelines ${parse.toFixed(0)} ms; pipelines+lower+render first pass ${first.toFixed(0)} ms, ` +
      `warm ${median(early).toFixed(0)} ms (plain path, every rule lowered and rendered: ${median(plain).toFixed(0)} ms), medians of 3; ` +
      `start-up alone ${(med(START) * 1000).toFixed(0)} ms CPU whole process`,
  );
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
