// Text for a terminal: control characters from log content or rule text are shown, never obeyed.
// A log value such as `ESC ] 0 ; PWNED BEL ESC [ 2 J` printed raw would retitle and clear the
// analyst's terminal (and worse on some emulators), so every place that writes a person-oriented
// format (the hunt table, banners and summaries, validate, convert's messages, stack's table,
// the explorer's log) passes its text through here. Data formats (JSONL, CSV, DuckDB, JSON) keep
// the exact bytes: JSON escapes control characters itself, and CSV is read by tools (README, "Output").
//
// Escaped, as `\xHH` or `\uHHHH`: C0 controls (U+0000–U+001F) except the line breaks and tabs the
// caller keeps, DEL (U+007F), C1 controls (U+0080–U+009F, where 0x9B alone starts a CSI sequence),
// and the bidirectional overrides and isolates that can make a line read differently from what it
// holds (U+200E–U+200F, U+202A–U+202E, U+2066–U+2069). A backslash is left as it is (Windows paths
// are full of them), so `\x1b` in the output may also be those four characters in the data.

// Built from code points so that this file itself holds no raw control characters.
const CONTROLS = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const EXCEPT_LAYOUT = new RegExp(`[${CONTROLS}\\r]`, 'g');
const ALL = new RegExp(`[${CONTROLS}\\t\\n\\r]`, 'g');

function escapeChar(c: string): string {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** One terminal-safe line: every control character escaped, tabs and line breaks included. */
export function terminalLine(s: string): string {
  return s.replace(ALL, escapeChar);
}

/** Terminal-safe text of several lines: `\n` and `\t` kept as layout, `\r` and every other control character escaped. */
export function terminalText(s: string): string {
  return s.replace(EXCEPT_LAYOUT, escapeChar);
}

/** Writes `s` to a stream (standard error or output) with control characters escaped; see terminalText. */
export function writeTerminal(stream: NodeJS.WritableStream, s: string): boolean {
  return stream.write(terminalText(s));
}
