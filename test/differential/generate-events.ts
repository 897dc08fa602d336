// Logical events generated from a rule's own detection (no pipeline: the rule's field names): one
// event per conjunction of its bounded DNF (a way the rule can be met), one per `not` that makes
// that sub-expression trip while the rest of a conjunction still holds, and near misses of the
// first events (a field removed, a field emptied, every string upper-cased). Nothing is random: the
// same rule gives the same events in the same order.
//
// An event is kept only when the literals it was built for all come out as intended under the
// engine's compiled tests; what its expected answer is, the caller asks the oracle (the engine on
// the rule without pipeline), never this file.
import type { Expr } from '../../src/ir/types.js';
import type { Predicate } from '../../src/engine/compile.js';
import { EventView, normalizeName, type EventObject } from '../../src/engine/event-access.js';
import { boundedDnf, dnfAt, type Conjunction, type Literal } from './dnf.js';
import { ABSENT, fieldWitness, literalsHold } from './witness.js';

export type EventKind = 'meets' | 'trips' | 'near-miss';

export interface LogicalEvent {
  event: EventObject;
  kind: EventKind;
  /** How the event was made, for messages: `conjunction 3`, `trips not #1 via 0`, `conjunction 3 without Image`. */
  note: string;
}

export interface GeneratedEvents {
  events: LogicalEvent[];
  /** Conjunctions and variants that could not be built, by reason. */
  skipped: Map<string, number>;
  /** Whether the DNF cap left ways to meet the rule out. */
  truncated: boolean;
  /** Conjunctions whose literals all held but the detection did not: a bug of the DNF, never expected. */
  inconsistent: string[];
}

export interface GenerateOptions {
  /** At most this many conjunctions per rule. */
  cap: number;
  /** At most this many `not` nodes get trip variants. */
  maxNots: number;
  /** Events made per negation that trip it. */
  tripsPerNot: number;
  /** Near misses are made from the first this-many meeting events. */
  nearMissBases: number;
}

export const DEFAULT_GENERATE: GenerateOptions = { cap: 64, maxNots: 12, tripsPerNot: 3, nearMissBases: 6 };

/** Field names the generator writes keyword witnesses into: the first one the rule does not test. */
const KEYWORD_FIELDS = ['Message', 'Details', 'Payload', 'QuarryKeywords'];

export function generateEvents(detection: Expr, matches: Predicate, opts: GenerateOptions = DEFAULT_GENERATE): GeneratedEvents {
  const out: GeneratedEvents = { events: [], skipped: new Map(), truncated: false, inconsistent: [] };
  const seen = new Set<string>();
  const skip = (reason: string) => out.skipped.set(reason, (out.skipped.get(reason) ?? 0) + 1);
  const add = (e: LogicalEvent) => {
    const key = JSON.stringify(e.event);
    if (seen.has(key)) return false;
    seen.add(key);
    out.events.push(e);
    return true;
  };
  const dnf = boundedDnf(detection, opts.cap);
  out.truncated = dnf.truncated;

  const meeting: LogicalEvent[] = [];
  dnf.conjunctions.forEach((conj, i) => {
    const built = buildEvent(conj);
    if (typeof built === 'string') return skip(built);
    const e: LogicalEvent = { event: built, kind: 'meets', note: `conjunction ${i}` };
    if (!matches(new EventView(built))) out.inconsistent.push(`${e.note}: ${JSON.stringify(built)}`);
    if (add(e)) meeting.push(e);
  });

  for (const n of dnf.nots.slice(0, opts.maxNots)) {
    const bases = dnf.conjunctions.filter((c) => c.some((l) => l.under.includes(n.id)));
    // Make the negated expression come out the other way: its own conjunctions at the polarity it
    // must not have. Many of them contradict a given base (the filter names another image than the
    // selection), so pairs are tried until a few build.
    const trips = dnfAt(n.arg, n.polarity, [], 16);
    let made = 0;
    let tried = 0;
    for (const base of bases) {
      for (const [j, t] of trips.entries()) {
        if (made >= opts.tripsPerNot || tried >= 4 * opts.tripsPerNot + 16) break;
        tried++;
        const built = buildEvent([...base.filter((l) => !l.under.includes(n.id)), ...t]);
        if (typeof built === 'string') continue;
        if (add({ event: built, kind: 'trips', note: `trips not #${n.id} (${j}) on conjunction ${dnf.conjunctions.indexOf(base)}` })) made++;
      }
    }
    if (!made) skip(!bases.length ? 'trip: a negation on no conjunction left under the cap' : !trips.length ? 'trip: a negation that cannot be tripped (constant)' : 'trip: no event trips the negation while the rest of a conjunction holds');
  }

  for (const base of meeting.slice(0, opts.nearMissBases)) {
    for (const key of Object.keys(base.event)) {
      const without = { ...base.event };
      delete without[key];
      add({ event: without, kind: 'near-miss', note: `${base.note} without ${key}` });
      add({ event: { ...base.event, [key]: '' }, kind: 'near-miss', note: `${base.note} with ${key} empty` });
    }
    const upper = Object.fromEntries(Object.entries(base.event).map(([k, v]) => [k, typeof v === 'string' ? v.toUpperCase() : v]));
    add({ event: upper, kind: 'near-miss', note: `${base.note} upper-cased` });
  }
  return out;
}

