// Byte-level helpers for the encoding modifiers. Byte strings are JS strings of latin1 chars
// (code units 0–255), so wildcards can still sit between encoded parts.

const utf8 = new TextEncoder();

export function textToBytes(text: string, encoding: 'text' | 'bytes'): string {
  if (encoding === 'bytes') return text;
  let out = '';
  for (const b of utf8.encode(text)) out += String.fromCharCode(b);
  return out;
}

export function utf16(text: string, order: 'le' | 'be'): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const hi = String.fromCharCode(c >> 8);
    const lo = String.fromCharCode(c & 0xff);
    out += order === 'le' ? lo + hi : hi + lo;
  }
  return out;
}

/** `btoa` takes exactly such latin1 strings, in Node and in the browser. */
export function base64OfBytes(bytes: string): string {
  return btoa(bytes);
}

/**
 * The three base64 forms a byte string takes depending on its offset (0, 1, 2) in a larger encoded
 * blob. Characters that depend on the unknown neighbouring bytes are cut off at both ends, so each
 * form is a substring of the encoding of any blob containing the bytes at that offset.
 */
export function base64Offsets(bytes: string): string[] {
  const startCut = [0, 2, 3];
  const endCut = [0, 3, 2];
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = base64OfBytes('\0'.repeat(shift) + bytes);
    const cutEnd = endCut[(bytes.length + shift) % 3]!;
    const form = encoded.slice(startCut[shift]!, encoded.length - cutEnd);
    if (form) out.push(form);
  }
  return out;
}
