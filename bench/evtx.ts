// EVTX reader benchmark: records/s and MB/s, in one thread and with workers, next to Debian's
// evtxexport timed in the same run. Run: node dist/bench/evtx.js [--big-mb 64]
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeSharedPools, expandEvtxInputs, readEvtx } from '../src/sources/evtx/index.js';
import { buildBigEvtx } from './evtx-bigfile.js';

const DATA = path.resolve(process.cwd(), '../shared/data');
const bigMb = Number(process.argv[process.argv.indexOf('--big-mb') + 1]) || 64;

interface Row { input: string; reader: string; records: number; seconds: number; bytes: number }
const rows: Row[] = [];

async function timeOurs(files: string[], workers: number, xml: boolean): Promise<{ records: number; seconds: number }> {
  const t = process.hrtime.bigint();
  let records = 0;
  for (const f of files) {
    for await (const it of readEvtx(f, { workers, xml, json: !xml })) if (it.kind === 'record') records++;
  }
  return { records, seconds: Number(process.hrtime.bigint() - t) / 1e9 };
}

/** Runs evtxexport -f xml on each file, counting the events it prints. */
async function timeEvtxexport(files: string[]): Promise<{ records: number; seconds: number }> {
  const t = process.hrtime.bigint();
  let records = 0;
  for (const f of files) {
    records += await new Promise<number>((resolve) => {
      const p = spawn('evtxexport', ['-f', 'xml', f], { stdio: ['ignore', 'pipe', 'ignore'] });
      let n = 0, tail = '';
      p.stdout.setEncoding('utf8');
      p.stdout.on('data', (s: string) => {
        const text = tail + s;
        n += text.split('<Event xmlns').length - 1;
        tail = text.slice(-16);
        if (tail.includes('<Event xmlns')) tail = ''; // never count a match twice
      });
      p.on('close', () => resolve(n));
      p.on('error', () => resolve(0));
    });
  }
  return { records, seconds: Number(process.hrtime.bigint() - t) / 1e9 };
}

async function bench(input: string, files: string[]): Promise<void> {
  let bytes = 0;
  for (const f of files) bytes += (await fs.stat(f)).size;
  const cpus = os.availableParallelism();
  await timeOurs(files, 0, false); // warm-up: JIT and page cache, not reported
  const add = (reader: string, r: { records: number; seconds: number }) => rows.push({ input, reader, bytes, ...r });
  add('quarry json, 1 thread', await timeOurs(files, 0, false));
  add(`quarry json, ${cpus} workers`, await timeOurs(files, cpus, false));
  add('quarry xml, 1 thread', await timeOurs(files, 0, true));
  add(`quarry xml, ${cpus} workers`, await timeOurs(files, cpus, true));
  if (hasEvtxexport) add('evtxexport -f xml', await timeEvtxexport(files));
}

const hasEvtxexport = !spawnSync('evtxexport', ['-h'], { stdio: 'ignore' }).error;

const corpus = await expandEvtxInputs([path.join(DATA, 'evtx')]);
await bench(`corpus (${corpus.length} files)`, corpus);
const big = path.join(os.tmpdir(), 'quarry-evtx-bench-big.evtx');
const chunks = await buildBigEvtx(path.join(DATA, 'evtx/evtx-crate/security.evtx'), big, bigMb * 1024 * 1024);
try {
  await bench(`big (${chunks} chunks of security.evtx)`, [big]);
} finally {
  await fs.rm(big, { force: true });
  await closeSharedPools();
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (v: number, n: number) => String(v).padStart(n);
console.log(`${pad('input', 36)} ${pad('reader', 24)} ${num(0, 0) && ''}${'records'.padStart(9)} ${'seconds'.padStart(8)} ${'records/s'.padStart(10)} ${'MB/s'.padStart(7)}`);
for (const r of rows) {
  console.log(`${pad(r.input, 36)} ${pad(r.reader, 24)} ${num(r.records, 9)} ${r.seconds.toFixed(3).padStart(8)} ` +
    `${num(Math.round(r.records / r.seconds), 10)} ${(r.bytes / 1048576 / r.seconds).toFixed(1).padStart(7)}`);
}
for (const input of new Set(rows.map((r) => r.input))) {
  const ours = rows.find((r) => r.input === input && r.reader === 'quarry json, 1 thread');
  const theirs = rows.find((r) => r.input === input && r.reader.startsWith('evtxexport'));
  if (ours && theirs && theirs.records) {
    console.log(`${input}: quarry 1 thread = ${((ours.records / ours.seconds) / (theirs.records / theirs.seconds)).toFixed(1)}x evtxexport records/s`);
  }
}
if (!hasEvtxexport) console.log('evtxexport not on PATH: apt-get install -y libevtx-utils to compare');
console.log(`cpus: ${os.availableParallelism()}, peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
