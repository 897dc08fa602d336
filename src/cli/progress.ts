// A progress line on standard error while rules load and a hunt runs: only on a terminal (never in
// a pipe, a file or a test's capture) and at most ten redraws a second. It redraws one line in
// place and clears it when done, so the banner and summary that follow stay clean.
import { terminalLine } from '../report/terminal-text.js';
import { thousands } from '../sigma/thousands.js';

export interface Progress {
  /** Redraws the line (throttled unless `force`). */
  show(text: string, force?: boolean): void;
  /** Clears the line. */
  done(): void;
}

const SILENT: Progress = { show: () => {}, done: () => {} };

export function terminalProgress(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || !stream.isTTY) return SILENT;
  let last = 0;
  let shown = false;
  return {
    show(text, force) {
      const now = Date.now();
      if (!force && now - last < 100) return;
      last = now;
      shown = true;
      const width = Math.max(20, (stream.columns || 80) - 1);
      stream.write(`\r${terminalLine(text).slice(0, width)}\x1b[K`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** `loading rules  1,234/3,141 files` for `loadSigmaPaths`' callback. */
export function loadingProgress(p: Progress): (read: number, listed: number) => void {
  return (read, listed) => p.show(`  loading rules  ${thousands(read)}/${thousands(listed)} files  ${bar(read, listed)}`, read === listed);
}

/**
 * The hunt's line: inputs done, events and events/s, detections so far, and an ETA from the bytes
 * of the inputs finished (the readers report no position inside a file, so the ETA appears once the
 * first input is done, and is rough when inputs differ much in density).
 */
export function huntProgress(p: Progress, sizes: number[]): (events: number, at: { name: string; index: number; count: number; detections: number }) => void {
  const started = Date.now();
  const total = sizes.reduce((a, b) => a + b, 0);
  // the first figures of the hunt are drawn at once, whenever the line before was: events read
  // ahead can reach the first update within the redraw interval of the "preparing" line
  let first = true;
  return (events, at) => {
    const seconds = (Date.now() - started) / 1000;
    const done = sizes.slice(0, at.index).reduce((a, b) => a + b, 0);
    const rate = seconds > 0 ? Math.round(events / seconds) : 0;
    const eta = done > 0 && total > done ? `  ETA ${duration((seconds * (total - done)) / done)}` : '';
    // the most useful figures first: a narrow terminal cuts the end of the line
    p.show(`  ${bar(at.index, at.count)} ${at.index}/${at.count} inputs${eta}  ${thousands(at.detections)} detections  ${thousands(events)} events (${thousands(rate)}/s)  ${at.name.slice(-40)}`, first);
    first = false;
  };
}

function bar(done: number, total: number): string {
  const filled = Math.round((done / Math.max(total, 1)) * 20);
  return `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}]`;
}

function duration(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}
