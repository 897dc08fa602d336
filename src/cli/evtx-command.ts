// `evtx dump FILE... [--format jsonl|xml] [--workers N]` and `evtx info FILE...`.
import { parseArgs } from 'node:util';
import { expandEvtxInputs, readEvtx, type EvtxStats } from '../sources/evtx/index.js';
import { stringifyExact } from '../json/stringify-exact.js';
import { terminalText, writeTerminal } from '../report/terminal-text.js';

const USAGE = `usage: evtx dump FILE|DIR... [--format jsonl|xml] [--workers N]
       evtx info FILE|DIR... [--workers N]
`;

/** Characters of records written at once. */
const BATCH_CHARS = 1 << 16;

function write(out: NodeJS.WritableStream, s: string): Promise<void> | void {
  if (!out.write(s)) return new Promise((r) => out.once('drain', () => r()));
}

export async function evtxCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: { format: { type: 'string', default: 'jsonl' }, workers: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    await write(out, terminalText(`${(e as Error).message}\n${USAGE}`));
    return 2;
  }
  const [cmd, ...inputs] = parsed.positionals;
  const format = parsed.values.format;
  if (parsed.values.help || !cmd || !inputs.length || (cmd !== 'dump' && cmd !== 'info') || (format !== 'jsonl' && format !== 'xml')) {
    await write(out, USAGE);
    return parsed.values.help ? 0 : 2;
  }
  const workers = parsed.values.workers !== undefined ? Number(parsed.values.workers) : undefined;
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) {
    await write(out, `--workers must be a non-negative integer\n`);
    return 2;
  }
  let files: string[];
  try {
    files = await expandEvtxInputs(inputs);
  } catch (e) {
    await write(out, terminalText(`${(e as Error).message}\n`));
    return 1;
  }
  let failed = false;
  // dump parses in this thread unless told: its records would cross back from the worker pool as
  // objects, which costs more than parsing them here (slower than one thread on two cores)
  const threads = workers ?? (cmd === 'dump' ? 0 : undefined);
  // Records go out in batches: one write per record cost a system call each (most of a dump to a pipe).
  let batch = '';
  const flush = async () => {
    if (batch) await write(out, batch);
    batch = '';
  };
  for (const file of files) {
    const reader = readEvtx(file, { workers: threads, json: cmd === 'dump' && format === 'jsonl', xml: cmd === 'dump' && format === 'xml' });
    for await (const item of reader) {
      if (cmd !== 'dump') continue;
      if (item.kind === 'error') {
        writeTerminal(process.stderr, `${item.file}@0x${item.offset.toString(16)}: ${item.scope} error: ${item.message}\n`);
        continue;
      }
      batch += format === 'xml' ? (item.xml ?? '') : stringifyExact(item.event) + '\n';
      if (batch.length >= BATCH_CHARS) await flush();
    }
    await flush();
    const s = reader.stats;
    if (s.errors.some((e) => e.scope === 'file')) failed = true;
    if (cmd === 'info') await write(out, terminalText(formatInfo(s)));
  }
  return failed ? 1 : 0;
}

export function formatInfo(s: EvtxStats): string {
  const h = s.header;
  const lines = [`file: ${s.file}`, `size: ${s.fileSize}`];
  if (h) {
    lines.push(
      `format version: ${h.majorVersion}.${h.minorVersion}`,
      `header chunk count: ${h.chunkCount}`,
      `first/last chunk number: ${h.firstChunkNumber}/${h.lastChunkNumber}`,
      `next record id: ${h.nextRecordId}`,
      `flags: 0x${h.flags.toString(16)}${h.isDirty ? ' dirty' : ''}${h.isFull ? ' full' : ''}`,
      `header checksum: ${h.checksumOk ? 'ok' : 'mismatch'}`,
    );
  } else {
    lines.push('header: missing or invalid');
  }
  lines.push(
    `chunks: ${s.chunks}`, `records ok: ${s.recordsOk}`, `records failed: ${s.recordsFailed}`, `records lost: ${s.recordsLost}`,
    `chunk errors: ${s.chunkErrors}`, `crc warnings: ${s.crcWarnings}`,
  );
  for (const e of s.errors) lines.push(`  error @0x${e.offset.toString(16)} (${e.scope}): ${e.message}`);
  for (const w of s.warnings) lines.push(`  warning @0x${w.offset.toString(16)}: ${w.message}`);
  return lines.join('\n') + '\n\n';
}
