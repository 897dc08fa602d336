// What this machine gives two threads of work at once: a fixed, allocation-heavy JavaScript workload
// (parsing JSON event records, as a hunt's reader does) run as one process alone and as two processes
// at the same time, in turn. Two busy processes that share nothing finish two workloads in the time of
// one only when two cores are free; the ratio (2 × alone ÷ both) is the ceiling of any two-thread
// speedup here, which target 3's workers are read against. On a shared host it moves with the
// neighbours' load from one minute to the next, hence the runs in turn.
// Usage: node dist/bench/parallel-ceiling.js [--runs N]   (as a module: parallelCeiling(runs))
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './whole-process.js';

/** Records parsed a workload: about half a second of one core here. */
const RECORDS = 60_000;
const PASSES = 6;

/** The workload itself, in a child process: JSON text of event records parsed and every value read. */
function work(): void {
  const lines: string[] = [];
  for (let i = 0; i < RECORDS; i++) {
    lines.push(
      JSON.stringify({
        EventID: 4688 + (i % 7),
        Channel: 'Security',
        Computer: `host-${i % 97}.example.local`,
        TimeCreated: new Date(1_700_000_000_000 + i * 1000).toISOString(),
        Image: `C:\\Windows\\System32\\tool${i % 31}.exe`,
        CommandLine: `tool${i % 31}.exe /flag ${i} --path C:\\Users\\user${i % 13}\\AppData`,
        ParentImage: 'C:\\Windows\\explorer.exe',
        ProcessId: 1000 + i,
      }),
    );
  }
  let total = 0;
  for (let pass = 0; pass < PASSES; pass++) {
    for (const line of lines) {
      const e = JSON.parse(line) as Record<string, unknown>;
      for (const k in e) total += String(e[k]).length;
    }
  }
  if (total === 0) throw new Error('nothing parsed');
}

/** Wall seconds until `count` workload processes started together have all ended. */
function together(count: number): Promise<number> {
  const t0 = performance.now();
  const self = fileURLToPath(import.meta.url);
  const done = Array.from({ length: count }, () =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [self, '--work'], { stdio: 'ignore' });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`workload process exited with ${code}`))));
    }),
  );
  return Promise.all(done).then(() => (performance.now() - t0) / 1000);
}

export interface Ceiling {
  /** Median wall seconds of one workload alone, and of two at once. */
  alone: number;
  both: number;
  /** 2 × alone ÷ both: 2 when two cores are free, 1 when only one is. */
  ratio: number;
}

/** One workload alone and two at once, `runs` times each in turn (after one warm-up of each). */
export async function parallelCeiling(runs: number): Promise<Ceiling> {
  const alone: number[] = [];
  const both: number[] = [];
  for (let round = 0; round <= runs; round++) {
    const a = await together(1);
    const b = await together(2);
    if (round > 0) {
      alone.push(a);
      both.push(b);
    }
  }
  const ratio = (2 * median(alone)) / median(both);
  return { alone: median(alone), both: median(both), ratio };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--work') work();
  else {
    const at = process.argv.indexOf('--runs');
    const runs = at >= 0 ? Number(process.argv[at + 1]) : 3;
    const c = await parallelCeiling(runs);
    console.log(`one workload alone ${c.alone.toFixed(2)} s, two at once ${c.both.toFixed(2)} s: two processes do ${c.ratio.toFixed(2)}× the work of one (2.00× with two free cores)`);
  }
}
