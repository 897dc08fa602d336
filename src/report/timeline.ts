// Timelines: one row per detection with the columns a hunter reads (host, channel, event id, the
// log's record id, user, ATT&CK techniques), in three profiles, as a terminal table, CSV, or
// Timesketch's import shape (JSONL or CSV with `message`, `datetime`, `timestamp_desc`).
import { basename } from 'node:path';
import { stringifyExact } from '../json/stringify-exact.js';
import type { HuntDetection } from '../hunt/detection.js';
import { detectionFields, type DetectionFields } from '../hunt/detection-fields.js';

export type TimelineProfile = 'minimal' | 'standard' | 'verbose';
export const TIMELINE_PROFILES: readonly TimelineProfile[] = ['minimal', 'standard', 'verbose'];

interface Column {
  /** The CSV / Timesketch attribute name. */
  key: string;
  /** The terminal table's header and width (0: the rest of the line, not clipped). */
  head: string;
  width: number;
  value(d: HuntDetection, f: DetectionFields): string;
  /** A shorter form for the terminal table, when the full value is too long to scan. */
  short?(d: HuntDetection, f: DetectionFields): string;
}

const where = (d: HuntDetection) => {
  const l = d.source;
  return `${l.file}${l.line !== undefined ? `:${l.line}` : l.record !== undefined ? `#${l.record}` : ''}`;
};

const C = {
  timestamp: { key: 'timestamp', head: 'Timestamp', width: 24, value: (_d, f) => f.time, short: (_d, f) => msTime(f.time) },
  computer: { key: 'computer', head: 'Computer', width: 20, value: (_d, f) => f.computer },
  channel: { key: 'channel', head: 'Channel', width: 22, value: (_d, f) => f.channel, short: (_d, f) => f.channel.replace(/^Microsoft-Windows-/, '') },
  eventId: { key: 'event_id', head: 'EventID', width: 7, value: (_d, f) => f.eventId },
  recordId: { key: 'record_id', head: 'RecordID', width: 9, value: (_d, f) => f.recordId },
  level: { key: 'level', head: 'Level', width: 8, value: (d) => d.rule.level ?? 'unset' },
  user: { key: 'user', head: 'User', width: 18, value: (_d, f) => f.user },
  techniques: { key: 'techniques', head: 'ATT&CK', width: 12, value: (_d, f) => f.techniques.join(',') },
  rule: { key: 'rule_title', head: 'Rule', width: 44, value: (d) => (d.correlation ? `${d.rule.title} (correlation ${d.correlation.type})` : d.rule.title) },
  details: { key: 'details', head: 'Details', width: 0, value: (_d, f) => f.details },
  ruleId: { key: 'rule_id', head: 'RuleID', width: 36, value: (d) => d.rule.id ?? '' },
  rulePath: { key: 'rule_path', head: 'RulePath', width: 30, value: (d) => d.rule.path },
  status: { key: 'status', head: 'Status', width: 12, value: (d) => d.rule.status ?? '' },
  tags: { key: 'tags', head: 'Tags', width: 30, value: (d) => d.rule.tags.join(',') },
  source: { key: 'source', head: 'Source', width: 30, value: (d) => where(d), short: (d) => where(d).split(/[\\/]/).pop() ?? '' },
  event: { key: 'event', head: 'Event', width: 0, value: (d) => stringifyExact(d.event) },
} satisfies Record<string, Column>;

// Minimal answers "when, where, what"; standard adds who and how (ATT&CK) and the file each row
// came from; verbose adds everything needed to re-check a row without the logs (rule, event).
export const PROFILE_COLUMNS: Record<TimelineProfile, readonly Column[]> = {
  minimal: [C.timestamp, C.computer, C.eventId, C.level, C.rule, C.details],
  standard: [C.timestamp, C.computer, C.channel, C.eventId, C.recordId, C.level, C.user, C.techniques, C.rule, C.source, C.details],
  verbose: [C.timestamp, C.computer, C.channel, C.eventId, C.recordId, C.level, C.user, C.techniques, C.rule, C.ruleId, C.status, C.tags, C.rulePath, C.source, C.details, C.event],
};

export function timelineRow(profile: TimelineProfile, d: HuntDetection): Array<[key: string, value: string]> {
  const f = detectionFields(d);
  return PROFILE_COLUMNS[profile].map((c) => [c.key, c.value(d, f)]);
}

/** One terminal line of fixed-width cells (the table streams, so widths cannot follow content). */
export function timelineTableHeader(profile: TimelineProfile): string {
  return PROFILE_COLUMNS[profile].map((c) => cell(c.head, c.width)).join('  ').trimEnd() + '\n';
}

export function timelineTableLine(profile: TimelineProfile, d: HuntDetection): string {
  const f = detectionFields(d);
  return PROFILE_COLUMNS[profile].map((c) => cell((c.short ?? c.value)(d, f) || '-', c.width)).join('  ').trimEnd() + '\n';
}

/** The last column (width 0) is not padded, only clipped so a script block stays one readable line. */
function cell(s: string, width: number): string {
  const one = s.replace(/[\r\n\t]+/g, ' ');
  const max = width || LAST_COLUMN_MAX;
  const clipped = one.length > max ? one.slice(0, max - 1) + '…' : one;
  return width ? clipped.padEnd(width) : clipped;
}

const LAST_COLUMN_MAX = 240;

/** `2021-03-26T16:12:22.200119Z` → `2021-03-26T16:12:22.200Z` (what fits the table). */
function msTime(t: string): string {
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : new Date(ms).toISOString();
}

/**
 * A detection as Timesketch imports it: `message` (what a row says), `datetime` (ISO 8601) and
 * `timestamp_desc` (what the time means), then the profile's columns as attributes. The caller
 * keeps detections without a time out (Timesketch refuses a row without `datetime`).
 */
export function timesketchRecord(profile: TimelineProfile, d: HuntDetection): Record<string, string> {
  const f = detectionFields(d);
  const where = f.computer ? ` on ${f.computer}` : '';
  const record: Record<string, string> = {
    message: `[${(d.rule.level ?? 'unset').toUpperCase()}] ${d.rule.title}${where}: ${f.details}`,
    // as the reader gave it: ISO 8601 with the log's own precision (EVTX: microseconds)
    datetime: d.timestamp ?? '',
    timestamp_desc: d.correlation ? 'Correlation Window End' : 'Event Time',
  };
  for (const c of PROFILE_COLUMNS[profile]) if (c.key !== 'timestamp') record[c.key] = c.value(d, f);
  record.source_file = basename(d.source.file);
  return record;
}

/** The attribute names of `timesketchRecord`, in its order (the CSV header). */
export function timesketchKeys(profile: TimelineProfile): string[] {
  return ['message', 'datetime', 'timestamp_desc', ...PROFILE_COLUMNS[profile].filter((c) => c.key !== 'timestamp').map((c) => c.key), 'source_file'];
}
