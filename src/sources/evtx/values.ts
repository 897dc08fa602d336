// Substitution value types (libyal EVTX doc, "Value types"): decoding to the JSON form the evtx
// crate writes, and to the text form Windows shows in event XML.
export const T_NULL = 0x00;
export const T_STRING = 0x01;
export const T_ANSI = 0x02;
export const T_BOOL = 0x0d;
export const T_BINARY = 0x0e;
export const T_GUID = 0x0f;
export const T_SIZE_T = 0x10;
export const T_FILETIME = 0x11;
export const T_SYSTEMTIME = 0x12;
export const T_SID = 0x13;
export const T_HEX32 = 0x14;
export const T_HEX64 = 0x15;
export const T_BINXML = 0x21;
export const T_ARRAY = 0x80;

/** Fixed element size of a scalar type; 0 = variable size. */
export function scalarSize(type: number): number {
  switch (type & 0x7f) {
    case 0x03: case 0x04: return 1;
    case 0x05: case 0x06: return 2;
    case 0x07: case 0x08: case 0x0b: case T_BOOL: case T_HEX32: return 4;
    case 0x09: case 0x0a: case 0x0c: case T_FILETIME: case T_HEX64: return 8;
    case T_GUID: case T_SYSTEMTIME: return 16;
    default: return 0;
  }
}

export function utf16(buf: Buffer, off: number, size: number): string {
  let end = off + (size & ~1);
  // strings from substitutions often carry their terminating NUL(s); Windows does not show them
  while (end > off && buf[end - 2] === 0 && buf[end - 1] === 0) end -= 2;
  return end > off ? buf.toString('utf16le', off, end) : '';
}

function ansi(buf: Buffer, off: number, size: number): string {
  let end = off + size;
  while (end > off && buf[end - 1] === 0) end--;
  return buf.toString('latin1', off, end);
}

function hex64(buf: Buffer, off: number): string {
  const hi = buf.readUInt32LE(off + 4);
  const lo = buf.readUInt32LE(off);
  return hi === 0 ? '0x' + lo.toString(16) : '0x' + hi.toString(16) + lo.toString(16).padStart(8, '0');
}

/** Upper-case hex of buf[off, off + size). */
function binaryHex(buf: Buffer, off: number, size: number): string {
  return buf.toString('hex', off, off + size).toUpperCase();
}

/** Upper-case hex digits of each byte value, as character codes: high digit, low digit. */
const HEX_HIGH = new Uint8Array(256);
const HEX_LOW = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  HEX_HIGH[i] = '0123456789ABCDEF'.charCodeAt(i >> 4);
  HEX_LOW[i] = '0123456789ABCDEF'.charCodeAt(i & 15);
}
/** Which byte of the GUID each pair of digits shows (-1: a dash): the first three groups are stored little-endian, the last two as bytes. */
const GUID_BYTES = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];
const guidText = Buffer.alloc(36, '-');

/**
 * GUID without braces, upper case, as the evtx crate's JSON writes it. The digits are written into
 * a small buffer and read out once: a third of the time of cutting a hex string into its groups,
 * and a record holds up to a few GUIDs (provider, activity).
 */
export function guid(buf: Buffer, off: number): string {
  let p = 0;
  for (const i of GUID_BYTES) {
    if (i < 0) {
      p++;
      continue;
    }
    const v = buf[off + i]!; // off + 16 <= buf.length: callers check the value's size
    guidText[p++] = HEX_HIGH[v]!;
    guidText[p++] = HEX_LOW[v]!;
  }
  return guidText.toString('latin1', 0, 36);
}

/** FILETIME as ISO 8601 UTC; `digits` fractional digits (6 = micro, 7 = 100 ns), truncated. */
export function filetime(buf: Buffer, off: number, digits = 6): string {
  const lo = buf.readUInt32LE(off);
  const hi = buf.readUInt32LE(off + 4);
  // ticks = hi * 2^32 + lo, split so no intermediate exceeds 2^53: 2^32 = 429 * 1e7 + 4967296
  const low = hi * 4967296 + lo;
  const secs = hi * 429 + Math.floor(low / 1e7);
  const frac = low % 1e7;
  return isoSeconds(secs - 11644473600) + '.' + String(frac).padStart(7, '0').slice(0, digits) + 'Z';
}

let lastSec = NaN;
let lastIso = '';
function isoSeconds(unixSecs: number): string {
  if (unixSecs === lastSec) return lastIso;
  let s: string;
  if (unixSecs >= FIRST_FAST && unixSecs <= LAST_FAST) s = civilSeconds(unixSecs);
  else {
    // years past 9999 (Date writes them with a sign and six digits)
    const d = new Date(unixSecs * 1000);
    s = isNaN(d.getTime()) ? '1601-01-01T00:00:00' : d.toISOString().slice(0, -5);
  }
  lastSec = unixSecs;
  lastIso = s;
  return s;
}

