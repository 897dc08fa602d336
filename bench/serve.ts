// `quarry serve` throughput and memory, beside `quarry hunt` on the same events (the peer that runs
// here: no other streaming Sigma engine is installed). Whole processes, as an operator runs them:
//   hunt        quarry hunt --format jsonl FILE
//   embedded    FILE on standard input of quarry serve (detections on standard output)
//   nats 1      one `--stage both` process on a local nats-server (events published beforehand)
//   nats 2+1    two detect workers and one correlate worker (this machine has 2 cores)
// Events/s are whole-process (start-up and rule loading included; for NATS from the workers'
// start until every partition applied the end of input). Peak RSS per process (VmHWM). Memory is
// measured on two stream lengths: flat means the longer stream does not need more.
// Usage: node dist/bench/serve.js [EVENTS] [LONG_EVENTS]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logonEvents, logonRules } from '../test/runtime/logon-stream.js';
import { NatsServer } from '../test/runtime/nats-server.js';
import { publish, startTopology, stopTopology, waitForEnd } from '../test/runtime/serve-nats-helpers.js';
import { QUARRY } from '../test/runtime/serve-helpers.js';

const short = Number(process.argv[2] ?? 100_000);
const long = Number(process.argv[3] ?? 400_000);
const dir = mkdtempSync(join(tmpdir(), 'quarry-bench-serve-'));
const rules = logonRules();

function eventsFile(n: number): string {
  const f = join(dir, `events-${n}.ndjson`);
  writeFileSync(f, logonEvents(n, 11).join('\n') + '\n');
  return f;
}

/** A process's wall time and peak RSS (GNU time), its standard input from a file if given. */
async function timed(args: string[], stdinFile?: string): Promise<{ seconds: number; peakMb: number }> {
  const out = join(dir, `time-${Math.random().toString(36).slice(2)}`);
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', out, process.execPath, QUARRY, ...args], { stdio: [stdinFile ? 'pipe' : 'ignore', 'ignore', 'ignore'] });
    if (stdinFile) createReadStream(stdinFile).pipe(child.stdin!);
    child.once('exit', (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`quarry ${args[0]} exited ${code}`))));
  });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, peakMb: Number(readFileSync(out, 'utf8').trim().split('\n').pop()) / 1024 };
}

function peakOf(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function natsRun(nats: NatsServer, stream: string, file: string, n: number, workers: Array<{ stage: 'detect' | 'correlate' | 'both'; name: string }>): Promise<{ seconds: number; peakMb: number }> {
  publish(nats, stream, file, true);
  const t0 = performance.now();
  const run = startTopology(nats, stream, rules, workers, ['--partitions', '16', '--lateness', '1h']);
  await waitForEnd(nats, stream, n + 1, run, 1_800_000);
  const seconds = (performance.now() - t0) / 1000;
  const peakMb = Math.max(...[...run.workers.values()].map((c) => peakOf(c.pid!)));
  await stopTopology(run);
  return { seconds, peakMb };
}

const row = (name: string, n: number, r: { seconds: number; peakMb: number }, hunt?: number) =>
  console.log(`${name.padEnd(28)} ${String(n).padStart(8)} events  ${(n / r.seconds).toFixed(0).padStart(7)} events/s  ${r.seconds.toFixed(2).padStart(7)} s  peak ${r.peakMb.toFixed(0).padStart(4)} MB${hunt ? `  (${((n / r.seconds) / hunt).toFixed(2)}× hunt)` : ''}`);

const fileShort = eventsFile(short);
const fileLong = eventsFile(long);
console.log(`quarry serve vs quarry hunt: ${short} and ${long} seeded Windows logon/process events, 4 rules, 5 correlations (one a chain)`);
const hunt = await timed(['hunt', '--rules', rules, '--format', 'jsonl', fileShort]);
const huntRate = short / hunt.seconds;
row('hunt (peer)', short, hunt);
row('serve embedded (stdin)', short, await timed(['serve', '--rules', rules], fileShort), huntRate);
const embeddedLong = await timed(['serve', '--rules', rules], fileLong);
row('serve embedded (stdin)', long, embeddedLong, huntRate);

const nats = await NatsServer.start();
try {
  row('serve nats, 1 both', short, await natsRun(nats, 'B1', fileShort, short, [{ stage: 'both', name: 'b1' }]), huntRate);
  row('serve nats, 2 detect + 1 corr', short, await natsRun(nats, 'B3', fileShort, short, [{ stage: 'detect', name: 'd1' }, { stage: 'detect', name: 'd2' }, { stage: 'correlate', name: 'c1' }]), huntRate);
  row('serve nats, 1 both', long, await natsRun(nats, 'B1L', fileLong, long, [{ stage: 'both', name: 'b1' }]), huntRate);
} finally {
  await nats.remove();
}
console.log('Memory is flat when the long stream\'s peak is close to the short one\'s (in-flight events bounded by --batch/--max-in-flight, state by --max-groups/--max-buffered and passed windows).');
