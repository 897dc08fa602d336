// What a hunter reads first about a detection, taken from its event (or, for a correlation, its
// group): the host, channel, event id, the EventRecordID the log itself gives (not the record's
// position in the file), the user and the ATT&CK techniques of the rule. One home for these
// derivations: the timeline profiles, Timesketch rows, the HTML report and duplicate removal use them.
import { stringifyExact } from '../json/stringify-exact.js';
import type { HuntDetection } from './detection.js';
import type { EventValue } from '../sources/types.js';

export interface DetectionFields {
  /** The event time as the hunt read it (a correlation: the end of its window); '' when unknown. */
  time: string;
  computer: string;
  channel: string;
  eventId: string;
  /** The log's own record number (EVTX EventRecordID), '' when the event has none. */
  recordId: string;
  user: string;
  /** ATT&CK technique ids from the rule's tags (`attack.t1059.001` → T1059.001). */
  techniques: string[];
  /** What matched, as `Field: event value` pairs; for a correlation its measure and group. */
  details: string;
}

const text = (v: EventValue | undefined | unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : stringifyExact(v));

/** The first of the named fields with a non-empty value. */
function first(event: Record<string, EventValue>, names: readonly string[]): string {
  for (const n of names) {
    const v = text(event[n]);
    if (v && v !== '-') return v;
  }
  return '';
}

// Windows first (Sysmon's User, Security's Subject/Target names, then the System SID), then the
// names common in other logs. A name is more useful to a hunter than a SID, so SIDs come last.
const USER_FIELDS = ['User', 'TargetUserName', 'SubjectUserName', 'AccountName', 'UserName', 'user', 'username', 'cs-username', 'UserID', 'SecurityUserID'];
const COMPUTER_FIELDS = ['Computer', 'ComputerName', 'Hostname', 'hostname', 'host', 'Host', 'c-ip', 'id.orig_h'];

export function techniqueIds(tags: readonly string[]): string[] {
  return tags.filter((t) => /^attack\.t\d{4}(\.\d{3})?$/i.test(t)).map((t) => t.slice('attack.'.length).toUpperCase());
}

export function detectionFields(d: HuntDetection): DetectionFields {
  const techniques = techniqueIds(d.rule.tags);
  if (d.correlation) {
    // A correlation has no single event: its group values stand for host and user when grouped by them.
    const g = d.correlation.group;
    const byName = (re: RegExp) => Object.entries(g).find(([k]) => re.test(k))?.[1] ?? '';
    const c = d.correlation;
    const group = Object.entries(g).map(([k, v]) => `${k}=${v}`).join(' ');
    return {
      time: d.timestamp ?? '',
      computer: byName(/^(computer|computername|host|hostname)$/i),
      channel: '',
      eventId: '',
      recordId: '',
      user: byName(/user/i),
      techniques,
      details: `${c.type} ${c.value} (${c.condition})${group ? ` by ${group}` : ''}; window ${c.window.start} to ${c.window.end}; ${c.eventCount} events`,
    };
  }
  const e = d.event;
  const details: string[] = [];
  const seen = new Set<string>();
  for (const m of d.matched) {
    const pair = `${m.field ?? 'keyword'}: ${m.eventValue === undefined ? m.value : text(m.eventValue)}`;
    if (!seen.has(pair)) details.push(pair);
    seen.add(pair);
  }
  return {
    time: d.timestamp ?? '',
    computer: first(e, COMPUTER_FIELDS),
    channel: first(e, ['Channel']),
    eventId: first(e, ['EventID']),
    recordId: first(e, ['EventRecordID']),
    user: first(e, USER_FIELDS),
    techniques,
    details: details.join(' ¦ '),
  };
}
