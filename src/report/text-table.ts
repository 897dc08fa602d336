// Plain-text tables for terminal output, with widths capped so long values do not wrap lines and
// control characters of the data escaped (terminal-text.ts).
import { terminalLine } from './terminal-text.js';

export function renderTable(headers: string[], rows: string[][], maxWidth = 60): string {
  const clip = (s: string) => (s.length > maxWidth ? s.slice(0, maxWidth - 1) + '…' : s);
  const cells = rows.map((r) => r.map((c) => clip(terminalLine(c.replace(/[\r\n\t]+/g, ' ')))));
  headers = headers.map(terminalLine);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
