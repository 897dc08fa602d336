// Compiled rules and the index that decides, per event, which rules can possibly match.
// The index may only over-select: any doubt keeps a rule among the candidates.
import type { Expr, FieldTest, RuleIR } from '../ir/types.js';
import { compileExpr, regexError, type Predicate } from './compile.js';
import { numberOf, textOf, type EventView } from './event-access.js';
import { regexKey, type RegexFactory } from './regex.js';
import { findAnchor, LiteralPrefilter } from './prefilter.js';

export interface CompiledRule {
  /** Position in the rule set: candidates are always returned in this order. */
  index: number;
  ir: RuleIR;
  guard: Predicate | null;
  detection: Predicate;
}

export interface NotRunnable {
  ir: RuleIR;
  reason: string;
}

export interface CompiledRuleSet {
  rules: CompiledRule[];
  notRunnable: NotRunnable[];
  index: RuleIndex;
  prefilter: LiteralPrefilter;
  /**
   * Every field name the compiled rules read (tests and field references), rule by rule in test
   * order, detection before guard: gathered by the walk that checks their regular expressions.
   */
  fields: ReadonlySet<string>;
}

export function compileRuleSet(irs: RuleIR[], opts: { regex: RegexFactory }): CompiledRuleSet {
  const rules: CompiledRule[] = [];
  const notRunnable: NotRunnable[] = [];
  const regex = memoRegex(opts.regex);
  const fields = new Set<string>();
  const names: string[] = []; // the rule's, kept only if it can run
  for (const ir of irs) {
    if (ir.failures.length) {
      notRunnable.push({ ir, reason: ir.failures.join('; ') });
      continue;
    }
    // A rule's predicates are built when it is first evaluated: a hunt meets a few hundred of the
    // corpus's rules (the index and the prefilter keep the rest away) and need not build the others.
    // What can make a rule unusable (a regular expression the engine refuses, the only CompileError)
    // is checked now, so that it is reported before the hunt, and the tester is kept for later.
    names.length = 0;
    const why = unusableRegex(ir, regex, names);
    if (why !== null) {
      notRunnable.push({ ir, reason: why });
      continue;
    }
    for (let i = 0; i < names.length; i++) fields.add(names[i]!);
    const detection = lazily(() => compileExpr(ir.detection, { regex }));
    const guard = ir.guard ? lazily(() => compileExpr(ir.guard!, { regex })) : null;
    rules.push({ index: rules.length, ir, guard, detection });
  }
  opts.regex.settle?.();
  const prefilter = new LiteralPrefilter(rules.length, (i) => findAnchor(rules[i]!.ir.detection));
  return { rules, notRunnable, index: new RuleIndex(rules), prefilter, fields };
}

/** A predicate compiled on its first call. */
function lazily(compile: () => Predicate): Predicate {
  let p: Predicate | null = null;
  return (ev) => (p ??= compile())(ev);
}

/**
 * The reason the first regular expression of the rule the engine refuses cannot be used, or null;
 * appends to `names` the field names the rule reads (complete only when null is returned).
 */
function unusableRegex(ir: RuleIR, regex: RegexFactory, names: string[]): string | null {
  // The detection's tests first, then the guard's (the order fieldTests lists them in).
  return firstBadRegex(ir.detection, regex, names) ?? (ir.guard ? firstBadRegex(ir.guard, regex, names) : null);
}

/**
 * The first regular expression of an expression, in test order, that the factory refuses, with
 * the field names read until there: one walk that makes no list of the rule's tests (every rule
 * of a corpus is checked, few have a regex; a second walk for the names cost as much again).
 */
function firstBadRegex(e: Expr, regex: RegexFactory, names: string[]): string | null {
  switch (e.kind) {
    case 'and':
    case 'or':
      for (let i = 0; i < e.args.length; i++) {
        const why = firstBadRegex(e.args[i]!, regex, names);
        if (why !== null) return why;
      }
      return null;
    case 'not':
      return firstBadRegex(e.arg, regex, names);
    case 'test':
      if (e.field) names.push(e.field);
      if (e.value.type === 'fieldref') names.push(e.value.field);
      if (e.value.type !== 're') return null;
      try {
        regex(e.value.pattern, e.value.flags);
        return null;
      } catch (err) {
        return regexError(e.value.pattern, err);
      }
    case 'const':
      return null;
  }
}

