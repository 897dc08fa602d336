// CRC-32 (RFC 1952 polynomial, initial value 0) as used by EVTX file and chunk checksums.
import zlib from 'node:zlib';

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

function crc32Js(buf: Uint8Array, start: number, end: number, prev: number): number {
  let c = ~prev;
  // TABLE has 256 entries and the index is masked to a byte
  for (const byte of buf.subarray(start, end)) c = TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

// zlib.crc32 (Node >= 20.15) is native and several times faster than the table loop
const native = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 over buf[start, end), optionally continuing a previous crc. */
export function crc32(buf: Uint8Array, start: number, end: number, prev = 0): number {
  if (native) return native(buf.subarray(start, end), prev) >>> 0;
  return crc32Js(buf, start, end, prev);
}
