// What travels between the stages of the scaled-out service, and the message ids that make a
// repeated publish harmless (the broker drops a message whose id it has seen within its window).
//
// A match record carries, for one event and one partition, what the event's matches give the
// correlations of that partition: no event, only group keys and values (the detect stage reads the
// fields, so the correlate stage needs neither the rules' pipelines nor the event).
import { createHash } from 'node:crypto';
import type { CorrelationAlert, CorrelationFeed, EventRef, PreparedMatch } from '../../engine/correlation/correlator.js';
import { ruleKey } from '../../sigma/correlation-plan.js';

/** Matches of one event are ordered after it: seq = event position × this + match index. */
export const MATCHES_PER_EVENT = 1024;

export interface MatchRecord {
  v: 1;
  kind: 'match';
  /** The event's position in the events stream. */
  event: number;
  /** Event time, ms since the epoch. */
  t: number;
  ref: EventRef;
  matches: Array<{
    /** The match's place among the event's matches (rule order). */
    n: number;
    rule: string;
    title: string;
    /** The correlation is named by its fingerprint: positions differ between rule sets. */
    feeds: Array<Omit<CorrelationFeed, 'correlation'> & { c: string }>;
  }>;
}

/** End of input (a replay's last event): the partition finishes its open windows, as a hunt does at the end of its files. */
export interface EndRecord {
  v: 1;
  kind: 'end';
  event: number;
}

export type PartitionRecord = MatchRecord | EndRecord;

// ignoreBOM keeps a leading BOM in the text, as Buffer's toString does (a BOM is not JSON).
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** A message's bytes as text (no copy of the bytes, as Buffer.from(Uint8Array) would make). */
export function messageText(data: Uint8Array): string {
  return utf8.decode(data);
}

export function encodeRecord(r: PartitionRecord): Uint8Array {
  return Buffer.from(JSON.stringify(r));
}

export function decodeRecord(data: Uint8Array): PartitionRecord {
  const r = JSON.parse(messageText(data)) as PartitionRecord;
  if (r?.v !== 1 || (r.kind !== 'match' && r.kind !== 'end') || !Number.isSafeInteger(r.event)) throw new Error('not a Quarry partition record (version 1)');
  return r;
}

/**
 * A match record's matches as the correlator takes them. Feeds of correlations these rules do not
 * have (another rule set, mid-reload) are left out and counted.
 */
export function preparedMatches(r: MatchRecord, positions: ReadonlyMap<string, number>): { matches: PreparedMatch[]; unknown: number } {
  let unknown = 0;
  const matches: PreparedMatch[] = [];
  for (const m of r.matches) {
    const feeds: CorrelationFeed[] = [];
    for (const { c, ...f } of m.feeds) {
      const correlation = positions.get(c);
      if (correlation === undefined) unknown++;
      else feeds.push({ ...f, correlation });
    }
    if (feeds.length) matches.push({ t: r.t, seq: r.event * MATCHES_PER_EVENT + m.n, eventId: r.event * MATCHES_PER_EVENT, feeds, rule: m.rule, title: m.title, ref: r.ref });
  }
  return { matches, unknown };
}

const digest = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 32);

/** A single-event detection: one per (events stream, event, rule). */
export function detectionId(stream: string, event: number, rule: string): string {
  return `d-${digest(`${stream}\u0000${event}\u0000${rule}`)}`;
}

/** A match record: one per (events stream, event, partition); an end record likewise. */
export function recordId(stream: string, event: number, partition: number, kind: PartitionRecord['kind']): string {
  return `${kind === 'end' ? 'e' : 'm'}-${digest(`${stream}\u0000${event}\u0000${partition}`)}`;
}

/**
 * A correlation detection: the correlation, group and window identify it (a group fires at most
 * once per window end: it stays quiet for a timespan after an alert), so an owner that replays
 * the same records after a crash makes the same id.
 */
export function alertId(stream: string, a: CorrelationAlert): string {
  return `c-${digest(JSON.stringify([stream, ruleKey(a.correlation), a.group, a.window.start, a.window.end, a.value]))}`;
}