/** 1601-01-01T00:00:00Z and 9999-12-31T23:59:59Z in Unix seconds: four-digit years, all FILETIMEs in practice. */
const FIRST_FAST = -11644473600;
const LAST_FAST = 253402300799;

const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * Unix seconds as YYYY-MM-DDTHH:MM:SS, what Date's toISOString writes, without making a Date (that
 * was a tenth of the time spent rendering a record's XML). The proleptic Gregorian calendar, counted
 * in 400-year eras of 146,097 days from 0000-03-01, so that a leap day ends its year.
 */
function civilSeconds(unixSecs: number): string {
  const days = Math.floor(unixSecs / 86400);
  const secs = unixSecs - days * 86400;
  const z = days + 719468; // days since 0000-03-01
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097; // day of the era, 0..146096
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100)); // day of the March-based year
  const mp = Math.floor((5 * doy + 2) / 153); // month, March = 0
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hh = Math.floor(secs / 3600);
  const mm = Math.floor((secs - hh * 3600) / 60);
  return `${year}-${TWO[month]}-${TWO[day]}T${TWO[hh]}:${TWO[mm]}:${TWO[secs - hh * 3600 - mm * 60]}`;
}

function systemtime(buf: Buffer, off: number): string {
  const p = (v: number, n = 2) => String(v).padStart(n, '0');
  return `${p(buf.readUInt16LE(off), 4)}-${p(buf.readUInt16LE(off + 2))}-${p(buf.readUInt16LE(off + 6))}T` +
    `${p(buf.readUInt16LE(off + 8))}:${p(buf.readUInt16LE(off + 10))}:${p(buf.readUInt16LE(off + 12))}.` +
    `${p(buf.readUInt16LE(off + 14), 3)}Z`;
}

/** SID string; a SID cut short by its value size keeps the sub-authorities that fit. */
export function sid(buf: Buffer, off: number, size: number): string {
  if (size < 8) return '';
  const rev = buf.readUInt8(off);
  const count = buf.readUInt8(off + 1);
  const auth = buf.readUIntBE(off + 2, 6); // identifier authority: 48 bits, big-endian
  let s = `S-${rev}-${auth}`;
  for (let i = 0; i < count && off + 8 + i * 4 + 4 <= off + size; i++) s += '-' + buf.readUInt32LE(off + 8 + i * 4);
  return s;
}

/** Shortest decimal that reads back as the same float32 (what serde_json writes for an f32). */
function float32(v: number): number {
  if (!isFinite(v)) return v;
  for (let p = 1; p < 10; p++) {
    const c = Number(v.toPrecision(p));
    if (Math.fround(c) === v) return c;
  }
  return v;
}

// 64-bit values beyond 2^53 become bigint so they stay exact, as the JSON reader keeps them.
function int64(buf: Buffer, off: number): number | bigint {
  const n = buf.readInt32LE(off + 4) * 4294967296 + buf.readUInt32LE(off);
  return Number.isSafeInteger(n) ? n : buf.readBigInt64LE(off);
}
function uint64(buf: Buffer, off: number): number | bigint {
  const n = buf.readUInt32LE(off + 4) * 4294967296 + buf.readUInt32LE(off);
  return Number.isSafeInteger(n) ? n : buf.readBigUInt64LE(off);
}

/** One scalar value as JSON (numbers, booleans, strings); `size` is the element size. */
function scalarJson(buf: Buffer, off: number, size: number, t: number): unknown {
  switch (t) {
    case T_NULL: return null;
    // the evtx crate's JSON drops trailing whitespace of string values
    case T_STRING: return utf16(buf, off, size).trimEnd();
    case T_ANSI: return ansi(buf, off, size).trimEnd();
    case 0x03: return buf.readInt8(off);
    case 0x04: return buf[off];
    case 0x05: return buf.readInt16LE(off);
    case 0x06: return buf.readUInt16LE(off);
    case 0x07: return buf.readInt32LE(off);
    case 0x08: return buf.readUInt32LE(off);
    case 0x09: return int64(buf, off);
    case 0x0a: return uint64(buf, off);
    case 0x0b: return float32(buf.readFloatLE(off));
    case 0x0c: return buf.readDoubleLE(off);
    case T_BOOL: return buf.readUInt32LE(off) !== 0;
    case T_BINARY: return binaryHex(buf, off, size);
    case T_GUID: return guid(buf, off);
    case T_SIZE_T: return size === 8 ? hex64(buf, off) : '0x' + buf.readUInt32LE(off).toString(16);
    case T_FILETIME: return filetime(buf, off, 6);
    case T_SYSTEMTIME: return systemtime(buf, off);
    case T_SID: return sid(buf, off, size);
    case T_HEX32: return '0x' + buf.readUInt32LE(off).toString(16);
    case T_HEX64: return hex64(buf, off);
    default: return binaryHex(buf, off, size);
  }
}

