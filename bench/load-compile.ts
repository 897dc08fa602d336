// Loading and compiling the whole SigmaHQ corpus the way a command does, each run a process of its
// own so that every figure (peak memory above all) is that run's alone: cold (every file parsed, no
// cache), filling the rule cache (rule-cache.ts), the memo of the patterns RE2 accepted
// (regex-memo.ts) and the facts of the prepared rules (facts-store.ts), and warm (every file,
// pattern and rule's facts from them, as `quarry hunt` runs on an unchanged corpus). Each phase is timed inside the
// process (load and validate; pipelines, lowering and compiling) and the whole process from outside
// (Node's start-up and module loading included). Median of three runs per mode.
// Usage: node dist/bench/load-compile.js [SIGMA_DIR]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type Mode = 'cold' | 'fill' | 'warm';
interface Run {
  load: number;
  prepare: number;
  /** CPU time (user and system, all threads) of the load and of the rest, ms: steadier than wall time on a busy machine. */
  loadCpu: number;
  prepareCpu: number;
  rules: number;
  compiled: number;
  cache: string;
  /** The facts store's state (facts-store.ts). */
  facts: string;
  /** Peak resident set of the process, MB. */
  rss: number;
  /** The whole process, measured by the parent, ms. */
  wall: number;
}

/** One load and compile in this process; prints the figures as JSON for the parent. */
async function child(mode: Mode, folders: string[], cacheDir: string): Promise<void> {
  const { loadSigmaPaths } = await import('../src/sigma/load.js');
  const { RuleCache } = await import('../src/sigma/rule-cache.js');
  const { builtinPipeline } = await import('../src/pipeline/builtin.js');
  const { prepareRules } = await import('../src/engine/rulebook.js');
  const { re2RegexCached } = await import('../src/engine/regex-re2.js');
  const { factsBesideRuleCache } = await import('../src/engine/facts-store.js');
  const { tuneTiering } = await import('../src/tuning/v8-tiering.js');
  tuneTiering('rules-pass'); // as the commands that load rules tune V8 (src/tuning/v8-tiering.ts)
  const cpu = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const cache = mode === 'cold' ? null : new RuleCache(cacheDir, folders);
  const col = loadSigmaPaths(folders, { cache });
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  // As `quarry hunt` compiles: RE2 remembering the patterns it accepted beside the rule cache
  // (regex-memo.ts), the rules' facts kept beside it (facts-store.ts).
  let factsState = 'off';
  const facts = cache ? factsBesideRuleCache(cache, true) : undefined;
  const prepared = prepareRules(col, {
    pipelines: [builtinPipeline('windows')!],
    regex: re2RegexCached(cache ? cacheDir : null),
    ...(facts ? { facts: (p: Parameters<typeof facts>[0]) => { const store = facts(p); factsState = store?.stats.state ?? 'none'; return store; } } : {}),
  });
  const t2 = performance.now();
  const c2 = process.cpuUsage();
  const out = { load: t1 - t0, prepare: t2 - t1, loadCpu: cpu(c1) - cpu(c0), prepareCpu: cpu(c2) - cpu(c1), rules: col.rules.length, compiled: prepared.set.rules.length, cache: cache?.stats.state ?? 'off', facts: factsState, rss: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(JSON.stringify(out));
}

function run(mode: Mode, folders: string[], cacheDir: string): Run {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, cacheDir, ...folders], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`the ${mode} run failed: ${r.stderr}`);
  return { ...(JSON.parse(r.stdout) as Omit<Run, 'wall'>), wall };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3] as Mode, process.argv.slice(5), process.argv[4]!);
  const base = resolve(process.argv[2] ?? '../shared/data/sigmahq');
  const folders = readdirSync(base).filter((f) => f.startsWith('rules') || f === 'deprecated').map((f) => join(base, f));
  const cacheDir = mkdtempSync(join(tmpdir(), 'quarry-bench-cache-'));
  try {
    console.log(`corpus: ${base} (${folders.length} folders); each figure the median of 3 processes`);
    const runs: Record<Mode, Run[]> = { cold: [], fill: [], warm: [] };
    for (let i = 0; i < 3; i++) {
      runs.cold.push(run('cold', folders, cacheDir));
      rmSync(join(cacheDir, 'rules'), { recursive: true, force: true });
      rmSync(join(cacheDir, 'regex-accepted'), { force: true });
      rmSync(join(cacheDir, 'facts'), { recursive: true, force: true });
      runs.fill.push(run('fill', folders, cacheDir));
      runs.warm.push(run('warm', folders, cacheDir));
    }
    const bad = runs.warm.find((r) => r.cache !== 'used' || r.facts !== 'used') ?? runs.fill.find((r) => r.cache !== 'absent' || r.facts !== 'absent');
    if (bad) throw new Error(`a run found the rule cache ${bad.cache} and the facts ${bad.facts}`);
    const row = (mode: Mode, what: string) => {
      const rs = runs[mode];
      const m = (k: keyof Run) => median(rs.map((r) => r[k] as number));
      const rate = Math.round((rs[0]!.rules / m('load')) * 1000);
      console.log(
        `${what.padEnd(26)} ${String(rs[0]!.rules).padStart(5)} rules: load ${m('load').toFixed(0).padStart(5)} ms (${rate} rules/s; CPU ${m('loadCpu').toFixed(0)} ms), ` +
          `pipelines+lower+compile ${m('prepare').toFixed(0).padStart(4)} ms (${rs[0]!.compiled} compiled; CPU ${m('prepareCpu').toFixed(0)} ms), ` +
          `together ${median(rs.map((r) => r.load + r.prepare)).toFixed(0).padStart(5)} ms; whole process ${m('wall').toFixed(0).padStart(5)} ms, peak RSS ${m('rss').toFixed(0)} MB`,
      );
      return median(rs.map((r) => r.load + r.prepare));
    };
    const cold = row('cold', 'cold (every file parsed)');
    row('fill', 'filling the cache');
    const warm = row('warm', 'warm (from the rule cache)');
    const target = (ms: number, limit: number) => `${ms.toFixed(0)} ms, target < ${limit} ms: ${ms < limit ? 'met' : 'NOT met'}`;
    console.log(`load+compile cold: ${target(cold, 1500)}`);
    console.log(`load+compile warm: ${target(warm, 500)}`);
    console.log(`load alone warm: ${target(median(runs.warm.map((r) => r.load)), 500)}`);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

await main();
