// The judging behind `npm run bench`'s target lines (bench/result.ts) and the reading of the
// benchmarks' output (bench/collect.ts): met and NOT met on each side of a goal, for goals on the
// figure, on the ratio to the peer and on the speed-up over it; a peer that is not set up gives
// "not available" with how to set it up, never a figure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, judge, parseResults, report, summaryTable, targetLine, targetVerdict, type BenchResult } from '../../bench/result.js';
import { collect } from '../../bench/collect.js';
import { findPySigma, findZircolite } from '../../bench/peers.js';
import { BEGIN, END, replaceBlock } from '../../bench/readme-block.js';

const convert = (quarry: number, pysigma: number): BenchResult => ({
  target: 5, label: 'convert rules/', figure: quarry, unit: 's CPU', peer: { name: 'pySigma', figure: pysigma }, goal: { on: 'speedup', op: '>=', value: 10 },
});

test('a goal on the figure: met up to the limit, NOT met past it', () => {
  const load = (ms: number): BenchResult => ({ target: 1, label: 'warm', figure: ms, unit: 'ms', goal: { on: 'figure', op: '<=', value: 500 } });
  assert.equal(judge(load(420)), 'met');
  assert.equal(judge(load(500)), 'met');
  assert.equal(judge(load(501)), 'NOT met');
  assert.equal(targetLine(load(1250)), 'target 1 warm: NOT met (1,250 ms, goal ≤ 500 ms)');
  const rate = (n: number): BenchResult => ({ target: 2, label: 'engine', figure: n, unit: 'events/s', goal: { on: 'figure', op: '>=', value: 100_000 } });
  assert.equal(judge(rate(75_000)), 'NOT met');
  assert.equal(judge(rate(100_000)), 'met');
});

test('a speed-up over the peer: pySigma time ÷ Quarry time against 10×', () => {
  assert.equal(judge(convert(1.52, 11.04)), 'NOT met'); // 7.3×
  assert.equal(judge(convert(1.0, 10.0)), 'met');
  assert.equal(judge(convert(0.9, 11.0)), 'met');
  assert.equal(
    targetLine(convert(1.52, 11.04)),
    'target 5 convert rules/: NOT met (1.52 s CPU vs pySigma 11.0 s CPU = 7.26× (pySigma ÷ Quarry), goal ≥ 10.0×)',
  );
});

test('a ratio to the peer: records/s ÷ evtxexport against 5×, and time ÷ evtxexport against 1', () => {
  const evtx = (ours: number): BenchResult => ({ target: 4, label: 'EVTX', figure: ours, unit: 'records/s', peer: { name: 'evtxexport', figure: 20_000 }, goal: { on: 'ratio', op: '>=', value: 5 } });
  assert.equal(judge(evtx(70_000)), 'NOT met');
  assert.equal(judge(evtx(100_000)), 'met');
  const hunt = (s: number): BenchResult => ({ target: 2, label: 'hunt', figure: s, unit: 's', peer: { name: 'evtxexport', figure: 2.3 }, goal: { on: 'ratio', op: '<=', value: 1 } });
  assert.equal(judge(hunt(2.2)), 'met');
  assert.equal(judge(hunt(4.5)), 'NOT met');
  assert.match(describe(hunt(4.5)), /4\.50 s vs evtxexport 2\.30 s = 1\.96× \(Quarry ÷ evtxexport\), goal ≤ 1\.00×/);
});

test('a peer that is not set up: "not available" with how to set it up, and no ratio', () => {
  const empty = mkdtempSync(join(tmpdir(), 'quarry-no-peers-'));
  const py = findPySigma(empty);
  const zirc = findZircolite(empty);
  assert.equal(py.ok, false);
  assert.equal(zirc.ok, false);
  if (py.ok || zirc.ok) return;
  assert.match(py.why, /pySigma is not set up: run `sh bench\/peers\/setup\.sh`/);
  assert.match(zirc.why, /Zircolite is not set up/);
  const r: BenchResult = { target: 5, label: 'convert rules/', figure: 1.5, unit: 's CPU', peer: { name: 'pySigma', unavailable: py.why }, goal: { on: 'speedup', op: '>=', value: 10 } };
  assert.equal(judge(r), 'not available');
  const line = targetLine(r);
  assert.match(line, /^target 5 convert rules\/: not available \(1\.50 s CPU vs pySigma: peer not available \(pySigma is not set up: run `sh bench\/peers\/setup\.sh`/);
  assert.doesNotMatch(line, /= [\d.]+×/); // no ratio is computed without the peer
  // One unavailable figure keeps the target from being "met"; a figure NOT met outweighs it.
  const met = convert(1, 20);
  assert.equal(targetVerdict([met, r], 5), 'not available');
  assert.equal(targetVerdict([met, convert(3, 20), r], 5), 'NOT met');
  assert.equal(targetVerdict([met], 5), 'met');
  assert.equal(targetVerdict([met], 6), 'not measured');
  assert.match(summaryTable([r], [5, 6]), /5\s+convert rules\/\s+1\.50 s CPU\s+pySigma: not available\s+not available[\s\S]*6\s+\(no figure collected\)\s+not measured[\s\S]*target 5: not available; target 6: not measured/);
});

test('RESULT lines round-trip, and are preferred to reading a table for the same target', () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => lines.push(s);
  try {
    report(convert(1.4, 11));
  } finally {
    console.log = log;
  }
  assert.deepEqual(parseResults(`something else\n${lines[0]}\n`), [convert(1.4, 11)]);

  // load-compile.js's own lines (as it prints them on main): two target-1 figures, judged on the figure.
  const loadOut = 'cold load+validate: 3951 rules in 2712 ms = 1457 rules/s\nload+compile cold: 3370 ms, target < 1500 ms: NOT met\nload+compile warm: 1250 ms, target < 500 ms: NOT met\n';
  const read = collect('load-compile.js', loadOut);
  assert.deepEqual(read.map((r) => [r.label, r.figure, judge(r)]), [['load+compile rules*/ cold', 3370, 'NOT met'], ['load+compile rules*/ warm', 1250, 'NOT met']]);
  const printed = { target: 1, label: 'warm', figure: 420, unit: 'ms', goal: { on: 'figure', op: '<=', value: 500 } } satisfies BenchResult;
  assert.deepEqual(collect('load-compile.js', `${loadOut}RESULT ${JSON.stringify(printed)}\n`), [printed]);
});

test('--write-readme replaces only the block between the markers, and says so when they are missing', () => {
  const readme = `# Quarry\n\n## Performance\n\nintro\n\n${BEGIN}\nold figures\n${END}\n\nafter\n`;
  const written = replaceBlock(readme, 'target 5 convert: NOT met (…)\n');
  assert.equal(written, `# Quarry\n\n## Performance\n\nintro\n\n${BEGIN}\ntarget 5 convert: NOT met (…)\n${END}\n\nafter\n`);
  assert.equal(replaceBlock(written, 'again'), written.replace('target 5 convert: NOT met (…)', 'again'));
  assert.throws(() => replaceBlock('# Quarry\n', 'x'), /README\.md has no "<!-- npm run bench: begin/);
});