/** Whether `size` bytes are enough for one value of scalar type t. */
function fits(t: number, size: number): boolean {
  const need = scalarSize(t);
  return need === 0 || size >= need || (t === T_SIZE_T && size >= 4);
}

/** Splits an array value into [offset, size] element ranges. */
function arrayItems(buf: Buffer, off: number, size: number, t: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const end = off + size;
  if (t === T_STRING) {
    let s = off;
    for (let i = off; i + 1 < end; i += 2) {
      if (buf[i] === 0 && buf[i + 1] === 0) { out.push([s, i - s]); s = i + 2; }
    }
    if (s + 1 < end) out.push([s, end - s]);
  } else if (t === T_ANSI) {
    let s = off;
    for (let i = off; i < end; i++) if (buf[i] === 0) { out.push([s, i - s]); s = i + 1; }
    if (s < end) out.push([s, end - s]);
  } else if (t === T_SID) {
    let p = off;
    while (p + 8 <= end) {
      const n = 8 + buf.readUInt8(p + 1) * 4;
      out.push([p, Math.min(n, end - p)]);
      p += n;
    }
  } else {
    const n = t === T_SIZE_T ? (size % 8 === 0 ? 8 : 4) : scalarSize(t);
    if (n > 0) for (let p = off; p + n <= end; p += n) out.push([p, n]);
  }
  return out;
}

/** A substitution value as JSON. Arrays become JSON arrays. Binary XML is handled by the caller. */
export function valueJson(buf: Buffer, off: number, size: number, type: number): unknown {
  if (type & T_ARRAY) {
    const t = type & 0x7f;
    return arrayItems(buf, off, size, t).map(([o, n]) => scalarJson(buf, o, n, t));
  }
  if (!fits(type, size)) return binaryHex(buf, off, size);
  return scalarJson(buf, off, size, type);
}

/** A substitution value as the text Windows shows in event XML (not yet XML-escaped). */
export function valueText(buf: Buffer, off: number, size: number, type: number): string {
  // the types most values of real events have, straight (a value too short for its type falls
  // through to the general path, which writes it as hex)
  switch (type) {
    case T_STRING: return utf16(buf, off, size);
    case 0x04: if (size >= 1) return String(buf[off]); break;
    case 0x06: if (size >= 2) return String(buf.readUInt16LE(off)); break;
    case 0x08: if (size >= 4) return String(buf.readUInt32LE(off)); break;
    case 0x0a: if (size >= 8) return uint64Text(buf, off); break;
  }
  if (type & T_ARRAY) {
    const t = type & 0x7f;
    return arrayItems(buf, off, size, t).map(([o, n]) => scalarText(buf, o, n, t)).join(',');
  }
  if (!fits(type, size)) return binaryHex(buf, off, size);
  return scalarText(buf, off, size, type);
}

/** Text of each element of an array value (type has the 0x80 flag). */
export function valueTextItems(buf: Buffer, off: number, size: number, type: number): string[] {
  const t = type & 0x7f;
  return arrayItems(buf, off, size, t).map(([o, n]) => scalarText(buf, o, n, t));
}

/** An unsigned 64-bit value in decimal; as a plain number below 2^53, where that is exact (no BigInt made). */
function uint64Text(buf: Buffer, off: number): string {
  const hi = buf.readUInt32LE(off + 4);
  return hi < 0x200000 ? String(hi * 4294967296 + buf.readUInt32LE(off)) : buf.readBigUInt64LE(off).toString();
}

function scalarText(buf: Buffer, off: number, size: number, t: number): string {
  switch (t) {
    case T_STRING: return utf16(buf, off, size);
    case T_ANSI: return ansi(buf, off, size);
    case T_NULL: return '';
    case T_GUID: return '{' + guid(buf, off) + '}';
    case T_FILETIME: return filetime(buf, off, 7);
    case 0x09: { const v = buf.readBigInt64LE(off); return v.toString(); }
    case 0x0a: return uint64Text(buf, off);
    case T_BOOL: return buf.readUInt32LE(off) !== 0 ? 'true' : 'false';
    default: return String(scalarJson(buf, off, size, t));
  }
}
