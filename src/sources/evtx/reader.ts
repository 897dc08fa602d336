// Streaming reader: reads the file chunk by chunk, parses chunks in this thread or in a worker
// pool, and yields records and errors in file order.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import os from 'node:os';
import { parseChunk, type ChunkJob } from './chunk.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE, parseFileHeader } from './file-header.js';
import type { ChunkResult, EvtxError, EvtxOptions, EvtxRecord, EvtxStats } from './types.js';
import { sharedPool, type ChunkWorkerPool } from './worker-pool.js';

export interface EvtxReader extends AsyncIterable<EvtxRecord | EvtxError> {
  /** filled in while iterating; complete once iteration ends */
  readonly stats: EvtxStats;
}

export function newStats(file: string): EvtxStats {
  return {
    file, fileSize: 0, header: null, chunks: 0, recordsOk: 0, recordsFailed: 0, recordsLost: 0,
    chunkErrors: 0, crcWarnings: 0, warnings: [], errors: [],
  };
}

/** Reads one EVTX file. Never throws: problems come out as EvtxError items and in `stats`. */
export function readEvtx(file: string, options: EvtxOptions = {}): EvtxReader {
  const stats = newStats(file);
  return { stats, [Symbol.asyncIterator]: () => iterate(file, options, stats) };
}

/** Reads a whole file into memory-light lists (records are kept; use readEvtx to stream). */
export async function readEvtxAll(file: string, options: EvtxOptions = {}):
  Promise<{ records: EvtxRecord[]; errors: EvtxError[]; stats: EvtxStats }> {
  const reader = readEvtx(file, options);
  const records: EvtxRecord[] = [];
  const errors: EvtxError[] = [];
  for await (const item of reader) (item.kind === 'record' ? records : errors).push(item as never);
  return { records, errors, stats: reader.stats };
}

function account(stats: EvtxStats, r: ChunkResult): void {
  if (r.present) stats.chunks++;
  stats.recordsOk += r.records.length;
  for (const e of r.errors) {
    if (e.scope === 'record') stats.recordsFailed++;
    else if (e.scope === 'lost') stats.recordsLost += e.lost ?? 0;
    else stats.chunkErrors++;
    stats.errors.push(e);
  }
  for (const w of r.warnings) if (w.type === 'crc') stats.crcWarnings++;
  stats.warnings.push(...r.warnings);
}

async function* iterate(file: string, options: EvtxOptions, stats: EvtxStats): AsyncGenerator<EvtxRecord | EvtxError> {
  // Reads are synchronous: a chunk is 64 KiB at a known offset, and an asynchronous read of it cost
  // two to four times the CPU of the read itself (a promise, a thread-pool hand-off and a wake-up per
  // chunk, which on the samples was a tenth of all the time spent reading them).
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const err: EvtxError = { kind: 'error', scope: 'file', file, offset: 0, message: `cannot open: ${(e as Error).message}` };
    stats.errors.push(err);
    yield err;
    return;
  }
  let pool: ChunkWorkerPool | null = null;
  try {
    const size = fstatSync(fd).size;
    stats.fileSize = size;
    const head = Buffer.alloc(FILE_HEADER_SIZE);
    const bytesRead = readSync(fd, head, 0, FILE_HEADER_SIZE, 0);
    const header = parseFileHeader(head.subarray(0, bytesRead));
    const first = options.chunks ? Math.max(0, options.chunks.from) : 0;
    if (first > 0) {
      // a later share of the file: the share starting at slot 0 reports the header
    } else if (typeof header === 'string') {
      // no usable header: still look for chunks, they are self-describing
      const err: EvtxError = { kind: 'error', scope: 'file', file, offset: 0, message: header };
      stats.errors.push(err);
      yield err;
    } else {
      stats.header = header;
      if (!header.checksumOk) {
        const w = { kind: 'warning' as const, type: 'crc' as const, file, offset: 0, message: 'file header CRC32 mismatch' };
        stats.warnings.push(w);
        stats.crcWarnings++;
      }
    }
    const declared = typeof header === 'string' ? 0 : header.chunkCount;
    // every 64 KiB slot after the header is examined: files often hold more chunks than declared
    const inFile = size > FILE_HEADER_SIZE ? Math.ceil((size - FILE_HEADER_SIZE) / CHUNK_SIZE) : 0;
    const slots = options.chunks ? Math.min(inFile, options.chunks.to) : inFile;
    const json = options.json ?? true;
    const xml = options.xml ?? false;
    const flat = options.flat ?? false;
    const want = options.workers ?? os.availableParallelism();
    const nWorkers = Math.min(want, slots - first);
    const job = (i: number): ChunkJob => ({ file, chunk: i, offset: FILE_HEADER_SIZE + i * CHUNK_SIZE, expected: i < declared, json, xml, flat });
    const readSlot = (i: number, buf: Buffer): Buffer => buf.subarray(0, readSync(fd, buf, 0, CHUNK_SIZE, FILE_HEADER_SIZE + i * CHUNK_SIZE));

    /** The chunk's records and errors in file order (sorted by offset), once counted in the stats. */
    const ordered = (r: ChunkResult): Array<EvtxRecord | EvtxError> => {
      account(stats, r);
      return r.errors.length === 0 ? r.records : [...r.records, ...r.errors].sort((a, b) => a.offset - b.offset);
    };

    if (nWorkers <= 1) {
      const buf = Buffer.allocUnsafe(CHUNK_SIZE);
      for (let i = first; i < slots; i++) for (const item of ordered(parseChunk(readSlot(i, buf), job(i)))) yield item;
      return;
    }
    pool = sharedPool(nWorkers);
    const inflight: Array<Promise<ChunkResult>> = [];
    const window = nWorkers * 3;
    const settle = (i: number, p: Promise<ChunkResult>): Promise<ChunkResult> =>
      p.catch((e: Error): ChunkResult => ({
        chunk: i, offset: FILE_HEADER_SIZE + i * CHUNK_SIZE, present: true, records: [], warnings: [],
        errors: [{ kind: 'error', scope: 'chunk', file, chunk: i, offset: FILE_HEADER_SIZE + i * CHUNK_SIZE, message: `worker failed: ${e.message}` }],
      }));
    for (let i = first; i < slots; i++) {
      const buf = readSlot(i, Buffer.allocUnsafe(CHUNK_SIZE));
      inflight.push(settle(i, pool.parse(buf, job(i))));
      if (inflight.length >= window) for (const item of ordered(await inflight.shift()!)) yield item;
    }
    while (inflight.length) for (const item of ordered(await inflight.shift()!)) yield item;
  } catch (e) {
    const err: EvtxError = { kind: 'error', scope: 'file', file, offset: 0, message: `read failed: ${(e as Error).message}` };
    stats.errors.push(err);
    yield err;
  } finally {
    try {
      closeSync(fd);
    } catch {
      // closing a file only read from cannot lose anything
    }
  }
}
