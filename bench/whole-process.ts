// Whole-process timing for the peer comparisons: each command is run as the user runs it (a fresh
// process, its output written to a file), in turn with the others (A B A B …, so a drift of this shared
// machine's speed hits both), after a warm-up run; each run's wall time, CPU time (user + system) and
// peak memory come from GNU time's report of the finished process (wait4), not from our own clock.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Command {
  name: string;
  argv: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface Run {
  wall: number;
  cpu: number;
  /** Peak resident memory of the process, MB. */
  rssMB: number;
  status: number | null;
  /** The end of standard error, for the counts a command prints there. */
  stderrTail: string;
}

export const GNU_TIME = '/usr/bin/time';

export function canTime(): boolean {
  return existsSync(GNU_TIME);
}

/** Runs one command once under GNU time; standard output goes to `stdoutPath` (a file, as a user's would). */
export function runOnce(c: Command, stdoutPath: string): Run {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-bench-time-'));
  const timing = join(dir, 'time');
  const out = openSync(stdoutPath, 'w');
  try {
    const r = spawnSync(GNU_TIME, ['-f', '%e %U %S %M', '-o', timing, ...c.argv], {
      cwd: c.cwd,
      env: c.env ?? process.env,
      stdio: ['ignore', out, 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    const fields = readFileSync(timing, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    const [wall, user, sys, rssKB] = fields as [number, number, number, number];
    return { wall, cpu: user + sys, rssMB: rssKB / 1024, status: r.status, stderrTail: r.stderr.toString('utf8').slice(-4000) };
  } finally {
    closeSync(out);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each command `runs` times, in turn, after `warmup` rounds that are not counted. */
export function timeInTurn(commands: Command[], runs: number, warmup = 1): Run[][] {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-bench-out-'));
  const all: Run[][] = commands.map(() => []);
  try {
    for (let round = 0; round < warmup + runs; round++) {
      commands.forEach((c, i) => {
        const r = runOnce(c, join(dir, `out-${i}`));
        if (round >= warmup) all[i]!.push(r);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return all;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** "min 1.23 / median 1.30 s" for a set of runs. */
export function spread(runs: Run[], pick: (r: Run) => number, unit = 's'): string {
  const xs = runs.map(pick);
  return `min ${Math.min(...xs).toFixed(2)} / median ${median(xs).toFixed(2)} ${unit}`;
}
