import { crc32 } from './crc32.js';

export const FILE_HEADER_SIZE = 4096;
export const CHUNK_SIZE = 65536;

export interface EvtxFileHeader {
  firstChunkNumber: number;
  lastChunkNumber: number;
  nextRecordId: number;
  headerSize: number;
  minorVersion: number;
  majorVersion: number;
  headerBlockSize: number;
  chunkCount: number;
  flags: number;
  isDirty: boolean;
  isFull: boolean;
  checksum: number;
  checksumOk: boolean;
}

const MAGIC = 'ElfFile\0';

/** Parses the 4096-byte file header; returns a reason string when the signature is missing. */
export function parseFileHeader(buf: Buffer): EvtxFileHeader | string {
  if (buf.length < 128) return `file too small for an EVTX header (${buf.length} bytes)`;
  if (buf.toString('latin1', 0, 8) !== MAGIC) return 'missing "ElfFile" signature';
  const checksum = buf.readUInt32LE(124);
  const flags = buf.readUInt32LE(120);
  return {
    firstChunkNumber: Number(buf.readBigUInt64LE(8)),
    lastChunkNumber: Number(buf.readBigUInt64LE(16)),
    nextRecordId: Number(buf.readBigUInt64LE(24)),
    headerSize: buf.readUInt32LE(32),
    minorVersion: buf.readUInt16LE(36),
    majorVersion: buf.readUInt16LE(38),
    headerBlockSize: buf.readUInt16LE(40),
    chunkCount: buf.readUInt16LE(42),
    flags,
    isDirty: (flags & 1) !== 0,
    isFull: (flags & 2) !== 0,
    checksum,
    checksumOk: crc32(buf, 0, 120) === checksum,
  };
}
