// Issue 14 targets 2, 3 and 6 as a user meets them: whole `quarry hunt` processes with every SigmaHQ
// Windows rule, timed in turn with their peers in the same run (whole-process.ts), medians of the runs.
// - target 2: the public EVTX samples, JSONL out, against Debian's evtxexport printing the same files
//   as XML; and, for information, Zircolite on the same records as JSON lines.
// - target 3: one big EVTX file (the chunks of security.evtx repeated) with --workers 2 against --workers 1,
//   beside what this machine gives two independent processes at all (parallel-ceiling.ts).
// - target 6: peak memory hunting NDJSON of 10 MB against the same records repeated to --memory-mb.
// Usage: node dist/bench/hunt-peer.js [--runs N] [--big-mb MB] [--memory-mb MB] [--only 2,3,6]
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expandEvtxInputs } from '../src/sources/evtx/index.js';
import { buildBigEvtx } from './evtx-bigfile.js';
import { report, type Peer } from './result.js';
import { canTime, median, runOnce, spread, timeInTurn, type Command, type Run } from './whole-process.js';
import { findEvtxexport, findZircolite, REPO } from './peers.js';
import { parallelCeiling } from './parallel-ceiling.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const runs = option('--runs', 3);
const bigMb = option('--big-mb', 64);
const memoryMb = option('--memory-mb', 1024);
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]!.split(',').map(Number) : [2, 3, 6];

const data = resolve(REPO, '../shared/data');
const windowsRules = join(data, 'sigmahq/rules/windows');
const work = mkdtempSync(join(tmpdir(), 'quarry-bench-hunt-'));
const env = { ...process.env, QUARRY_CACHE_DIR: join(work, 'cache') };
const quarry = (...args: string[]): string[] => [process.execPath, join(REPO, 'bin/quarry.js'), 'hunt', '--rules', windowsRules, '--format', 'jsonl', '--quiet', ...args];

const rate = (n: number, r: Run[]) => n / median(r.map((x) => x.wall));
function show(name: string, rs: Run[], extra = ''): void {
  console.log(`  ${name.padEnd(40)} wall ${spread(rs, (r) => r.wall)}  cpu ${spread(rs, (r) => r.cpu)}  peak ${Math.max(...rs.map((r) => r.rssMB)).toFixed(0)} MB${extra}`);
}
/** Runs `quarry evtx dump` once into `path` (the records as JSON lines, evtx_dump's layout); returns the count. */
function dumpJsonl(inputs: string[], path: string): number {
  const out = runOnce({ name: 'dump', argv: [process.execPath, join(REPO, 'bin/quarry.js'), 'evtx', 'dump', ...inputs] }, path);
  if (out.status !== 0 && out.status !== 3) throw new Error(`quarry evtx dump failed (${out.status}): ${out.stderrTail}`);
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).length;
}

