// `quarry hunt --workers`: events/s with one thread and with N, and the ratio (issue #14 target 3:
// at least 1.7× on two cores), with every SigmaHQ Windows rule over a big EVTX file made of the
// samples' real chunks (cut into chunk shares) and over the EVTX sample folder (whole-file shares).
// Each figure is the median of RUNS runs taken in turn (1, N, 1, N…) in fresh processes:
//   hunt phase   the hunt alone, from its first event; the workers start as `quarry hunt` starts them
//                (when the inputs are opened, loading the rule paths beside this thread's own load)
//   whole        `quarry hunt … --format jsonl --output FILE` as a user runs it, wall time
// with each run's peak memory (the process's maximum resident set, worker threads included), and
// where the CPU of the hunt phase went: this thread, and the others (worker threads, V8's compiler
// and garbage collector threads), with how long after the hunt began the last worker was ready.
// `--sizes 16,32,64` adds whole-process runs of EVTX files of those sizes with the default
// `--workers` choice beside `--workers 1` (how the default threshold was chosen).
// Usage: node dist/bench/hunt-workers.js [MB=128] [N=2] [RUNS=3] [--sizes MB,MB…]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSigmaPaths } from '../src/sigma/load.js';
import { openRuleCache } from '../src/sigma/rule-cache.js';
import { builtinPipeline } from '../src/pipeline/builtin.js';
import { re2Regex } from '../src/engine/regex-re2.js';
import { openHuntInputs, setupHunt, type HuntSetupOptions } from '../src/hunt/setup.js';
import { hunt } from '../src/hunt/hunt.js';
import { AUTO_WORKERS_MIN_BYTES } from '../src/hunt/shares.js';
import { buildBigEvtx } from './evtx-bigfile.js';
import { report } from './result.js';
import { tuneTiering } from '../src/tuning/v8-tiering.js';

const data = resolve('../shared/data');
const rules = join(data, 'sigmahq/rules/windows');
const self = fileURLToPath(import.meta.url);

/** This thread's CPU time in seconds (Linux: /proc/thread-self; NaN elsewhere). */
function threadCpu(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return NaN;
  }
}
const processCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

