// Hunting EVTX-shaped JSON with every Windows rule of the corpus on one core: events/s.
// Measures the engine alone (events already parsed and flattened) and the whole path from an
// NDJSON file (read, parse, flatten, route, match).
// Usage: node dist/bench/hunt-json.js [EVENTS]
import { readdirSync, writeFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { loadSigmaPaths } from '../src/sigma/load.js';
import { builtinPipeline } from '../src/pipeline/builtin.js';
import { prepareRules } from '../src/engine/rulebook.js';
import { hunt } from '../src/hunt/hunt.js';
import { re2Regex } from '../src/engine/regex-re2.js';
import { openSource } from '../src/sources/open-source.js';
import { openEvtxSource } from '../src/sources/evtx-source.js';
import { EventView } from '../src/engine/event-access.js';
import type { LogEvent } from '../src/sources/types.js';

const data = resolve('../shared/data');
const total = Number(process.argv[2] ?? 100_000);
const col = loadSigmaPaths([join(data, 'sigmahq/rules/windows')]);
const prepared = prepareRules(col, { pipelines: [builtinPipeline('windows')!], regex: re2Regex });
const rules = prepared.set.rules.length;

// The SigmaHQ regression events (Sysmon, Security, Defender, TaskScheduler, WMI), repeated.
const reg = join(data, 'sigma-regression');
const samples: LogEvent[] = [];
for (const c of readdirSync(reg).filter((c) => !c.endsWith('.tsv')).sort()) {
  for (const f of readdirSync(join(reg, c)).filter((f) => f.endsWith('.json'))) {
    const src = await openSource(join(reg, c, f));
    for await (const r of src.records()) samples.push(r.event);
  }
}
const file = join(tmpdir(), `quarry-bench-${process.pid}.ndjson`);
const lines: string[] = [];
// Re-nest through the original evtx_dump JSON would need the raw text: write the flattened form,
// which the reader passes through unchanged, so parsing cost is still measured.
for (let i = 0; i < total; i++) lines.push(JSON.stringify(samples[i % samples.length], (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
writeFileSync(file, lines.join('\n') + '\n');
const mb = statSync(file).size / 1e6;

let detections = 0;
let t0 = performance.now();
for (let i = 0; i < total; i++) {
  const ev = new EventView(samples[i % samples.length] as Record<string, unknown>);
  const allowed = prepared.set.prefilter.scan(ev);
  for (const r of prepared.set.index.candidates(ev)) if (allowed.allows(r.index) && (!r.guard || r.guard(ev)) && r.detection(ev)) detections++;
}
const engineMs = performance.now() - t0;
const anchored = prepared.set.prefilter.anchored.filter(Boolean).length;

// The same events without the literal prefilter: what it saves, and a check that it only over-selects.
let fullScan = 0;
t0 = performance.now();
for (let i = 0; i < total / 10; i++) {
  const ev = new EventView(samples[i % samples.length] as Record<string, unknown>);
  for (const r of prepared.set.index.candidates(ev)) if ((!r.guard || r.guard(ev)) && r.detection(ev)) fullScan++;
}
const scanMs = performance.now() - t0;

t0 = performance.now();
const source = await openSource(file);
const summary = await hunt(prepared.set, [{ source }], { regex: re2Regex, onDetection: () => {}, explain: true });
const fullMs = performance.now() - t0;

console.log(`rules: ${rules} Windows rules compiled (${col.rules.length} loaded); events: ${total} (${samples.length} distinct regression events), ${mb.toFixed(1)} MB NDJSON`);
console.log(`engine only: ${Math.round((total / engineMs) * 1000)} events/s (${detections} detections); literal prefilter anchors ${anchored} of ${rules} rules`);
console.log(`engine without prefilter: ${Math.round((total / 10 / scanMs) * 1000)} events/s (${fullScan} detections on ${total / 10} events)`);
console.log(`file → detections (read, parse, route, match, explain): ${Math.round((total / fullMs) * 1000)} events/s, ${(mb / (fullMs / 1000)).toFixed(1)} MB/s (${summary.detections} detections)`);
// A second, more ordinary stream: every record of the public EVTX samples (Security, System,
// Sysmon, PowerShell, BITS, …), already flattened, hunted by the engine alone.
const evtxEvents: LogEvent[] = [];
const evtxDir = join(data, 'evtx');
for (const sub of readdirSync(evtxDir).sort())
  for (const f of readdirSync(join(evtxDir, sub)).filter((f) => f.endsWith('.evtx')).sort()) {
    for await (const r of openEvtxSource(join(evtxDir, sub, f)).records()) evtxEvents.push(r.event);
  }
let evtxDetections = 0;
const evtxRounds = 3;
t0 = performance.now();
for (let k = 0; k < evtxRounds; k++)
  for (const e of evtxEvents) {
    const ev = new EventView(e as Record<string, unknown>);
    const allowed = prepared.set.prefilter.scan(ev);
    for (const r of prepared.set.index.candidates(ev)) if (allowed.allows(r.index) && (!r.guard || r.guard(ev)) && r.detection(ev)) evtxDetections++;
  }
const evtxMs = performance.now() - t0;
console.log(`engine only, public EVTX samples: ${Math.round(((evtxEvents.length * evtxRounds) / evtxMs) * 1000)} events/s (${evtxEvents.length} records × ${evtxRounds}, ${evtxDetections / evtxRounds} detections per pass)`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
