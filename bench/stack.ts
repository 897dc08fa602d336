// `quarry stack` over a million generated proxy lines: parse, map, enrich and count, in memory and
// through DuckDB. Usage: node dist/bench/stack.js [LINES]
import { createWriteStream, statSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProxyLogChunks } from '../src/generate/index.js';
import { openSource } from '../src/sources/open-source.js';
import { stack } from '../src/hunt/stack.js';
import { stackWithDuckDb } from '../src/hunt/stack-duckdb.js';

const lines = Number(process.argv[2] ?? 1_000_000);
const file = join(tmpdir(), `quarry-stack-bench-${process.pid}.log`);
const out = createWriteStream(file);
for (const chunk of generateProxyLogChunks({ seed: 'bench', lines, format: 'w3c' })) if (!out.write(chunk)) await once(out, 'drain');
out.end();
await once(out, 'finish');
const mb = statSync(file).size / 1e6;
const opts = { by: 'cs-host@tld' };

let t0 = performance.now();
const mem = await stack([await openSource(file)], opts);
const memMs = performance.now() - t0;
const db = join(tmpdir(), `quarry-stack-bench-${process.pid}.duckdb`);
t0 = performance.now();
const viaDb = await stackWithDuckDb([await openSource(file)], opts, db);
const dbMs = performance.now() - t0;
rmSync(file);
rmSync(db, { force: true });
console.log(`input: ${lines} W3C (ELFF) lines, ${mb.toFixed(0)} MB; --by cs-host@tld: ${mem.rows.length} distinct values`);
console.log(`stack in memory: ${(memMs / 1000).toFixed(2)} s = ${Math.round((lines / memMs) * 1000)} lines/s`);
console.log(`stack through DuckDB (events kept): ${(dbMs / 1000).toFixed(2)} s = ${Math.round((lines / dbMs) * 1000)} lines/s; same rows: ${JSON.stringify(mem.rows) === JSON.stringify(viaDb.rows)}`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
