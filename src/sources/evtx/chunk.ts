// One 64 KiB chunk: header checks and the walk over its event records (libyal EVTX doc, "Chunk").
import { BinXmlError, BinXmlParser } from './binxml.js';
import { crc32 } from './crc32.js';
import { CHUNK_SIZE } from './file-header.js';
import { renderFlat } from './render-flat.js';
import { renderJson } from './render-json.js';
import { renderXml } from './render-xml.js';
import type { ChunkResult, EvtxRecord } from './types.js';
import { filetime } from './values.js';

export interface ChunkJob {
  file: string;
  chunk: number;
  /** file offset of the chunk */
  offset: number;
  /** whether the file header counts this chunk (a missing signature there is an error) */
  expected: boolean;
  json: boolean;
  xml: boolean;
  /** the flat event instead of the JSON one (EvtxOptions.flat) */
  flat?: boolean;
}

const CHUNK_MAGIC = 0x6b6e6843; // "Chnk" of "ElfChnk\0", read at offset 3
const RECORD_MAGIC = 0x00002a2a;
const CHUNK_HEADER_SIZE = 512;

export function isChunkSignature(buf: Buffer, at = 0): boolean {
  return buf.length >= at + 8 && buf[at] === 0x45 && buf[at + 1] === 0x6c && buf[at + 2] === 0x66 &&
    buf.readUInt32LE(at + 3) === CHUNK_MAGIC && buf[at + 7] === 0;
}

const ZEROS = Buffer.alloc(CHUNK_SIZE);

function allZero(buf: Buffer): boolean {
  // a native comparison: testing byte by byte in JavaScript cost as much as parsing a chunk
  return buf.length <= CHUNK_SIZE ? buf.equals(ZEROS.subarray(0, buf.length)) : buf.every((b) => b === 0);
}

/** Parses one chunk (buf holds its bytes, possibly fewer than 64 KiB at the end of a file). */
export function parseChunk(buf: Buffer, job: ChunkJob): ChunkResult {
  const res: ChunkResult = { chunk: job.chunk, offset: job.offset, present: false, records: [], errors: [], warnings: [] };
  const { file, chunk, offset } = job;
  if (!isChunkSignature(buf)) {
    if (job.expected && !allZero(buf)) {
      res.errors.push({ kind: 'error', scope: 'chunk', file, chunk, offset, message: 'bad chunk signature (expected "ElfChnk")' });
    }
    return res;
  }
  res.present = true;
  if (buf.length < CHUNK_SIZE) {
    res.errors.push({ kind: 'error', scope: 'chunk', file, chunk, offset, message: `chunk truncated (${buf.length} of ${CHUNK_SIZE} bytes)` });
    if (buf.length >= 40) reportLost(res, declaredIds(buf), new Set(), job, offset, 'chunk truncated');
    return res;
  }
  const headerCrc = crc32(buf, 128, 512, crc32(buf, 0, 120));
  if (headerCrc !== buf.readUInt32LE(124)) {
    res.warnings.push({ kind: 'warning', type: 'crc', file, chunk, offset, message: 'chunk header CRC32 mismatch' });
  }
  const freeSpace = buf.readUInt32LE(48);
  const lastRecordOff = buf.readUInt32LE(44);
  const dataEnd = freeSpace >= CHUNK_HEADER_SIZE && freeSpace <= CHUNK_SIZE ? freeSpace : CHUNK_SIZE;
  if (freeSpace >= CHUNK_HEADER_SIZE && freeSpace <= CHUNK_SIZE && crc32(buf, CHUNK_HEADER_SIZE, freeSpace) !== buf.readUInt32LE(52)) {
    res.warnings.push({ kind: 'warning', type: 'crc', file, chunk, offset, message: 'event records CRC32 mismatch' });
  }
  const parser = new BinXmlParser(buf);
  // record ids met (read or failed), to tell which of the ids the header declares were never reached
  const seen = new Set<number>();
  // why and where the walk stopped before the end of the data, if it did
  let stop: { at: number; why: string } | null = null;
  let p = CHUNK_HEADER_SIZE;
  while (p + 28 <= dataEnd) {
    if (buf.readUInt32LE(p) !== RECORD_MAGIC) {
      // wiped or overwritten: nothing provable is left in this chunk
      stop = { at: p, why: 'no event record signature' };
      break;
    }
    const size = buf.readUInt32LE(p + 4);
    const recordId = Number(buf.readBigUInt64LE(p + 8));
    seen.add(recordId);
    if (size < 28 || p + size > CHUNK_SIZE) {
      res.errors.push({ kind: 'error', scope: 'record', file, chunk, recordId, offset: offset + p, message: `bad event record size ${size}; rest of chunk skipped` });
      stop = { at: p, why: `bad event record size ${size}` };
      break;
    }
    if (buf.readUInt32LE(p + size - 4) !== size) {
      // the record is still parsed: its binary XML proves (or disproves) it
      res.warnings.push({ kind: 'warning', type: 'structure', file, chunk, offset: offset + p, message: `event record ${recordId}: size copy mismatch` });
    }
    try {
      const nodes = parser.parseDocument(p + 24, p + size - 4);
      const rec: EvtxRecord = {
        kind: 'record', recordId, timestamp: filetime(buf, p + 16, 6),
        event: job.json && !job.flat ? renderJson(nodes, null) : {}, file, offset: offset + p, chunk,
      };
      if (job.flat) {
        const r = renderFlat(nodes);
        rec.flat = r.flat;
        rec.nested = r.nested;
      }
      if (job.xml) rec.xml = renderXml(nodes, null);
      res.records.push(rec);
    } catch (e) {
      const where = e instanceof BinXmlError ? ` at chunk offset 0x${e.offset.toString(16)}` : '';
      res.errors.push({ kind: 'error', scope: 'record', file, chunk, recordId, offset: offset + p, message: `${(e as Error).message}${where}` });
    }
    p += size;
  }
  const declared = declaredIds(buf);
  const lost = reportLost(res, declared, seen, job, offset + (stop?.at ?? p), stop ? `${stop.why} at chunk offset 0x${stop.at.toString(16)}, rest of chunk skipped` : 'not found before the end of the record data');
  if (!lost && stop && stop.at <= lastRecordOff && lastRecordOff < dataEnd) {
    // the header's ids are all accounted for, yet its last-record offset points past the stop
    res.warnings.push({ kind: 'warning', type: 'structure', file, chunk, offset: offset + stop.at, message: 'no event record signature before the last record offset; rest of chunk skipped' });
  }
  return res;
}

