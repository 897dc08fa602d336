// The explorer on the whole SigmaHQ corpus: server startup (rules loaded, entries built, listening),
// then GET /api/catalog (size as sent, gzip and plain, and time), the first and second GET of the
// seed rule's detail (its translations, unchecked), then its checks (the validators, the Kusto
// language service loaded on the first), each with the server's CPU time.
// Usage: node dist/bench/explore.js [SIGMA_DIR]
import { join, resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { startExplorer } from '../src/server/index.js';

const base = resolve(process.argv[2] ?? '../shared/data/sigmahq');
const folders = readdirSync(base).filter((f) => f.startsWith('rules')).sort().map((f) => join(base, f));

const t0 = performance.now();
const explorer = await startExplorer({ rules: folders, hunts: [], demo: false, port: 0, log: () => {} });
const t1 = performance.now();

async function timed(path: string, headers: Record<string, string> = {}): Promise<{ ms: number; cpu: number; bytes: number; status: number }> {
  const s = performance.now();
  const c = process.cpuUsage();
  const r = await fetch(new URL(path, explorer.url), { headers });
  const body = Buffer.from(await r.arrayBuffer());
  const used = process.cpuUsage(c);
  return { ms: performance.now() - s, cpu: (used.user + used.system) / 1000, bytes: Number(r.headers.get('content-length') ?? body.length), status: r.status };
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const gz1 = await timed('/api/catalog', { 'Accept-Encoding': 'gzip' });
const gz2 = await timed('/api/catalog', { 'Accept-Encoding': 'gzip' });
const plain = await timed('/api/catalog', { 'Accept-Encoding': 'identity' });
const key = explorer.state.documents.find((d) => d.path.endsWith('proxy_ua_bitsadmin_susp_tld.yml'))!.key;
const d1 = await timed(`/api/rules/${encodeURIComponent(key)}`);
const d2 = await timed(`/api/rules/${encodeURIComponent(key)}`);
const c1 = await timed(`/api/rules/${encodeURIComponent(key)}/checks`);
const win = explorer.state.documents.find((d) => d.path.endsWith('proc_creation_win_bitsadmin_download.yml'));
const d3 = win ? await timed(`/api/rules/${encodeURIComponent(win.key)}`) : null;

console.log(`explore: ${explorer.state.col.rules.length} rules, ${explorer.state.col.correlations.length} correlations, ${explorer.state.col.filters.length} filters, ${explorer.state.col.rejected.length} rejected, from ${folders.length} roots`);
console.log(`  startup                 ${fmt(t1 - t0)} ms (rules and entries ${fmt(explorer.startupMs.rules)} ms)`);
console.log(`  GET /api/catalog gzip   ${fmt(gz1.bytes)} bytes, ${fmt(gz1.ms)} ms first, ${fmt(gz2.ms)} ms second (serialised and compressed at startup)`);
console.log(`  GET /api/catalog plain  ${fmt(plain.bytes)} bytes, ${fmt(plain.ms)} ms`);
console.log(`  GET /api/rules/<seed>   ${fmt(d1.ms)} ms (${fmt(d1.cpu)} ms CPU) first (translations, unchecked), ${fmt(d2.ms)} ms cached, ${fmt(d1.bytes)} bytes`);
console.log(`  GET /api/rules/<seed>/checks ${fmt(c1.ms)} ms (${fmt(c1.cpu)} ms CPU) first (validators loaded: Kusto, DuckDB)`);
if (d3) console.log(`  GET /api/rules/<windows rule> ${fmt(d3.ms)} ms (${fmt(d3.cpu)} ms CPU) first`);
await explorer.close();
