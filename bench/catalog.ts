// The explorer's catalog over the whole SigmaHQ corpus: entry and index build time, per-keystroke
// search + facets latency (median and p95 over typed prefixes, with and without facet filters), and
// the JSON size of the entries (what the browser downloads).
// Usage: node dist/bench/catalog.js [SIGMA_DIR]
import { join, resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cpus, loadavg } from 'node:os';
import { loadSigmaPaths } from '../src/sigma/load.js';
import { bundledAttack } from '../src/catalog/attack.js';
import { catalogEntry, uniqueKeys, type CatalogEntry } from '../src/catalog/entry.js';
import { buildIndex, search, textIndex, type CatalogQuery } from '../src/catalog/search.js';
import { coverageMatrix } from '../src/catalog/coverage.js';

const base = resolve(process.argv[2] ?? '../shared/data/sigmahq');
const folders = readdirSync(base).filter((f) => f.startsWith('rules')).map((f) => join(base, f));

const t0 = performance.now();
const attack = bundledAttack();
const entries: CatalogEntry[] = [];
let rejected = 0;
for (const dir of folders) {
  const col = loadSigmaPaths([dir]);
  rejected += col.rejected.length;
  const root = { label: dir.split('/').pop()!, dir };
  for (const d of [...col.rules, ...col.correlations, ...col.filters]) entries.push(catalogEntry(d, root, attack));
}
uniqueKeys(entries);
const t1 = performance.now();
const c1 = process.cpuUsage();
const index = buildIndex(entries);
const tFacets = performance.now();
// The text part is built lazily (first text query, or when the page is idle); timed here on its own.
const words = textIndex(index).words.length;
const t2 = performance.now();
const buildCpu = process.cpuUsage(c1);

/** What a user types, one keystroke at a time. */
function typed(...words: string[]): string[] {
  const out: string[] = [];
  for (const w of words) for (let i = 1; i <= w.length; i++) out.push(w.slice(0, i));
  return out;
}
const texts = [
  ...typed('bitsadmin'),
  ...typed('powershell').map((s) => s),
  ...typed('-enc').map((s) => `powershell ${s}`),
  ...typed('lsass'),
  ...typed('mimikatz'),
  ...typed('certutil'),
  ...typed('level:high').map((s) => `lsass ${s}`),
  ...typed('tag:t1197'),
  ...typed('field:cs-host'),
  ...typed('uncommon tld'),
  ...typed('CommandLine'),
];
const filterSets: Array<[string, CatalogQuery['filters']]> = [
  ['no facet filter', {}],
  ['level=high,critical + product=windows', { level: ['high', 'critical'], product: ['windows'] }],
  ['tactic=stealth + year=2023', { tactic: ['stealth'], year: ['2023'] }],
];

/** Wall time and CPU time (the machine may be shared: CPU time shows the work itself). */
function measure(filters: CatalogQuery['filters'], sort: CatalogQuery['sort']): { times: number[]; cpu: number[]; hits: number } {
  const times: number[] = [];
  const cpu: number[] = [];
  let hits = 0;
  for (let round = 0; round < 3; round++) {
    for (const text of texts) {
      const c = process.cpuUsage();
      const s = performance.now();
      const r = search(index, { text, filters, sort });
      times.push(performance.now() - s);
      const d = process.cpuUsage(c);
      cpu.push((d.user + d.system) / 1000);
      hits += r.total;
    }
  }
  return { times, cpu, hits };
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

// Warm-up (JIT), not reported.
measure({}, 'relevance');
console.log(`corpus: ${base} (${folders.length} folders: ${folders.map((f) => f.split('/').pop()).join(', ')})`);
console.log(`entries: ${entries.length} (${rejected} documents rejected by validation); load+parse+entries ${(t1 - t0).toFixed(0)} ms`);
console.log(`index build: ${(t2 - t1).toFixed(1)} ms (CPU ${((buildCpu.user + buildCpu.system) / 1000).toFixed(0)} ms): facets and sort orders ${(tFacets - t1).toFixed(1)} ms (what the first page waits for), text ${(t2 - tFacets).toFixed(1)} ms, ${words} distinct words`);
console.log(`load average while measuring: ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} cores`);
for (const [label, filters] of filterSets) {
  for (const sort of ['relevance', 'modified'] as const) {
    const { times, cpu } = measure(filters, sort);
    console.log(
      `search+facets, ${label}, sort ${sort}: median ${pct(times, 50).toFixed(2)} ms, p95 ${pct(times, 95).toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms` +
        ` (CPU median ${pct(cpu, 50).toFixed(2)}, p95 ${pct(cpu, 95).toFixed(2)} ms) over ${times.length} keystrokes`,
    );
  }
}
const cs = performance.now();
const m = coverageMatrix(entries, attack);
console.log(`coverage matrix (all entries): ${(performance.now() - cs).toFixed(1)} ms, ${m.tactics.reduce((n, t) => n + t.techniques.filter((x) => x.count).length, 0)} covered technique cells, ${m.unknown.length} ids not placeable`);
const json = JSON.stringify(entries);
console.log(`entries JSON: ${(json.length / 1024 / 1024).toFixed(2)} MB (${(gzipSync(json).length / 1024).toFixed(0)} KB gzipped)`);