/** A factory that compiles each (pattern, flags) once: the check above and the later compile share it. */
function memoRegex(regex: RegexFactory): RegexFactory {
  const seen = new Map<string, ReturnType<RegexFactory>>();
  return (pattern, flags) => {
    const key = regexKey(pattern, flags);
    let tester = seen.get(key);
    if (!tester) seen.set(key, (tester = regex(pattern, flags)));
    return tester;
  };
}

interface ChannelBucket {
  byEventId: Map<number, CompiledRule[]>;
  anyEventId: CompiledRule[];
}

export class RuleIndex {
  private readonly channels = new Map<string, ChannelBucket>();
  /** Rules with a guard that names no channel the index can read: candidates for every event. */
  private readonly unindexed: CompiledRule[] = [];
  /** Candidate lists of events with a list of event ids, by channel and ids (joined). */
  private readonly cache = new Map<string, CompiledRule[]>();
  /** Candidate lists of events with one event id, by channel, then id. */
  private readonly byChannel = new Map<string, Map<number, CompiledRule[]>>();
  /** Lists in `byChannel`. */
  private cached = 0;
  /** Candidate lists by their rules' indexes (joined): equal lists are one array. */
  private readonly lists = new Map<string, CompiledRule[]>();
  readonly guarded: CompiledRule[];
  /** Rules of `product: windows` with no category or service: every Windows event meets them. */
  readonly windowsWide: CompiledRule[];
  readonly all: CompiledRule[];
  /**
   * Per rule index: 1 when the guard says nothing but what the index checks (channel and event
   * id), so that being a candidate proves it and the detector need not evaluate it again.
   */
  private readonly proven: Uint8Array;

  constructor(rules: CompiledRule[]) {
    this.all = rules;
    this.proven = new Uint8Array(rules.length);
    this.guarded = rules.filter((r) => r.guard !== null);
    this.windowsWide = rules.filter((r) => {
      const ls = r.ir.rule.logsource;
      return r.guard === null && ls.product === 'windows' && !ls.category && !ls.service;
    });
    for (const r of this.guarded) {
      const keys = guardKeys(r.ir.guard!);
      if (!keys.channels) {
        this.unindexed.push(r);
        continue;
      }
      if (keys.complete) this.proven[r.index] = 1;
      // The detection's own event ids narrow the guard's (a rule of the Sysmon or Security channel
      // whose detection names its event: Sysmon's configuration change, 16): both must hold.
      const own = detectionEventIds(r.ir.detection);
      const eventIds = !own ? keys.eventIds : keys.eventIds ? keys.eventIds.filter((x) => own.includes(x)) : own;
      for (const ch of keys.channels) {
        let bucket = this.channels.get(ch);
        if (!bucket) this.channels.set(ch, (bucket = { byEventId: new Map(), anyEventId: [] }));
        if (!eventIds) bucket.anyEventId.push(r);
        else
          for (const id of eventIds) {
            const list = bucket.byEventId.get(id) ?? [];
            list.push(r);
            bucket.byEventId.set(id, list);
          }
      }
    }
  }

  /** Whether a candidate's guard holds by its being a candidate (see `proven`). */
  guardProven(rule: CompiledRule): boolean {
    return this.proven[rule.index] === 1;
  }

  /** Rules that may hold for a Windows event of this channel and event id, in rule order. */
  candidates(ev: EventView): CompiledRule[] {
    const channel = textOf(ev.get('Channel'))?.toLowerCase() ?? '';
    const idValue = ev.get('EventID');
    // A list of event ids (JSON from some shippers) meets a rule when any of them does, as the
    // rule's own test reads a list: the rules filed under each id are candidates.
    if (Array.isArray(idValue)) {
      const listed = eventIdsOf(idValue);
      const key = `${channel}\0${listed.join(',')}`;
      let list = this.cache.get(key);
      if (!list) {
        list = this.build(channel, listed);
        if (this.cache.size < 10_000) this.cache.set(key, list);
      }
      return list;
    }
    // Every event asks: the common single id is looked up by channel, then by number (Map keys
    // compare numbers as the ids' own test does, NaN included), with no key string made per event.
    const single = numberOf(idValue);
    let byId = this.byChannel.get(channel);
    let list = byId?.get(single);
    if (!list) {
      list = this.build(channel, [single]);
      if (this.cached < 10_000) {
        if (!byId) this.byChannel.set(channel, (byId = new Map()));
        byId.set(single, list);
        this.cached++;
      }
    }
    return list;
  }