try {
  if (!canTime()) throw new Error('GNU time (/usr/bin/time) is needed for whole-process figures: apt-get install -y time');
  const evtxFiles = await expandEvtxInputs([join(data, 'evtx')]);
  const samples = join(work, 'samples.jsonl');
  const records = dumpJsonl(evtxFiles, samples);

  if (only.includes(2)) {
    const ex = findEvtxexport();
    const zirc = findZircolite();
    const commands: Command[] = [
      { name: 'quarry hunt, EVTX samples, JSONL out', argv: quarry(join(data, 'evtx')), env },
    ];
    // evtxexport takes one file: a shell runs it over each, and GNU time counts the shell's children.
    if (ex.ok) commands.push({ name: 'evtxexport -f xml, same files', argv: ['sh', '-c', 'for f in "$@"; do evtxexport -f xml "$f"; done', 'sh', ...evtxFiles] });
    commands.push({ name: 'quarry hunt, same records as JSONL', argv: quarry(samples), env });
    if (zirc.ok) commands.push({ name: 'Zircolite, same records as JSONL', argv: [...zirc.argv, '-e', samples, '-o', join(work, 'zircolite.json'), '-l', join(work, 'zircolite.log')], cwd: zirc.cwd, env: zirc.env });
    const timed = timeInTurn(commands, runs, 1);
    console.log(`target 2: ${evtxFiles.length} EVTX files, ${records} records; ${runs} runs each in turn after a warm-up`);
    commands.forEach((c, i) => show(c.name, timed[i]!));
    const at = (name: string) => timed[commands.findIndex((c) => c.name.startsWith(name))];
    const wall = (rs: Run[] | undefined) => median(rs!.map((r) => r.wall));
    const cpu = (rs: Run[] | undefined) => median(rs!.map((r) => r.cpu));
    const exPeer: Peer = ex.ok ? { name: 'evtxexport', figure: wall(at('evtxexport')) } : { name: 'evtxexport', unavailable: ex.why };
    report({ target: 2, label: 'hunt EVTX samples, whole process, wall', figure: wall(at('quarry hunt, EVTX')), unit: 's', peer: exPeer, goal: { on: 'ratio', op: '<=', value: 1 }, note: `median of ${runs} runs in turn` });
    if (ex.ok) report({ target: 2, label: 'hunt EVTX samples, whole process, CPU', figure: cpu(at('quarry hunt, EVTX')), unit: 's CPU', peer: { name: 'evtxexport', figure: cpu(at('evtxexport')) }, note: 'for information: this machine is shared' });
    const zPeer: Peer = zirc.ok ? { name: 'Zircolite', figure: cpu(at('Zircolite')) } : { name: 'Zircolite', unavailable: zirc.why };
    report({ target: 2, label: 'hunt the same records as JSONL, CPU', figure: cpu(at('quarry hunt, same')), unit: 's CPU', peer: zPeer, note: zirc.ok ? zirc.version : 'for information' });
  }

  if (only.includes(3)) {
    const big = join(work, 'big.evtx');
    const chunks = await buildBigEvtx(join(data, 'evtx/evtx-crate/security.evtx'), big, bigMb * 1024 * 1024);
    const bigRecords = dumpJsonl([big], join(work, 'big.jsonl'));
    rmSync(join(work, 'big.jsonl'));
    // The smallest sample, hunted the same way, stands for what does not depend on the input (start-up,
    // loading and compiling the rules, which workers do not share out): the hunting rate is the
    // records over the time above it.
    const tiny = join(data, 'evtx/windows/mdec-system-7045-new-service.evtx');
    const commands: Command[] = [
      { name: 'quarry hunt --workers 1', argv: quarry('--workers', '1', big), env },
      { name: 'quarry hunt --workers 2', argv: quarry('--workers', '2', big), env },
      { name: 'quarry hunt, one small file (fixed cost)', argv: quarry('--workers', '1', tiny), env },
      // Two whole one-thread hunts of the file at once, sharing nothing: what two threads of this very
      // work get from this machine when nothing has to be coordinated (GNU time counts both children).
      { name: 'two quarry hunt --workers 1 at once', argv: ['sh', '-c', '"$@" & "$@"; wait', 'sh', ...quarry('--workers', '1', big)], env },
    ];
    // What two threads can get here at all, measured just before and after the workers' runs.
    const before = await parallelCeiling(runs);
    const timed = timeInTurn(commands, runs, 1);
    const after = await parallelCeiling(runs);
    console.log(`target 3: ${(statSync(big).size / 1048576).toFixed(0)} MB EVTX (${chunks} chunks of security.evtx), ${bigRecords} records`);
    commands.forEach((c, i) => show(c.name, timed[i]!, i < 2 ? `  ${Math.round(rate(bigRecords, timed[i]!))} records/s whole process` : i === 3 ? `  ${Math.round(rate(2 * bigRecords, timed[i]!))} records/s of both` : ''));
    const fixed = median(timed[2]!.map((r) => r.wall));
    const huntRate = (rs: Run[]) => bigRecords / (median(rs.map((r) => r.wall)) - fixed);
    report({
      target: 3, label: `hunt ${bigMb} MB EVTX, 2 workers vs 1, hunting rate`, figure: huntRate(timed[1]!), unit: 'records/s',
      peer: { name: '--workers 1', figure: huntRate(timed[0]!) }, goal: { on: 'ratio', op: '>=', value: 1.7 },
      note: `records ÷ (median wall − median wall of the small file's hunt), ${runs} runs in turn`,
    });
    report({
      target: 3, label: `hunt ${bigMb} MB EVTX, 2 workers vs 1, whole process`, figure: rate(bigRecords, timed[1]!), unit: 'records/s',
      peer: { name: '--workers 1', figure: rate(bigRecords, timed[0]!) }, note: 'for information: start-up and loading the rules included',
    });
    const ceiling = (before.ratio + after.ratio) / 2;
    console.log(`  this machine's ceiling: two workload processes at once do ${before.ratio.toFixed(2)}× (before) and ${after.ratio.toFixed(2)}× (after) the work of one alone`);
    report({
      target: 3, label: 'ceiling: two independent processes vs one', figure: ceiling, unit: '×',
      note: `for information: parallel-ceiling.ts (parsing JSON records), mean of before and after the workers' runs; 2× needs two free cores`,
    });
    report({
      target: 3, label: 'ceiling: two one-thread hunts at once vs one, hunting rate', figure: (2 * bigRecords) / (median(timed[3]!.map((r) => r.wall)) - fixed), unit: 'records/s',
      peer: { name: 'one alone', figure: huntRate(timed[0]!) },
      note: 'for information: the same file hunted by two whole processes at once; what two threads of this work can get here at all',
    });
  }

  if (only.includes(6)) {
    // The sample records repeated into NDJSON of 10 MB and of --memory-mb: same events, same rules.
    const text = readFileSync(samples, 'utf8');
    const write = async (path: string, mb: number): Promise<void> => {
      const out = createWriteStream(path);
      for (let bytes = 0; bytes < mb * 1e6; bytes += text.length) if (!out.write(text)) await once(out, 'drain');
      out.end();
      await once(out, 'finish');
    };
    const small = join(work, 'small.ndjson');
    const large = join(work, 'large.ndjson');
    await write(small, 10);
    await write(large, memoryMb);
    const smallRun = timeInTurn([{ name: 'small', argv: quarry(small), env }], 1, 1)[0]!;
    const largeRun = timeInTurn([{ name: 'large', argv: quarry(large), env }], 1, 0)[0]!;
    console.log(`target 6: hunt NDJSON of ${(statSync(small).size / 1e6).toFixed(0)} MB and ${(statSync(large).size / 1e6).toFixed(0)} MB (the EVTX samples' records repeated)`);
    show('10 MB', smallRun);
    show(`${memoryMb} MB`, largeRun);
    const peak = (rs: Run[]) => Math.max(...rs.map((r) => r.rssMB));
    report({
      target: 6, label: `peak memory, hunt ${memoryMb} MB NDJSON vs 10 MB`, figure: peak(largeRun), unit: 'MB',
      peer: { name: 'same hunt on 10 MB', figure: peak(smallRun) }, goal: { on: 'ratio', op: '<=', value: 1.25 },
      note: 'flat: at most 1.25× the 10 MB peak (GNU time, maximum resident set)',
    });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
