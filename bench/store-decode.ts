// Reading the rule cache's store back: store-codec.ts's decodeStore against v8.deserialize of the
// same value (the whole SigmaHQ corpus parsed, as the rule cache keeps it), and writing it. Each
// decode runs in a process of its own, the two formats in turn, because most of its cost is garbage
// collection and code not yet optimized, which a second decode in the same process would not pay.
// Figures: wall and CPU time of the call (CPU of all threads: the collector's helpers included) and
// the collector's pauses during it; medians of the runs, and the median of the ratios run by run.
// Usage: node dist/bench/store-decode.js [SIGMA_DIR] [RUNS]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';

type Format = 'v8' | 'codec';
interface Run {
  wall: number;
  cpu: number;
  gc: number;
}

/** One decode of `file` in this process; prints the figures as JSON for the parent. */
async function child(format: Format, file: string): Promise<void> {
  const { decodeStore } = await import('../src/sigma/store-codec.js');
  const bytes = readFileSync(file);
  let gc = 0;
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => (gc += e.duration)));
  observer.observe({ entryTypes: ['gc'] });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = format === 'v8' ? deserialize(bytes) : decodeStore(bytes);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  await new Promise((r) => setTimeout(r, 0)); // the observer reports the pauses afterwards
  observer.disconnect();
  if (!((value as { entries?: unknown }).entries instanceof Map)) throw new Error('not a store');
  process.stdout.write(JSON.stringify({ wall, cpu: (cpu.user + cpu.system) / 1000, gc } satisfies Run));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3] as Format, process.argv[4]!);
  const base = resolve(process.argv[2] ?? '../shared/data/sigmahq');
  const runs = Number(process.argv[3] ?? 9);
  const { parseSigmaPaths } = await import('../src/sigma/load.js');
  const { encodeStore } = await import('../src/sigma/store-codec.js');
  const folders = readdirSync(base).filter((f) => f.startsWith('rules') || f === 'deprecated').map((f) => join(base, f));
  // What the rule cache keeps: each file's parse without its YAML trees, under its hash and status.
  const parsed = parseSigmaPaths(folders).map((f) => ({ ...f, documents: f.documents.map(({ root: _root, ...d }) => d) }));
  const store = { build: 'bench', entries: new Map(parsed.map((f) => [f.file, ['hash', 'status', f]])) };
  const dir = mkdtempSync(join(tmpdir(), 'quarry-bench-store-'));
  try {
    const write = (format: Format) => {
      const t0 = performance.now();
      const bytes = format === 'v8' ? serialize(store) : encodeStore(store);
      const ms = performance.now() - t0;
      writeFileSync(join(dir, format), bytes);
      return { ms, mb: bytes.length / 1e6 };
    };
    const written = { v8: write('v8'), codec: write('codec') };
    const results: Record<Format, Run[]> = { v8: [], codec: [] };
    for (let i = 0; i < runs; i++) {
      for (const format of ['v8', 'codec'] as const) {
        const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', format, join(dir, format)], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`the ${format} run failed: ${r.stderr}`);
        results[format].push(JSON.parse(r.stdout) as Run);
      }
    }
    console.log(`corpus: ${base} (${parsed.length} files); decode figures the median of ${runs} processes each`);
    for (const format of ['v8', 'codec'] as const) {
      const m = (k: keyof Run) => median(results[format].map((r) => r[k])).toFixed(0).padStart(4);
      const name = format === 'v8' ? 'v8.deserialize' : 'store-codec';
      console.log(`${name.padEnd(15)} ${written[format].mb.toFixed(1)} MB: decode ${m('wall')} ms (CPU ${m('cpu')} ms, GC pauses ${m('gc')} ms); encode ${written[format].ms.toFixed(0)} ms (one run, in this process)`);
    }
    const ratio = (k: keyof Run) => median(results.v8.map((r, i) => r[k] / results.codec[i]![k])).toFixed(2);
    console.log(`v8 ÷ store-codec, run by run: wall ${ratio('wall')}×, CPU ${ratio('cpu')}×, GC pauses ${ratio('gc')}×`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
