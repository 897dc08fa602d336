// The issue-14 figures of the benchmarks that print tables rather than RESULT lines (result.ts), read
// from their text output. A benchmark that prints RESULT lines for a target is taken at its word and
// its table is not read for that target (see collect()); a figure that is not found is reported as
// missing, never guessed.
import { parseResults, type BenchResult } from './result.js';

/** Numbers in an output line, with thousands separators removed. */
const num = (s: string): number => Number(s.replace(/,/g, ''));

function loadCompile(out: string): BenchResult[] {
  const res: BenchResult[] = [];
  // RSigma's load time is quoted by the issue, not run here: no peer.
  for (const [, which, ms] of out.matchAll(/^load\+compile (cold|warm): (\d+) ms/gm)) {
    const limit = which === 'cold' ? 1500 : 500;
    res.push({ target: 1, label: `load+compile rules*/ ${which}`, figure: num(ms!), unit: 'ms', goal: { on: 'figure', op: '<=', value: limit }, note: 'best of 3 in one process; no peer runs here' });
  }
  return res;
}

/** Readers of the table-printing benchmarks, by the benchmark's file name. */
const READERS: Record<string, (out: string) => BenchResult[]> = {
  'load-compile.js': loadCompile,
};

/**
 * The results of one benchmark's output: its RESULT lines, and for each target it printed none for,
 * what its table says (when there is a reader for it).
 */
export function collect(bench: string, out: string): BenchResult[] {
  const printed = parseResults(out);
  const covered = new Set(printed.map((r) => r.target));
  const read = (READERS[bench]?.(out) ?? []).filter((r) => !covered.has(r.target));
  return [...printed, ...read];
}