/** An event on which every literal comes out as it must, or the reason there is none. */
export function buildEvent(lits: Conjunction): EventObject | string {
  const byField = new Map<string, { name: string; lits: Literal[] }>();
  const keywords: Literal[] = [];
  for (const l of lits) {
    if (l.test.field === null) {
      keywords.push(l);
      continue;
    }
    // The engine reads field names case-insensitively: `CommandLine` and `Commandline` are one field.
    const k = normalizeName(l.test.field);
    const entry = byField.get(k) ?? { name: l.test.field, lits: [] };
    entry.lits.push(l);
    byField.set(k, entry);
  }
  const event: EventObject = {};
  for (const { name, lits: fl } of byField.values()) {
    const w = fieldWitness(name, fl);
    if (!w.ok) return w.reason;
    if (w.value !== ABSENT) event[name] = w.value;
  }
  const mustHold = keywords.filter((l) => l.holds);
  if (mustHold.length) {
    const field = KEYWORD_FIELDS.find((f) => !byField.has(normalizeName(f)))!;
    const w = fieldWitness(field, mustHold.map((l) => ({ ...l, test: { ...l.test, field } })));
    if (!w.ok) return `keyword: ${w.reason}`;
    event[field] = w.value;
  }
  settleFieldRefs(lits, event);
  if (!literalsHold(lits, event)) return describeFailure(lits, event);
  return event;
}

/** A field that must equal (start, end with, contain) another field's value gets it from that field. */
function settleFieldRefs(lits: Conjunction, event: EventObject): void {
  for (const l of lits) {
    const v = l.test.value;
    if (v.type !== 'fieldref' || !l.holds || l.test.negate || l.test.field === null) continue;
    const other = Object.keys(event).find((k) => normalizeName(k) === normalizeName(v.field)) ?? v.field;
    if (event[other] === undefined) event[other] = 'quarry-ref';
    const base = String(event[other]);
    event[l.test.field] = v.match === 'equals' ? base : v.match === 'startswith' ? base + '-x' : v.match === 'endswith' ? 'x-' + base : 'x-' + base + '-x';
  }
}

function describeFailure(lits: Conjunction, event: EventObject): string {
  const bad = lits.find((l) => !literalsHold([l], event));
  if (!bad) return 'no event found';
  if (bad.test.field === null) return `a ${bad.holds ? '' : 'negated '}keyword test fails on the combined event`;
  if (bad.test.value.type === 'fieldref') return 'field reference not met';
  return `a ${bad.holds ? '' : 'negated '}${bad.test.value.type} test fails on the combined event`;
}