  /** The candidate list of a channel and event ids, made once per content (see `lists`). */
  private build(channel: string, ids: readonly number[]): CompiledRule[] {
    const bucket = this.channels.get(channel);
    const merged = new Set<CompiledRule>([...this.unindexed, ...this.windowsWide]);
    if (bucket) {
      for (const r of bucket.anyEventId) merged.add(r);
      for (const id of ids) for (const r of bucket.byEventId.get(id) ?? []) merged.add(r);
    }
    const list = [...merged].sort((a, b) => a.index - b.index);
    // Hundreds of channel and event id pairs share a score of distinct lists (most ids have no
    // rule of their own): one array per content, so that what the detector derives per list
    // (its members, its prefilter scope: a walk over every rule each) is made once per content.
    const content = list.map((r) => r.index).join(',');
    const same = this.lists.get(content);
    if (same) return same;
    if (this.lists.size < 10_000) this.lists.set(content, list);
    return list;
  }
}

/** The event ids in a list value (lists inside it too), as numbers the way a single one is read. */
function eventIdsOf(list: readonly unknown[], out: number[] = []): number[] {
  for (const v of list) {
    if (Array.isArray(v)) eventIdsOf(v, out);
    else out.push(numberOf(v));
  }
  return out;
}

/**
 * Channel names and event ids a guard requires, when its top level says so plainly. `complete`:
 * every conjunct of the guard is such a list, so an event the index files under one of these
 * channels (compared lower-cased, as the guard's case-insensitive test does) and event ids (as
 * numbers, as the guard's number test does) meets the guard.
 */
export function guardKeys(guard: Expr): { channels?: string[]; eventIds?: number[]; complete: boolean } {
  const conjuncts = guard.kind === 'and' ? guard.args : [guard];
  let channels: string[] | undefined;
  let eventIds: number[] | undefined;
  let complete = true;
  for (let i = 0; i < conjuncts.length; i++) {
    const c = conjuncts[i]!;
    const ch = channelsOf(c);
    if (ch) channels = channels ? channels.filter((x) => ch.includes(x)) : ch;
    const ids = eventIdsIn(c);
    if (ids) eventIds = eventIds ? eventIds.filter((x) => ids.includes(x)) : ids;
    if (!ch && !ids) complete = false;
  }
  return { channels, eventIds, complete };
}

/**
 * The event ids a detection requires at its top level (a conjunct that is a plain test or OR of
 * tests of `EventID` against numbers), or undefined. Only numbers written as the number reads
 * (`16`, not `0x10` or `016`): the test also holds on an event whose value is that text, which
 * reads as another number (or none) where the index looks the event up.
 */
function detectionEventIds(detection: Expr): number[] | undefined {
  const conjuncts = detection.kind === 'and' ? detection.args : [detection];
  let ids: number[] | undefined;
  for (let i = 0; i < conjuncts.length; i++) {
    const c = conjuncts[i]!;
    const tests = c.kind === 'or' ? c.args : [c];
    if (!tests.every((t) => t.kind === 'test' && t.value.type === 'number' && t.value.text === String(t.value.value))) continue;
    const found = eventIdsIn(c);
    if (found) ids = ids ? ids.filter((x) => found.includes(x)) : found;
  }
  return ids;
}

// Two plain readers rather than one taking a callback: every guarded rule of a corpus is read here.

/** The lower-cased channel names of a plain test or OR of tests of `Channel`, or undefined. */
function channelsOf(e: Expr): string[] | undefined {
  const tests = e.kind === 'or' ? e.args : [e];
  const out: string[] = [];
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i]!;
    if (!isPlainTestOf(t, 'Channel') || t.value.type !== 'string' || t.value.parts.length !== 1 || typeof t.value.parts[0] !== 'string') return undefined;
    out.push(t.value.parts[0].toLowerCase());
  }
  return out;
}

/** The numbers of a plain test or OR of tests of `EventID`, or undefined. */
function eventIdsIn(e: Expr): number[] | undefined {
  const tests = e.kind === 'or' ? e.args : [e];
  const out: number[] = [];
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i]!;
    if (!isPlainTestOf(t, 'EventID') || t.value.type !== 'number') return undefined;
    out.push(t.value.value);
  }
  return out;
}

function isPlainTestOf(t: Expr, field: string): t is FieldTest {
  return t.kind === 'test' && t.field === field && !t.negate && !t.cased && !t.timePart;
}

/** Every field name the compiled rules read (tests and field references). */
export function fieldsUsed(set: CompiledRuleSet): ReadonlySet<string> {
  return set.fields;
}
