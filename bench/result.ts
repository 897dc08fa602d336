// One figure a benchmark measured for an issue-14 target, the peer measured beside it in the same run,
// and the goal it is judged against. A benchmark calls report() to print it as one `RESULT {json}`
// line; run-all collects those lines from every benchmark's output and prints the target lines and the
// summary. The judging and the wording are pure functions, so a test can pin them.

/** The program measured beside Quarry, or why it could not run (never a made-up figure). */
export interface Peer {
  name: string;
  /** Same unit as the figure; absent when the peer did not run. */
  figure?: number;
  /** Why the peer did not run and how to set it up; present exactly when `figure` is absent. */
  unavailable?: string;
}

/**
 * What the target asks. `on`:
 * - `figure`: the figure itself against `value` (e.g. load time ≤ 500 ms);
 * - `ratio`: figure ÷ peer (e.g. our records/s ÷ evtxexport's ≥ 5; our time ÷ evtxexport's ≤ 1);
 * - `speedup`: peer ÷ figure, for times where "N× faster" is how the target is written.
 */
export interface Goal {
  on: 'figure' | 'ratio' | 'speedup';
  op: '<=' | '>=';
  value: number;
}

export interface BenchResult {
  /** Issue 14's target number, 1–6. */
  target: number;
  /** Which of the target's figures, e.g. "warm load+compile" (a target may have several). */
  label: string;
  figure: number;
  unit: string;
  peer?: Peer;
  /** Absent for a figure printed for information only (it is not judged). */
  goal?: Goal;
  /** How it was measured, in a few words (runs, min or median, input). */
  note?: string;
}

export type Verdict = 'met' | 'NOT met' | 'not available';

const PREFIX = 'RESULT ';

/** Prints a result as one line run-all collects; benchmarks print their own tables as they like. */
export function report(result: BenchResult): void {
  console.log(PREFIX + JSON.stringify(result));
}

/** The results in a benchmark's output, in order; other lines are ignored. */
export function parseResults(output: string): BenchResult[] {
  const out: BenchResult[] = [];
  for (const line of output.split('\n')) {
    if (line.startsWith(PREFIX)) out.push(JSON.parse(line.slice(PREFIX.length)) as BenchResult);
  }
  return out;
}

/** The quantity the goal compares, or undefined when it needs a peer that did not run. */
export function compared(r: BenchResult): number | undefined {
  if (!r.goal || r.goal.on === 'figure') return r.figure;
  const peer = r.peer?.figure;
  if (peer === undefined) return undefined;
  return r.goal.on === 'ratio' ? r.figure / peer : peer / r.figure;
}

export function judge(r: BenchResult): Verdict | undefined {
  if (!r.goal) return undefined;
  const q = compared(r);
  if (q === undefined || !Number.isFinite(q)) return 'not available';
  return (r.goal.op === '<=' ? q <= r.goal.value : q >= r.goal.value) ? 'met' : 'NOT met';
}

/** A figure with its unit, rounded for reading: 3 significant digits, thousands grouped. */
export function formatFigure(value: number, unit: string): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return `${value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
}

function formatRatio(q: number): string {
  return `${q.toFixed(q >= 10 ? 1 : 2)}×`;
}

/** "figure vs goal": the figure, the peer beside it, and what the goal compares. */
export function describe(r: BenchResult): string {
  const ours = formatFigure(r.figure, r.unit);
  const peer = !r.peer
    ? ''
    : r.peer.figure !== undefined
      ? ` vs ${r.peer.name} ${formatFigure(r.peer.figure, r.unit)}`
      : ` vs ${r.peer.name}: peer not available (${r.peer.unavailable ?? 'no reason given'})`;
  if (!r.goal) return ours + peer;
  const q = compared(r);
  const goal = r.goal.on === 'figure' ? formatFigure(r.goal.value, r.unit) : formatRatio(r.goal.value);
  const what = r.goal.on === 'speedup' ? `${r.peer?.name ?? 'peer'} ÷ Quarry` : r.goal.on === 'ratio' ? `Quarry ÷ ${r.peer?.name ?? 'peer'}` : '';
  const value = q === undefined ? '' : r.goal.on === 'figure' ? '' : ` = ${formatRatio(q)} (${what})`;
  return `${ours}${peer}${value}, goal ${r.goal.op === '<=' ? '≤' : '≥'} ${goal}`;
}

/** `target N: met|NOT met|not available (figure vs goal)`, with the label when a target has several. */
export function targetLine(r: BenchResult): string {
  const verdict = judge(r) ?? 'for information';
  return `target ${r.target} ${r.label}: ${verdict} (${describe(r)})`;
}

/**
 * One verdict per target over all its judged figures: NOT met if any is not met, else not
 * available if any could not be judged, else met; a target with no figure at all is "not measured".
 */
export function targetVerdict(results: BenchResult[], target: number): Verdict | 'not measured' {
  const verdicts = results.filter((r) => r.target === target).map(judge).filter((v): v is Verdict => v !== undefined);
  if (verdicts.length === 0) return 'not measured';
  if (verdicts.includes('NOT met')) return 'NOT met';
  if (verdicts.includes('not available')) return 'not available';
  return 'met';
}

/** The summary table: one row per judged figure, grouped by target, then each target's verdict. */
export function summaryTable(results: BenchResult[], targets: readonly number[]): string {
  const rows: string[][] = [['target', 'figure', 'Quarry', 'peer', 'verdict']];
  for (const t of targets) {
    const mine = results.filter((r) => r.target === t);
    if (mine.length === 0) rows.push([String(t), '(no figure collected)', '', '', 'not measured']);
    for (const r of mine) {
      const peer = !r.peer ? '' : r.peer.figure !== undefined ? `${r.peer.name} ${formatFigure(r.peer.figure, r.unit)}` : `${r.peer.name}: not available`;
      rows.push([String(t), r.label, formatFigure(r.figure, r.unit), peer, judge(r) ?? 'info']);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  lines.push('', targets.map((t) => `target ${t}: ${targetVerdict(results, t)}`).join('; '));
  return lines.join('\n');
}
