// Memory of `--sort time` (report/time-sort.ts): detections shaped like EVTX ones (an event of
// about 1 KB), in random time order, through the sorter with its default run size and with
// everything in one run (the in-memory sort it replaces). Prints detections/s, runs spilled and
// peak heap and RSS: with spilling the peak stays near one run whatever the number of detections.
// Usage: node dist/bench/time-sort.js [DETECTIONS] [RUN_SIZE]   (RUN_SIZE 0: no spilling)
import type { HuntDetection } from '../src/hunt/detection.js';
import { DEFAULT_RUN_SIZE, TimeSorter } from '../src/report/time-sort.js';

const total = Number(process.argv[2] ?? 200_000);
const runSize = Number(process.argv[3] ?? DEFAULT_RUN_SIZE) || Number.POSITIVE_INFINITY;

let seed = 11;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const start = Date.UTC(2021, 0, 1);
const filler = 'x'.repeat(700);
const detection = (i: number): HuntDetection => ({
  rule: { id: 'r', title: `Rule ${i % 40}`, level: 'high', path: 'rules/r.yml', tags: ['attack.t1059.001'] },
  source: { file: `evtx/host${i % 8}.evtx`, record: i + 1 },
  timestamp: new Date(start + Math.floor(rnd() * 365 * 86_400_000)).toISOString(),
  event: { EventID: 4688, Computer: `host${i % 8}.corp`, Channel: 'Security', EventRecordID: i + 1, CommandLine: `${filler} ${i}`, NewProcessName: 'C:\\Windows\\System32\\cmd.exe' },
  matched: [{ selection: 'selection', field: 'CommandLine', modifiers: ['contains'], value: '*x*', eventValue: `${filler} ${i}` }],
});

const sorter = new TimeSorter(runSize);
let peakHeap = 0;
let peakRss = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakRss = Math.max(peakRss, m.rss);
};
const t0 = performance.now();
for (let i = 0; i < total; i++) {
  await sorter.add(detection(i));
  if ((i & 0x3ff) === 0) sample();
}
let n = 0;
let last = '';
for await (const d of sorter.drain()) {
  if (d.timestamp! < last) throw new Error(`out of order at ${n}`);
  last = d.timestamp!;
  if ((++n & 0x3ff) === 0) sample();
}
const ms = performance.now() - t0;
if (n !== total) throw new Error(`${n} of ${total} came back`);
console.log(`time-sort: ${total.toLocaleString('en-US')} detections (~1 KB events), run size ${runSize === Number.POSITIVE_INFINITY ? 'unbounded (no spill)' : runSize.toLocaleString('en-US')}`);
console.log(`  ${Math.round(total / (ms / 1000)).toLocaleString('en-US')} detections/s (${(ms / 1000).toFixed(1)} s), ${sorter.spilled} runs spilled, peak heap ${(peakHeap / 2 ** 20).toFixed(0)} MB, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB`);
