// Compiled rules and the index that decides, per event, which rules can possibly match.
// The index may only over-select: any doubt keeps a rule among the candidates.
import type { RuleIR } from '../ir/types.js';
import { compileExpr, regexError, type Predicate } from './compile.js';
import { numberOf, textOf, type EventView } from './event-access.js';
import { regexKey, type RegexFactory } from './regex.js';
import { LiteralPrefilter } from './prefilter.js';
import { factsOf, type RuleFacts } from './rule-facts.js';

export interface CompiledRule {
  /** Position in the rule set: candidates are always returned in this order. */
  readonly index: number;
  /** The rule's IR: made when first asked for when the rule came with facts kept from an earlier run. */
  readonly ir: RuleIR;
  readonly facts: RuleFacts;
  readonly guard: Predicate | null;
  readonly detection: Predicate;
}

export interface NotRunnable {
  ir: RuleIR;
  /** Position of the rule in the list given to `compileRules`. */
  at: number;
  reason: string;
}

export interface CompiledRuleSet {
  rules: CompiledRule[];
  notRunnable: NotRunnable[];
  index: RuleIndex;
  prefilter: LiteralPrefilter;
  /**
   * Every field name the compiled rules read (tests and field references), rule by rule in test
   * order, detection before guard.
   */
  fields: ReadonlySet<string>;
}

/**
 * A rule to compile: its IR, or a maker of it with the facts an earlier run found in it (the IR is
 * then made only when the rule is first evaluated or shown: a hunt meets a few hundred of a corpus's
 * rules).
 */
export type RuleToCompile = { ir: RuleIR; facts?: undefined } | { ir: () => RuleIR; facts: RuleFacts };

export function compileRuleSet(irs: RuleIR[], opts: { regex: RegexFactory }): CompiledRuleSet {
  return compileRules(
    irs.map((ir) => ({ ir })),
    opts,
  );
}

export function compileRules(list: readonly RuleToCompile[], opts: { regex: RegexFactory }): CompiledRuleSet {
  const rules: CompiledRule[] = [];
  const notRunnable: NotRunnable[] = [];
  const regex = memoRegex(opts.regex);
  const fields = new Set<string>();
  for (let at = 0; at < list.length; at++) {
    const r = list[at]!;
    const facts = r.facts ?? factsOf(r.ir);
    const rule = new Rule(rules.length, r.ir, facts, regex);
    if (facts.failures.length) {
      notRunnable.push({ ir: rule.ir, at, reason: facts.failures.join('; ') });
      continue;
    }
    // A rule's predicates are built when it is first evaluated (Rule). What can make a rule
    // unusable (a regular expression the engine refuses, the only CompileError) is checked now, so
    // that it is reported before the hunt, and the tester is kept for later.
    const why = unusableRegex(facts, regex);
    if (why !== null) {
      notRunnable.push({ ir: rule.ir, at, reason: why });
      continue;
    }
    for (let i = 0; i < facts.fields.length; i++) fields.add(facts.fields[i]!);
    rules.push(rule);
  }
  opts.regex.settle?.();
  const prefilter = new LiteralPrefilter(rules.length, (i) => rules[i]!.facts.anchor);
  return { rules, notRunnable, index: new RuleIndex(rules), prefilter, fields };
}

/** A compiled rule whose IR and predicates are made when first needed. */
class Rule implements CompiledRule {
  private made: RuleIR | null;
  private detectionTest: Predicate | null = null;
  private guardTest: Predicate | null = null;
  readonly guard: Predicate | null;
  readonly detection: Predicate;

  constructor(
    readonly index: number,
    private readonly source: RuleIR | (() => RuleIR),
    readonly facts: RuleFacts,
    regex: RegexFactory,
  ) {
    this.made = typeof source === 'function' ? null : source;
    this.detection = (ev) => (this.detectionTest ??= compileExpr(this.ir.detection, { regex }))(ev);
    this.guard = facts.guard ? (ev) => (this.guardTest ??= compileExpr(this.ir.guard!, { regex }))(ev) : null;
  }

  get ir(): RuleIR {
    return (this.made ??= (this.source as () => RuleIR)());
  }
}

/** The first of the rule's regular expressions, in test order, that the factory refuses, and why. */
function unusableRegex(facts: RuleFacts, regex: RegexFactory): string | null {
  for (let i = 0; i < facts.regexes.length; i++) {
    const { pattern, flags } = facts.regexes[i]!;
    try {
      regex(pattern, flags);
    } catch (err) {
      return regexError(pattern, err);
    }
  }
  return null;
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
      const ls = r.facts.logsource;
      return r.guard === null && ls.product === 'windows' && !ls.category && !ls.service;
    });
    for (const r of this.guarded) {
      const keys = r.facts.guard!;
      if (!keys.channels) {
        this.unindexed.push(r);
        continue;
      }
      if (keys.complete) this.proven[r.index] = 1;
      // The detection's own event ids narrow the guard's (a rule of the Sysmon or Security channel
      // whose detection names its event: Sysmon's configuration change, 16): both must hold.
      const own = r.facts.ownEventIds;
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

/** Every field name the compiled rules read (tests and field references). */
export function fieldsUsed(set: CompiledRuleSet): ReadonlySet<string> {
  return set.fields;
}
