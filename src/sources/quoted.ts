// A double-quoted value whose quotes are escaped by doubling them ("a ""b"" c"), as CSV and W3C
// ELFF write it. Shared by both readers; it sits on their hot paths, so the end position comes back
// through a caller-owned cursor instead of a new object per value.

export interface Cursor {
  at: number;
}

/**
 * Reads the value that starts just after an opening quote at `cursor.at`. On success returns the
 * unescaped value and leaves `cursor.at` just after the closing quote; returns null when the quote
 * is never closed.
 */
export function readQuoted(text: string, cursor: Cursor): string | null {
  let i = cursor.at;
  let v = '';
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return null;
    v += text.slice(i, q);
    if (text.charCodeAt(q + 1) === 34) {
      v += '"';
      i = q + 2;
      continue;
    }
    cursor.at = q + 1;
    return v;
  }
}
