// The issue-14 figures of the benchmarks that print tables rather than RESULT lines (result.ts), read
// from their text output. A benchmark that prints RESULT lines for a target is taken at its word and
// its table is not read for that target (see collect()); a figure that is not found is reported as
// missing, never guessed.
import { parseResults, type BenchResult, type Peer } from './result.js';
import { median } from './whole-process.js';

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

function huntJson(out: string): BenchResult[] {
  const res: BenchResult[] = [];
  const reg = /^engine only: ([\d,]+) events\/s/m.exec(out);
  if (reg) res.push({ target: 2, label: 'engine alone, regression events', figure: num(reg[1]!), unit: 'events/s', goal: { on: 'figure', op: '>=', value: 30_000 }, note: 'one core, every Windows rule' });
  const evtx = /^engine only, public EVTX samples: ([\d,]+) events\/s/m.exec(out);
  if (evtx) res.push({ target: 2, label: 'engine alone, public EVTX samples', figure: num(evtx[1]!), unit: 'events/s', goal: { on: 'figure', op: '>=', value: 100_000 }, note: 'one core, every Windows rule' });
  return res;
}

/** The median events/s of every line of json-read's table whose label starts with `label`. */
function jsonReadRate(out: string, label: string): number | undefined {
  const rates: number[] = [];
  for (const line of out.split('\n')) {
    if (!line.startsWith(label)) continue;
    const m = /([\d,]+) events\/s/.exec(line);
    if (m) rates.push(num(m[1]!));
  }
  return rates.length ? median(rates) : undefined;
}

function jsonRead(out: string): BenchResult[] {
  const ours = jsonReadRate(out, 'NDJSON, read only');
  if (ours === undefined) return [];
  const parse = jsonReadRate(out, 'JSON.parse');
  const peer: Peer = parse !== undefined ? { name: 'JSON.parse', figure: parse } : { name: 'JSON.parse', unavailable: 'json-read.js printed no JSON.parse row to compare with' };
  return [{ target: 4, label: 'NDJSON read, same file', figure: ours, unit: 'events/s', peer, goal: { on: 'ratio', op: '>=', value: 0.8 }, note: 'median of the rows, same process' }];
}

function evtx(out: string): BenchResult[] {
  // Rows: input (36 wide), reader (24 wide), records, seconds, records/s, MB/s.
  const rows = [...out.matchAll(/^(.{36}) (.{24}) +(\d+) +([\d.]+) +(\d+) +([\d.]+)$/gm)].map((m) => ({
    input: m[1]!.trim(),
    reader: m[2]!.trim(),
    rate: num(m[5]!),
  }));
  const inputs = [...new Set(rows.map((r) => r.input))];
  const input = inputs.find((i) => i.startsWith('big')) ?? inputs[0];
  if (input === undefined) return [];
  // Like for like: XML out of both (Quarry renders the records as XML; evtxexport prints them as XML).
  const ours = rows.find((r) => r.input === input && r.reader === 'quarry xml, 1 thread');
  const theirs = rows.find((r) => r.input === input && r.reader.startsWith('evtxexport'));
  if (!ours) return [];
  const peer: Peer = theirs ? { name: 'evtxexport -f xml', figure: theirs.rate } : { name: 'evtxexport', unavailable: 'evtxexport not on PATH: apt-get install -y libevtx-utils' };
  return [{ target: 4, label: `EVTX to XML, one thread, ${input}`, figure: ours.rate, unit: 'records/s', peer, goal: { on: 'ratio', op: '>=', value: 5 }, note: 'like for like: XML from both' }];
}

/** Readers of the table-printing benchmarks, by the benchmark's file name. */
const READERS: Record<string, (out: string) => BenchResult[]> = {
  'load-compile.js': loadCompile,
  'hunt-json.js': huntJson,
  'json-read.js': jsonRead,
  'evtx.js': evtx,
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
