// Runs every benchmark in sequence, each in its own process so peak memory is its own, then judges
// issue 14's six targets: after each benchmark its target lines (`target N …: met|NOT met (figure vs
// goal)`, the peer beside the figure), at the end a summary table of every figure.
// Usage: node dist/bench/run-all.js [--only a.js,b.js] [--write-readme] [--replay FILE]
// (npm run bench builds first). --write-readme puts the target lines into README.md's Performance
// section (bench/readme-block.ts); --replay FILE judges the saved output of an earlier run instead of
// running the benchmarks again (with --write-readme: the README from that run's figures).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import os from 'node:os';
import { collect } from './collect.js';
import { summaryTable, targetLine, targetVerdict, type BenchResult } from './result.js';
import { peerVersions, REPO } from './peers.js';
import { readmeBlock, replaceBlock, type RunInfo } from './readme-block.js';

const here = dirname(fileURLToPath(import.meta.url));
// The benchmarks that measure a target come first; the rest print their own figures only.
const ALL = [
  'load-compile.js', 'engine.js', 'json-read.js', 'evtx.js', 'convert-peer.js', 'hunt-peer.js', 'hunt-workers.js',
  'hunt-json.js', 'proxy-read.js', 'stack.js', 'convert.js', 'correlate.js', 'time-sort.js', 'serve.js',
];
/** Arguments a benchmark gets here: engine.js's end-to-end runs repeat hunt-peer.js's, so they are left out. */
const ARGS: Record<string, string[]> = { 'engine.js': ['--engine-only'] };
const TARGETS = [1, 2, 3, 4, 5, 6] as const;
const at = process.argv.indexOf('--only');
const names = at >= 0 ? process.argv[at + 1]!.split(',') : ALL;

/** Runs one benchmark, passing its output through as it comes; resolves to the whole output. */
function run(name: string): Promise<{ out: string; status: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(here, name), ...(ARGS[name] ?? [])], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      out += s;
      process.stdout.write(s);
    });
    child.on('close', (status) => resolve({ out, status }));
  });
}

/** The processor's name as the system gives it (machines of this kind differ from one day to the next). */
function cpuModel(): string {
  return (os.cpus()[0]?.model ?? 'unknown processor').replace(/[()]/g, '').trim();
}

const results: BenchResult[] = [];
let info: RunInfo;
const replay = process.argv.indexOf('--replay');
if (replay >= 0) {
  // The saved output of a run: its header line, then each benchmark's output after `== NAME`.
  const saved = readFileSync(process.argv[replay + 1]!, 'utf8');
  const head = /^(\S+): node (\S+), (\d+) cores(?: \(([^)]*)\))?/.exec(saved);
  // A run stopped early has no last line: then the load at its start stands in, and says so.
  const end = /load average at the end ([\d.]+)/.exec(saved);
  const start = /^\S+: node \S+, \d+ cores(?: \([^)]*\))?, load average ([\d.]+)/.exec(saved);
  if (!head || !start) throw new Error(`${process.argv[replay + 1]} does not start like the output of run-all.js`);
  info = { started: head[1]!, node: head[2]!, cores: Number(head[3]), ...(head[4] ? { cpu: head[4] } : {}), load: Number((end ?? start)[1]), loadWhen: end ? 'end' : 'start' };
  for (const part of saved.split(/^== /m).slice(1)) {
    const name = part.slice(0, part.indexOf('\n')).trim();
    if (name.endsWith('.js')) results.push(...collect(name, part));
  }
  for (const r of results) console.log(targetLine(r));
} else {
  const started = new Date();
  console.log(`${started.toISOString()}: node ${process.version}, ${os.availableParallelism()} cores (${cpuModel()}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const peers = peerVersions();
  console.log(peers ? `peers from source: ${peers}` : 'pySigma and Zircolite are not set up: sh bench/peers/setup.sh (their figures will say "not available")');
  for (const name of names) {
    console.log(`\n== ${name}`);
    const { out, status } = await run(name);
    if (status !== 0) console.log(`(${name} exited with ${status})`);
    const found = collect(name, out);
    for (const r of found) console.log(targetLine(r));
    results.push(...found);
  }
  info = { started: started.toISOString(), node: process.version, cores: os.availableParallelism(), cpu: cpuModel(), load: os.loadavg()[0]!, loadWhen: 'end' };
  console.log(`\n== issue 14 targets (${((Date.now() - started.getTime()) / 60000).toFixed(1)} min; load average at the end ${info.load.toFixed(1)})`);
}
console.log(summaryTable(results, TARGETS));

if (process.argv.includes('--write-readme')) {
  const readme = join(REPO, 'README.md');
  const verdicts = TARGETS.map((t) => `target ${t}: ${targetVerdict(results, t)}`).join('; ');
  const byTarget = [...results].sort((a, b) => a.target - b.target); // stable: bench order within a target
  writeFileSync(readme, replaceBlock(readFileSync(readme, 'utf8'), readmeBlock(info, byTarget.map(targetLine), verdicts)));
  console.log(`README.md: Performance figures written (${results.length} target lines)`);
}
