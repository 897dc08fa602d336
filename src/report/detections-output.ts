// Writers for detections: a table for people (control characters escaped: terminal-text.ts),
// JSONL and CSV for tools (exact data: JSON escapes controls itself; CSV cells keep them).
import type { HuntDetection } from '../hunt/detection.js';
import { toJsonLine } from '../hunt/detection.js';
import { stringifyExact } from '../json/stringify-exact.js';
import { terminalText } from './terminal-text.js';
import { detectionFields } from '../hunt/detection-fields.js';
import { PROFILE_COLUMNS, timelineRow, timelineTableHeader, timelineTableLine, timesketchKeys, timesketchRecord, type TimelineProfile } from './timeline.js';

export type DetectionFormat = 'table' | 'jsonl' | 'csv' | 'timesketch' | 'timesketch-csv';

export interface DetectionWriter {
  write(d: HuntDetection): void;
  end(): void;
}

function locationText(d: HuntDetection): string {
  const l = d.source;
  return `${l.file}${l.line !== undefined ? `:${l.line}` : l.record !== undefined ? `#${l.record}` : ''}`;
}

/** A correlation's measure in one line: `event_count 3 (gte 3) by User=a from … to …`. */
export function correlationText(d: HuntDetection): string {
  const c = d.correlation!;
  const group = Object.entries(c.group).map(([k, v]) => `${k}=${v}`).join(' ');
  return `${c.type} ${c.value} (${c.condition})${group ? ` by ${group}` : ''} from ${c.window.start} to ${c.window.end}`;
}

function matchedText(d: HuntDetection): string {
  if (d.correlation) return correlationText(d);
  return d.matched.map((m) => `${m.selection}: ${m.field ?? '<keyword>'}${m.modifiers.length ? '|' + m.modifiers.join('|') : ''}=${m.value}`).join('; ');
}

export function csvCell(s: string): string {
  // Cells starting with = + - @ are neutralised so a spreadsheet never runs log content as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * A writer of `format`. `profile` turns the table into a timeline (one line per detection) and
 * picks the columns of CSV and Timesketch rows (standard when absent); JSONL is always complete.
 */
export function createDetectionWriter(format: DetectionFormat, out: (s: string) => void, profile?: TimelineProfile): DetectionWriter {
  const columns = profile ?? 'standard';
  switch (format) {
    case 'jsonl':
      return { write: (d) => out(toJsonLine(d) + '\n'), end: () => {} };
    case 'csv': {
      out([...PROFILE_COLUMNS[columns].map((c) => c.key), ...(columns === 'verbose' ? ['matched'] : [])].join(',') + '\n');
      return {
        write: (d) => out([...timelineRow(columns, d).map(([, v]) => v), ...(columns === 'verbose' ? [matchedText(d)] : [])].map(csvCell).join(',') + '\n'),
        end: () => {},
      };
    }
    case 'timesketch':
      return { write: (d) => out(stringifyExact(timesketchRecord(columns, d)) + '\n'), end: () => {} };
    case 'timesketch-csv':
      out(timesketchKeys(columns).join(',') + '\n');
      return { write: (d) => out(Object.values(timesketchRecord(columns, d)).map(csvCell).join(',') + '\n'), end: () => {} };
    case 'table': {
      if (profile) {
        out(timelineTableHeader(profile));
        return { write: (d) => out(terminalText(timelineTableLine(profile, d))), end: () => {} };
      }
      const show = (s: string) => out(terminalText(s));
      return {
        write: (d) => {
          if (d.correlation) return show(correlationBlock(d));
          show(`[${(d.rule.level ?? 'unset').toUpperCase()}] ${d.rule.title}\n`);
          show(`    at ${locationText(d)}${d.timestamp ? `  ${d.timestamp}` : ''}\n`);
          const f = detectionFields(d);
          const who = [f.computer && `Computer ${f.computer}`, f.channel && `Channel ${f.channel}`, f.eventId && `EventID ${f.eventId}`, f.recordId && `RecordID ${f.recordId}`, f.user && `User ${f.user}`, f.techniques.length && `ATT&CK ${f.techniques.join(',')}`].filter(Boolean);
          if (who.length) show(`    ${who.join('  ')}\n`);
          for (const m of d.matched) {
            const ev = m.eventValue === undefined ? '' : `  (event: ${clip(typeof m.eventValue === 'string' ? m.eventValue : stringifyExact(m.eventValue))})`;
            show(`    ${m.selection}: ${m.field ?? '<keyword>'}${m.modifiers.length ? '|' + m.modifiers.join('|') : ''} = ${clip(m.value)}${ev}\n`);
          }
        },
        end: () => {},
      };
    }
  }
}

const SHOWN_EVENTS = 5;

function correlationBlock(d: HuntDetection): string {
  const c = d.correlation!;
  const lines = [`[${(d.rule.level ?? 'unset').toUpperCase()}] ${d.rule.title}  (correlation ${c.type})`, `    ${clip(correlationText(d), 200)}`];
  for (const e of c.events.slice(-SHOWN_EVENTS)) lines.push(`    ${e.time}  ${e.title}  at ${e.file}${e.line !== undefined ? `:${e.line}` : e.record !== undefined ? `#${e.record}` : ''}`);
  if (c.eventCount > SHOWN_EVENTS) lines.push(`    … ${c.eventCount - SHOWN_EVENTS} earlier events in the window`);
  return lines.join('\n') + '\n';
}

function clip(s: string, n = 120): string {
  const one = s.replace(/[\r\n]+/g, ' ');
  return one.length > n ? one.slice(0, n - 1) + '…' : one;
}
