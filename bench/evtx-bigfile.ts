// Builds a large EVTX file for benchmarks from the real chunks of a sample file.
import { promises as fs } from 'node:fs';
import { crc32 } from '../src/sources/evtx/crc32.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE } from '../src/sources/evtx/file-header.js';

/** Writes `target` by repeating the chunks of `source` until about `bytes` bytes; returns chunk count. */
export async function buildBigEvtx(source: string, target: string, bytes: number): Promise<number> {
  const src = await fs.readFile(source);
  const chunks: Buffer[] = [];
  for (let off = FILE_HEADER_SIZE; off + CHUNK_SIZE <= src.length; off += CHUNK_SIZE) {
    if (src.toString('latin1', off, off + 7) === 'ElfChnk') chunks.push(src.subarray(off, off + CHUNK_SIZE));
  }
  if (!chunks.length) throw new Error(`no chunks in ${source}`);
  const count = Math.min(0xffff, Math.max(1, Math.floor((bytes - FILE_HEADER_SIZE) / CHUNK_SIZE)));
  const header = Buffer.from(src.subarray(0, FILE_HEADER_SIZE));
  header.writeBigUInt64LE(0n, 8);
  header.writeBigUInt64LE(BigInt(count - 1), 16);
  header.writeUInt16LE(count, 42);
  header.writeUInt32LE(crc32(header, 0, 120), 124);
  const fh = await fs.open(target, 'w');
  try {
    await fh.write(header);
    for (let i = 0; i < count; i++) await fh.write(chunks[i % chunks.length]!); // chunks is not empty (checked above)
  } finally {
    await fh.close();
  }
  return count;
}
