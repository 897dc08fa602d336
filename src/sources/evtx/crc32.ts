// CRC-32 (RFC 1952 polynomial, initial value 0) as used by EVTX file and chunk checksums.
const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 over buf[start, end), optionally continuing a previous crc. */
export function crc32(buf: Uint8Array, start: number, end: number, prev = 0): number {
  let c = ~prev;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
