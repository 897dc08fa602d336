// `quarry hunt --workers`: events/s with one thread and with N, and the ratio (issue #14 target 3:
// at least 1.7× on two cores), with every SigmaHQ Windows rule over a big EVTX file made of the
// samples' real chunks (cut into chunk shares) and over the EVTX sample folder (whole-file shares).
// Two figures per case, each the median of RUNS runs taken in turn (1, N, 1, N…) in fresh processes:
//   hunt phase   the hunt alone, from its first event (the workers start with the setup, as in
//                `quarry hunt`, and build their rules while this thread compiles its own)
//   whole        `quarry hunt … --format jsonl --output FILE` as a user runs it, wall time
// with each run's peak memory (the process's maximum resident set, worker threads included).
// Usage: node dist/bench/hunt-workers.js [MB=128] [N=2] [RUNS=3]
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSigmaPaths } from '../src/sigma/load.js';
import { builtinPipeline } from '../src/pipeline/builtin.js';
import { re2Regex } from '../src/engine/regex-re2.js';
import { setupHunt } from '../src/hunt/setup.js';
import { hunt } from '../src/hunt/hunt.js';
import { buildBigEvtx } from './evtx-bigfile.js';

const data = resolve('../shared/data');
const rules = join(data, 'sigmahq/rules/windows');
const self = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') {
  // one measured hunt phase: threads, input → a JSON line
  const [threads, input] = [Number(process.argv[3]), process.argv[4]!];
  const col = loadSigmaPaths([rules]);
  // as `quarry hunt` does: the workers start with the setup and build their rules while this thread compiles
  const setup = await setupHunt(col, [input], { pipelines: [builtinPipeline('windows')!], formatPipelines: true, regex: re2Regex, threads });
  const t0 = performance.now();
  let detections = 0;
  const s = await hunt(setup.prepared.set, setup.inputs, { regex: re2Regex, correlation: setup.correlation, onDetection: () => void detections++, ...(setup.workers ? { workers: setup.workers } : {}) });
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ events: s.events, detections, seconds, peakMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
  process.exit(0);
}

const mb = Number(process.argv[2] ?? 128);
const n = Number(process.argv[3] ?? 2);
const runs = Number(process.argv[4] ?? 3);
const big = join(tmpdir(), `quarry-bench-workers-${process.pid}.evtx`);
const chunks = await buildBigEvtx(join(data, 'evtx/evtx-crate/security.evtx'), big, mb * 1024 * 1024);
const quarry = resolve('bin/quarry.js');
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

interface Run { events: number; detections: number; seconds: number; peakMB: number }

function phase(threads: number, input: string): Run {
  const r = spawnSync(process.execPath, [self, '--child', String(threads), input], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`hunt phase (${threads} threads) failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Run;
}

function whole(threads: number, input: string): Run {
  const out = join(tmpdir(), `quarry-bench-workers-${process.pid}-${threads}.jsonl`);
  const args = [quarry, 'hunt', '--rules', rules, input, '--format', 'jsonl', '--output', out, '--workers', String(threads)];
  const t0 = performance.now();
  // GNU time's %M: the peak resident set of the process (its threads included), in KB, on the last line of stderr
  const r = timeBin ? spawnSync(timeBin, ['-f', '%M', process.execPath, ...args], { encoding: 'utf8' }) : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  rmSync(out, { force: true });
  const m = /Summary: (\d+) detections in (\d+) events/.exec(r.stderr);
  if (!m) throw new Error(`quarry hunt --workers ${threads} printed no summary (status ${r.status}): ${r.stderr.slice(-500)}`);
  const peak = timeBin ? Number(r.stderr.trim().split('\n').pop()) / 1024 : NaN;
  return { events: Number(m[2]), detections: Number(m[1]), seconds, peakMB: peak };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function compare(label: string, measure: (threads: number) => Run): void {
  const one: Run[] = [];
  const many: Run[] = [];
  for (let i = 0; i < runs; i++) {
    one.push(measure(1));
    many.push(measure(n));
  }
  if (one[0]!.detections !== many[0]!.detections || one[0]!.events !== many[0]!.events) throw new Error(`${label}: ${n} threads found ${many[0]!.detections} detections in ${many[0]!.events} events, one thread ${one[0]!.detections} in ${one[0]!.events}`);
  const [a, b] = [median(one.map((r) => r.seconds)), median(many.map((r) => r.seconds))];
  const row = (t: number, s: number, rs: Run[]) => `  ${String(t).padStart(2)} thread${t > 1 ? 's' : ' '}  ${s.toFixed(2).padStart(7)} s  ${Math.round(rs[0]!.events / s).toLocaleString('en-US').padStart(9)} events/s  peak ${Math.round(median(rs.map((r) => r.peakMB)))} MB`;
  console.log(`${label}: ${one[0]!.events.toLocaleString('en-US')} events, ${one[0]!.detections} detections (same with ${n} threads)`);
  console.log(row(1, a, one));
  console.log(row(n, b, many));
  console.log(`  ratio ${(a / b).toFixed(2)}× (target ≥ 1.70×: ${a / b >= 1.7 ? 'met' : 'not met'})`);
}

try {
  console.log(`quarry hunt --workers: every SigmaHQ Windows rule, median of ${runs} runs, ${n} threads against 1`);
  const evtxDir = join(data, 'evtx');
  compare(`hunt phase, ${mb} MB EVTX (${chunks} chunks)`, (t) => phase(t, big));
  compare(`whole process, ${mb} MB EVTX`, (t) => whole(t, big));
  compare('hunt phase, EVTX samples (32 files)', (t) => phase(t, evtxDir));
  compare('whole process, EVTX samples (default --workers picks 1 here: under 192 MB)', (t) => whole(t, evtxDir));
} finally {
  rmSync(big, { force: true });
}
