// Reading + flattening speed of the JSON reader on ~100 MB of EVTX-shaped events.
// Run: npx tsc -p tsconfig.json && node dist/bench/json-read.js [sizeMB]
// The events are SigmaHQ's regression events (../shared/data), repeated with changing record ids.

import { createWriteStream, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSource } from '../src/sources/open-source.js';

const sizeMB = Number(process.argv[2] ?? 100);
const DATA = fileURLToPath(new URL('../../../shared/data/sigma-regression/', import.meta.url));

function sampleEvents(): Record<string, any>[] {
  const events: Record<string, any>[] = [];
  if (existsSync(DATA)) {
    for (const dir of readdirSync(DATA).sort()) {
      if (!statSync(join(DATA, dir)).isDirectory()) continue;
      for (const f of readdirSync(join(DATA, dir)).filter((f) => f.endsWith('.json'))) {
        const text = readFileSync(join(DATA, dir, f), 'utf8');
        for (const part of text.split(/^(?=\{)/m)) if (part.trim()) events.push(JSON.parse(part));
      }
    }
  }
  if (events.length === 0) throw new Error(`no sample events under ${DATA}`);
  return events;
}

async function generate(path: string, pretty: boolean): Promise<{ bytes: number; events: number }> {
  const samples = sampleEvents();
  const out = createWriteStream(path);
  let bytes = 0;
  let events = 0;
  while (bytes < sizeMB * 1e6) {
    const e = samples[events % samples.length]!; // sampleEvents() returns at least one
    e.Event.System.EventRecordID = events + 1;
    const line = (pretty ? JSON.stringify(e, null, 2) : JSON.stringify(e)) + '\n';
    bytes += Buffer.byteLength(line);
    events++;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { bytes, events };
}

async function measure(label: string, path: string, bytes: number, expected: number, normalize: boolean): Promise<void> {
  const t0 = process.hrtime.bigint();
  const src = await openSource(path, { normalize });
  let n = 0;
  let check = 0;
  for await (const r of src.records()) {
    n++;
    if (typeof r.event.EventID === 'number') check++;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (n !== expected || src.problemCount !== 0) throw new Error(`${label}: read ${n}/${expected}, ${src.problemCount} problems`);
  if (normalize && check !== n) throw new Error(`${label}: ${n - check} events not flattened`);
  const rssMB = process.resourceUsage().maxRSS / 1024;
  console.log(
    `${label.padEnd(34)} ${String(n).padStart(7)} events  ${s.toFixed(2).padStart(6)} s  ` +
      `${Math.round(n / s).toLocaleString('en').padStart(9)} events/s  ${(bytes / 1e6 / s).toFixed(1).padStart(6)} MB/s  peak RSS ${rssMB.toFixed(0)} MB`,
  );
}

const ndjson = join(tmpdir(), `quarry-bench-${process.pid}.ndjson`);
const pretty = join(tmpdir(), `quarry-bench-${process.pid}.json`);
try {
  const a = await generate(ndjson, false);
  const b = await generate(pretty, true);
  console.log(`node ${process.version}; NDJSON ${(a.bytes / 1e6).toFixed(0)} MB, pretty ${(b.bytes / 1e6).toFixed(0)} MB (evtx_dump layout)`);
  await measure('NDJSON, read + flatten', ndjson, a.bytes, a.events, true);
  await measure('NDJSON, read only', ndjson, a.bytes, a.events, false);
  await measure('pretty concatenated, read + flatten', pretty, b.bytes, b.events, true);
} finally {
  rmSync(ndjson, { force: true });
  rmSync(pretty, { force: true });
}