if (process.argv[2] === '--child') {
  // one measured hunt phase: threads, input → a JSON line
  const [threads, input] = [Number(process.argv[3]), process.argv[4]!];
  tuneTiering('rules-pass'); // as `quarry hunt` tunes V8 (src/tuning/v8-tiering.ts)
  const opts: HuntSetupOptions = { pipelines: [builtinPipeline('windows')!], formatPipelines: true, regex: re2Regex, threads };
  // as `quarry hunt` does: inputs opened first, the workers started on the rule paths, then this thread loads and compiles
  const opened = await openHuntInputs([input], opts, { paths: [rules], cache: true });
  let lastReady = NaN;
  for (const t of opened.workers?.pool.threads ?? []) t.worker.on('message', (m: { type: string }) => void (m.type === 'ready' && (lastReady = performance.now())));
  const col = loadSigmaPaths([rules], { cache: openRuleCache([rules]) });
  const setup = await setupHunt(col, opened, opts);
  tuneTiering('event-loop');
  const [t0, cpu0, mine0] = [performance.now(), processCpu(), threadCpu()];
  let detections = 0;
  const s = await hunt(setup.prepared.set, setup.inputs, { regex: re2Regex, correlation: setup.correlation, onDetection: () => void detections++, ...(setup.workers ? { workers: setup.workers } : {}) });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = processCpu() - cpu0;
  const mine = threadCpu() - mine0;
  const readyAfter = setup.workers ? Math.max(0, (lastReady - t0) / 1000) : NaN;
  process.stdout.write(JSON.stringify({ events: s.events, detections, seconds, cpu, mine, readyAfter, peakMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
  process.exit(0);
}

const flags = process.argv.slice(2);
const sizesAt = flags.indexOf('--sizes');
const sizes = sizesAt >= 0 ? flags.splice(sizesAt, 2)[1]!.split(',').map(Number) : [];
const mb = Number(flags[0] ?? 128);
const n = Number(flags[1] ?? 2);
const runs = Number(flags[2] ?? 3);
const work = mkdtempSync(join(tmpdir(), 'quarry-bench-workers-'));
const big = join(work, 'big.evtx');
const chunks = await buildBigEvtx(join(data, 'evtx/evtx-crate/security.evtx'), big, mb * 1024 * 1024);
const quarry = resolve('bin/quarry.js');
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

interface Run { events: number; detections: number; seconds: number; peakMB: number; cpu?: number; mine?: number; readyAfter?: number }

function phase(threads: number, input: string): Run {
  const r = spawnSync(process.execPath, [self, '--child', String(threads), input], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`hunt phase (${threads} threads) failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Run;
}

/** `quarry hunt` as a user runs it. */
function whole(workers: number, input: string): Run {
  const out = join(work, `out-${workers}.jsonl`);
  const args = [quarry, 'hunt', '--rules', rules, input, '--format', 'jsonl', '--output', out, '--workers', String(workers)];
  const t0 = performance.now();
  // GNU time's %M %U %S: the peak resident set of the process (its threads included), in KB, and its CPU, on the last line of stderr
  const r = timeBin ? spawnSync(timeBin, ['-f', '%M %U %S', process.execPath, ...args], { encoding: 'utf8' }) : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  rmSync(out, { force: true });
  const m = /Summary: (\d+) detections in (\d+) events/.exec(r.stderr);
  if (!m) throw new Error(`quarry hunt --workers ${workers} printed no summary (status ${r.status}): ${r.stderr.slice(-500)}`);
  const [peakKB, user, sys] = timeBin ? r.stderr.trim().split('\n').pop()!.split(' ').map(Number) : [NaN, NaN, NaN];
  return { events: Number(m[2]), detections: Number(m[1]), seconds, peakMB: peakKB! / 1024, cpu: user! + sys! };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// NaN (no figure) comes back from a child's JSON as null
const known = (x: number | null | undefined): x is number => x !== undefined && x !== null && !Number.isNaN(x);
const fixed = (x: number | null | undefined, d = 2) => (known(x) ? x.toFixed(d) : '–');

/** Runs `one` and `many` in turn; prints both rows and the ratio; returns the medians (s) and the events. */
function compare(label: string, one: () => Run, many: () => Run): { a: number; b: number; events: number } {
  const manyName = `${n} threads`;
  const ones: Run[] = [];
  const manys: Run[] = [];
  for (let i = 0; i < runs; i++) {
    ones.push(one());
    manys.push(many());
  }
  if (ones[0]!.detections !== manys[0]!.detections || ones[0]!.events !== manys[0]!.events) throw new Error(`${label}: ${manyName} found ${manys[0]!.detections} detections in ${manys[0]!.events} events, one thread ${ones[0]!.detections} in ${ones[0]!.events}`);
  const [a, b] = [median(ones.map((r) => r.seconds)), median(manys.map((r) => r.seconds))];
  const row = (name: string, s: number, rs: Run[]) => {
    const cpu = rs[0]!.cpu === undefined ? '' : `  CPU ${fixed(median(rs.map((r) => r.cpu!)))} s`;
    const split = !known(rs[0]!.mine) ? '' : ` (this thread ${fixed(median(rs.map((r) => r.mine!)))}, other threads ${fixed(median(rs.map((r) => r.cpu! - r.mine!)))})`;
    const ready = !known(rs[0]!.readyAfter) ? '' : `  last worker ready at +${fixed(median(rs.map((r) => r.readyAfter!)))} s`;
    return `  ${name.padEnd(10)} ${s.toFixed(2).padStart(7)} s  ${Math.round(rs[0]!.events / s).toLocaleString('en-US').padStart(9)} events/s  peak ${Math.round(median(rs.map((r) => r.peakMB)))} MB${cpu}${split}${ready}`;
  };
  console.log(`${label}: ${ones[0]!.events.toLocaleString('en-US')} events, ${ones[0]!.detections} detections (same with ${manyName})`);
  console.log(row('1 thread', a, ones));
  console.log(row(manyName, b, manys));
  console.log(`  ratio ${(a / b).toFixed(2)}× (target ≥ 1.70×: ${a / b >= 1.7 ? 'met' : 'not met'})`);
  return { a, b, events: ones[0]!.events };
}

try {
  console.log(`quarry hunt --workers: every SigmaHQ Windows rule, median of ${runs} runs, ${n} threads against 1, load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
  const evtxDir = join(data, 'evtx');
  const ph = compare(`hunt phase, ${mb} MB EVTX (${chunks} chunks)`, () => phase(1, big), () => phase(n, big));
  report({
    target: 3, label: `hunt phase ${mb} MB EVTX, ${n} threads vs 1`, figure: ph.events / ph.b, unit: 'events/s', peer: { name: '--workers 1', figure: ph.events / ph.a },
    goal: { on: 'ratio', op: '>=', value: 1.7 }, note: `from the first event to the last detection (the workers start with the inputs, as in quarry hunt), median of ${runs} runs in turn`,
  });
  const wh = compare(`whole process, ${mb} MB EVTX`, () => whole(1, big), () => whole(n, big));
  report({ target: 3, label: `hunt ${mb} MB EVTX whole process, ${n} threads vs 1`, figure: wh.events / wh.b, unit: 'events/s', peer: { name: '--workers 1', figure: wh.events / wh.a }, note: 'for information: start-up, loading and compiling the rules included' });
  for (const size of sizes) {
    const file = join(work, `size-${size}.evtx`);
    await buildBigEvtx(join(data, 'evtx/evtx-crate/security.evtx'), file, size * 1024 * 1024);
    const byDefault = size * 1024 * 1024 >= AUTO_WORKERS_MIN_BYTES ? 'one per processor' : 'one';
    compare(`whole process, ${size} MB EVTX (the default --workers is ${byDefault} here)`, () => whole(1, file), () => whole(n, file));
    rmSync(file, { force: true });
  }
  compare('hunt phase, EVTX samples (32 files)', () => phase(1, evtxDir), () => phase(n, evtxDir));
  compare(`whole process, EVTX samples (under ${AUTO_WORKERS_MIN_BYTES / 1048576} MB: the default --workers is one)`, () => whole(1, evtxDir), () => whole(n, evtxDir));
} finally {
  rmSync(work, { recursive: true, force: true });
}
