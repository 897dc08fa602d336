// `quarry hunt`'s output and scope options, checked and turned into what the report and hunt
// rooms take: the timeline profile and sort order, and the detection scope (hunt/scope.ts).
import type { ScopeOptions } from '../hunt/scope.js';
import { TIMELINE_PROFILES, type TimelineProfile } from '../report/timeline.js';
import type { SinkFormat } from '../report/sink.js';
import { UsageError } from './usage.js';

export interface OutputChoice {
  profile?: TimelineProfile;
  sort: 'time' | 'file';
}

// Formats read as timelines: sorted by event time unless the user asks for file order.
const TIMELINE_FORMATS: readonly SinkFormat[] = ['timesketch', 'timesketch-csv', 'html'];

export function outputOptions(values: { profile?: string; sort?: string }, format: SinkFormat): OutputChoice {
  const profile = values.profile as TimelineProfile | undefined;
  if (profile !== undefined && !TIMELINE_PROFILES.includes(profile)) throw new UsageError(`--profile must be ${TIMELINE_PROFILES.join(', ')}, not '${values.profile}'`);
  if (profile && (format === 'jsonl' || format === 'duckdb' || format === 'html')) throw new UsageError(`--profile picks the columns of table, csv and timesketch output; --format ${format} always holds every field`);
  if (values.sort !== undefined && values.sort !== 'time' && values.sort !== 'file') throw new UsageError(`--sort must be time or file, not '${values.sort}'`);
  const sort = (values.sort as 'time' | 'file' | undefined) ?? (profile || TIMELINE_FORMATS.includes(format) ? 'time' : 'file');
  return { ...(profile ? { profile } : {}), sort };
}

const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported', 'unset'];

/** `--tag a,b --tag c` → [a, b, c]. */
const list = (xs: string[] | undefined) => (xs ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);

export function scopeOptions(values: { from?: string; to?: string; status?: string[]; tag?: string[]; technique?: string[]; 'exclude-rule'?: string[]; 'limit-per-rule'?: string; dedupe?: boolean }): ScopeOptions {
  const from = values.from !== undefined ? parseTime(values.from, '--from', false) : undefined;
  const to = values.to !== undefined ? parseTime(values.to, '--to', true) : undefined;
  if (from !== undefined && to !== undefined && from > to) throw new UsageError(`--from ${values.from} is after --to ${values.to}`);
  const statuses = list(values.status).map((s) => s.toLowerCase());
  const bad = statuses.filter((s) => !STATUSES.includes(s));
  if (bad.length) throw new UsageError(`--status: unknown status ${bad.map((b) => `'${b}'`).join(', ')} (one of ${STATUSES.join(', ')})`);
  const techniques = list(values.technique);
  const badT = techniques.filter((t) => !/^T\d{4}(\.\d{3})?$/i.test(t));
  if (badT.length) throw new UsageError(`--technique: ${badT.map((b) => `'${b}'`).join(', ')} is not an ATT&CK technique id (T1059 or T1059.001)`);
  let limitPerRule: number | undefined;
  if (values['limit-per-rule'] !== undefined) {
    limitPerRule = Number(values['limit-per-rule']);
    if (!Number.isInteger(limitPerRule) || limitPerRule < 1) throw new UsageError(`--limit-per-rule must be a whole number of at least 1, not '${values['limit-per-rule']}'`);
  }
  return {
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    statuses,
    tags: list(values.tag),
    techniques,
    excludeRules: list(values['exclude-rule']),
    ...(limitPerRule !== undefined ? { limitPerRule } : {}),
    dedupe: !!values.dedupe,
  };
}

/**
 * An ISO 8601 date or date-time, in ms. A time without a zone is UTC (logs' times are UTC); a date
 * alone is the start of that day, or its last millisecond for --to, so `--to 2021-03-26` includes it.
 */
export function parseTime(s: string, option: string, endOfDay: boolean): number {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(s);
  const withZone = dateOnly || /(Z|[+-]\d{2}:?\d{2})$/i.test(s) ? s : `${s}Z`;
  const t = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?/.test(s) ? Date.parse(dateOnly ? `${s}T00:00:00Z` : withZone.replace(' ', 'T')) : NaN;
  if (Number.isNaN(t)) throw new UsageError(`${option} '${s}' is not an ISO 8601 date or time (2021-03-26 or 2021-03-26T16:00:00Z)`);
  return dateOnly && endOfDay ? t + 86_400_000 - 1 : t;
}
