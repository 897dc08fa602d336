// Reading speed of the proxy/web log readers: lines/s and MB/s per format on generated logs
// (default 1,000,000 records each, written to os.tmpdir() and removed afterwards), with the peak RSS
// of the process that read them. Each format is read in its own child process, so each peak is its
// own and one format's garbage does not slow the next.
// Run: npx tsc -p tsconfig.json && node dist/bench/proxy-read.js [lines] [format…]
// Target (issue 4): at least 200,000 W3C lines/s per core.

import { spawnSync } from 'node:child_process';
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateProxyLogChunks, GENERATE_FORMATS, type GenerateFormat } from '../src/generate/index.js';
import { openSource } from '../src/sources/open-source.js';

const FORMATS: GenerateFormat[] = ['w3c', 'w3c-iis', 'squid', 'squid-native', 'zeek-tsv', 'zeek-json', 'bits-json'];

async function writeLog(path: string, format: GenerateFormat, lines: number): Promise<number> {
  const out = createWriteStream(path);
  for (const chunk of generateProxyLogChunks({ seed: 'bench', lines, format })) if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  return statSync(path).size;
}

/** Child: read one file, print one JSON line of figures. */
async function readOne(path: string, expected: number): Promise<void> {
  const bytes = statSync(path).size;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const src = await openSource(path);
  let n = 0;
  for await (const r of src.records()) if (r.event) n++;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  if (n !== expected || src.problemCount !== 0) throw new Error(`${path}: read ${n}/${expected} records, ${src.problemCount} problems`);
  process.stdout.write(JSON.stringify({ format: src.format, n, bytes, s, cpuS: (cpu.user + cpu.system) / 1e6, rssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return readOne(process.argv[3]!, Number(process.argv[4]));
  const lines = Number(process.argv[2] ?? 1_000_000);
  const formats = process.argv.length > 3 ? (process.argv.slice(3) as GenerateFormat[]) : FORMATS;
  for (const f of formats) if (!GENERATE_FORMATS.includes(f)) throw new Error(`unknown format ${f}`);
  const self = fileURLToPath(import.meta.url);
  console.log(`proxy log reading, ${lines.toLocaleString('en-US')} generated records per format (Node ${process.version})`);
  console.log('format        reader     records   MB      s      lines/s    MB/s   lines/s/CPU-s  peak RSS');
  for (const format of formats) {
    const path = join(tmpdir(), `quarry-bench-${process.pid}-${format}.log`);
    try {
      await writeLog(path, format, lines);
      const r = spawnSync(process.execPath, [self, '--child', path, String(lines)], { encoding: 'utf8' });
      if (r.status !== 0) {
        console.log(`${format}: failed\n${r.stderr}`);
        continue;
      }
      const m = JSON.parse(r.stdout.trim()) as { format: string; n: number; bytes: number; s: number; cpuS: number; rssMB: number };
      const mb = m.bytes / 1e6;
      console.log(
        `${format.padEnd(13)} ${m.format.padEnd(9)} ${String(m.n).padStart(9)} ${mb.toFixed(0).padStart(5)} ${m.s.toFixed(2).padStart(6)} ${Math.round(m.n / m.s).toLocaleString('en-US').padStart(10)} ${(mb / m.s).toFixed(1).padStart(6)} ${Math.round(m.n / m.cpuS).toLocaleString('en-US').padStart(14)}  ${m.rssMB.toFixed(0)} MB`,
      );
    } finally {
      rmSync(path, { force: true });
    }
  }
}

await main();
