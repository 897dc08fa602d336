// Correlation throughput and memory: base matches across many groups through the correlator, on
// event time, for event_count, value_count and temporal_ordered correlations at once.
// Prints matches/s and peak RSS, and the groups held at the end (bounded: windows that passed are
// dropped). No peer runs here (no other Sigma correlation engine is installed on this machine).
// Usage: node dist/bench/correlate.js [MATCHES] [GROUPS] [LATENESS_MS]
import { emptyCollection, addParsedFile } from '../src/sigma/collection.js';
import { parseSigmaText } from '../src/sigma/collection.js';
import { resolveCorrelations } from '../src/sigma/correlation-plan.js';
import { Correlator } from '../src/engine/correlation/correlator.js';

const total = Number(process.argv[2] ?? 1_000_000);
const groups = Number(process.argv[3] ?? 100_000);
const lateness = Number(process.argv[4] ?? 60_000);

const rule = (name: string) => `title: ${name}\nname: ${name}\nlogsource:\n    product: test\ndetection:\n    selection:\n        kind: ${name}\n    condition: selection\n`;
const yaml = [
  rule('failed'),
  rule('success'),
  `title: Many failures\ncorrelation:\n    type: event_count\n    rules: [failed]\n    group-by: [User]\n    timespan: 5m\n    condition:\n        gte: 20\n`,
  `title: Many sources\ncorrelation:\n    type: value_count\n    rules: [failed]\n    group-by: [User]\n    timespan: 10m\n    condition:\n        field: Source\n        gte: 5\n`,
  `title: Failure then success\ncorrelation:\n    type: temporal_ordered\n    rules: [failed, success]\n    group-by: [User]\n    timespan: 2m\n    generate: true\n`,
].join('---\n');
const col = emptyCollection();
addParsedFile(col, parseSigmaText(yaml, 'bench.yml'));
const plan = resolveCorrelations(col.rules, col.correlations);
const failed = col.rules[0]!;
const success = col.rules[1]!;

// Events over about a day, slightly out of order (jitter within the lateness), users drawn from `groups`.
let seed = 7;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const start = Date.UTC(2026, 10, 20);
const span = 86_400_000;
const correlator = new Correlator(plan, { latenessMs: lateness });
let peak = process.memoryUsage().rss;
let alerts = 0;
const t0 = performance.now();
for (let i = 0; i < total; i++) {
  const t = start + Math.floor((i / total) * span) - Math.floor(rnd() * lateness * 0.5);
  const user = `user${Math.floor(rnd() * groups)}`;
  const isFailed = rnd() < 0.9;
  alerts += correlator.push({ rule: isFailed ? failed : success, time: t, event: { User: user, Source: `10.0.${Math.floor(rnd() * 8)}.1` }, ref: { file: 'bench', line: i + 1 } }).length;
  if ((i & 0xffff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
}
alerts += correlator.end().length;
const ms = performance.now() - t0;
peak = Math.max(peak, process.memoryUsage().rss);
const s = correlator.stats;
console.log(`correlate: ${total.toLocaleString('en-US')} base matches across ${groups.toLocaleString('en-US')} groups, 3 correlations, lateness ${lateness / 1000} s`);
console.log(`  ${Math.round(total / (ms / 1000)).toLocaleString('en-US')} matches/s (${(ms / 1000).toFixed(2)} s), peak RSS ${(peak / 2 ** 20).toFixed(0)} MB`);
console.log(`  alerts ${alerts.toLocaleString('en-US')}; late ${s.late}; evicted ${s.evicted}; groups held at the end ${correlator.groupsHeld.toLocaleString('en-US')}`);