/** Most records a 64 KiB chunk can hold (28 bytes each at least): a larger declared range is not believed. */
const MAX_RECORDS_PER_CHUNK = Math.floor((CHUNK_SIZE - CHUNK_HEADER_SIZE) / 28);

/** The event record ids the chunk header declares (first and last identifier), or null when implausible. */
function declaredIds(buf: Buffer): { first: number; last: number } | null {
  const first = Number(buf.readBigUInt64LE(24));
  const last = Number(buf.readBigUInt64LE(32));
  // record ids start at 1: a zero first id is a header that does not say (hand-made or wiped)
  if (first === 0 || last < first || last - first >= MAX_RECORDS_PER_CHUNK) return null;
  return { first, last };
}

/**
 * Counts the declared ids that were neither read nor reported as failed, and reports them as one
 * 'lost' error (with their id ranges) so that no record vanishes unseen. Returns how many.
 */
function reportLost(res: ChunkResult, declared: { first: number; last: number } | null, seen: Set<number>, job: ChunkJob, at: number, why: string): number {
  if (!declared) return 0;
  const ranges: Array<[number, number]> = [];
  for (let id = declared.first; id <= declared.last; id++) {
    if (seen.has(id)) continue;
    const last = ranges[ranges.length - 1];
    if (last && last[1] === id - 1) last[1] = id;
    else ranges.push([id, id]);
  }
  const lost = ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
  if (lost === 0) return 0;
  const ids = ranges.slice(0, 5).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ') + (ranges.length > 5 ? ', …' : '');
  res.errors.push({
    kind: 'error', scope: 'lost', file: job.file, chunk: job.chunk, offset: at, lost,
    message: `${lost} event record${lost === 1 ? '' : 's'} declared by the chunk header not read (id${lost === 1 ? '' : 's'} ${ids}): ${why}`,
  });
  return lost;
}
