// The one detector: an event in, the rules it meets out. `quarry hunt`, `quarry stack --rules`,
// the playground and the explorer's demo hunt all match through it, so they cannot disagree.
//
// Which rules an event meets is decided here, once:
// - an input with a declared log source (`--logsource`, or one its format implies, such as Squid's
//   `proxy`) meets the rules of that log source, and the pipelines' log-source guards are not
//   applied (the declaration stands for them);
// - a Windows event (it carries a `Channel`) meets the rules the index files under its channel and
//   event id, and each rule's guard must hold;
// - any other event's log source cannot be told: it meets every rule, guards not applied.
//
// The detector keeps no state between events: `next` may be called for events of any input in any
// order, and the correlator (which keeps state) consumes what it returns.
import type { LogSource } from '../sigma/model.js';
import { logsourceFits } from '../sigma/logsource.js';
import { enrichEvent, planEnrichment, type EnrichmentPlan } from '../enrich/enrich-event.js';
import { EventView, type EventObject } from './event-access.js';
import { explainMatch, explainRule, type MatchedTest, type RuleExplanation } from './explain.js';
import { fieldsUsed, type CompiledRule, type CompiledRuleSet } from './rule-set.js';
import type { RegexFactory } from './regex.js';
import { eventTime, timeOfField } from './event-time.js';
import type { PrefilterScope } from './prefilter.js';

export type Routing = 'windows' | 'declared' | 'unknown';

export interface RuleMatch {
  rule: CompiledRule;
  /** The tests that held, from the engine's own matchers (empty when explanations are off). */
  matched: MatchedTest[];
}

export interface EventMatches {
  routing: Routing;
  /** The event's own time (ISO 8601) when a rule matched and the event carries a readable one. */
  time?: string;
  /** Rules that matched, in rule-set order. */
  matches: RuleMatch[];
}

/** One rule on one event: whether the detector reported it, and the condition tree saying why. */
export interface RuleVerdict {
  rule: CompiledRule;
  detected: boolean;
  explanation: RuleExplanation;
}

export interface EventVerdicts extends EventMatches {
  /** Every rule this event can meet (`applicable`), in rule-set order, matched or not. */
  rules: RuleVerdict[];
}

export interface DetectorOptions {
  regex: RegexFactory;
  /** The log source declared for the events (see above); undefined when it is not known. */
  logsource?: LogSource;
  /** Explain each match (default true). */
  explain?: boolean;
  /** The field that holds the event's time (`--time-field`); the usual ones are tried otherwise. */
  timeField?: string;
  /**
   * Skip rules whose required literals the event lacks, and guards the index has proven (default
   * true). Off, every candidate rule and its guard are evaluated: the plain path these shortcuts
   * are tested against (they must give the same matches).
   */
  prefilter?: boolean;
}

interface Split {
  member: Uint8Array;
  unanchored: CompiledRule[];
  scope: PrefilterScope;
}

const plans = new WeakMap<CompiledRuleSet, EnrichmentPlan>();

/** Derived host fields (`cs-host@tld`) the set's rules read, planned once per rule set. */
function enrichmentPlan(set: CompiledRuleSet): EnrichmentPlan {
  let plan = plans.get(set);
  if (!plan) plans.set(set, (plan = planEnrichment(fieldsUsed(set))));
  return plan;
}

export class Detector {
  private readonly declared: CompiledRule[] | null;
  private readonly plan: EnrichmentPlan;
  private readonly explain: boolean;
  private readonly prefilter: boolean;

  constructor(
    readonly set: CompiledRuleSet,
    private readonly opts: DetectorOptions,
  ) {
    this.declared = opts.logsource ? set.rules.filter((r) => logsourceFits(r.facts.logsource, opts.logsource!)) : null;
    this.plan = enrichmentPlan(set);
    this.explain = opts.explain ?? true;
    this.prefilter = opts.prefilter ?? true;
  }

  /**
   * Per candidate list (the index keeps each list's identity), its members, its unanchored rules
   * in order and the prefilter's scope (the automata of its rules' literals alone).
   */
  private readonly splits = new WeakMap<readonly CompiledRule[], Split>();

  private split(candidates: readonly CompiledRule[]): Split {
    let s = this.splits.get(candidates);
    if (!s) {
      const member = new Uint8Array(this.set.rules.length);
      for (const r of candidates) member[r.index] = 1;
      const { anchored } = this.set.prefilter;
      s = { member, unanchored: candidates.filter((r) => !anchored[r.index]), scope: this.set.prefilter.scopeOf(member) };
      this.splits.set(candidates, s);
    }
    return s;
  }

  /** The rules that events of this detector can meet at all (all of them unless a log source is declared). */
  get applicable(): readonly CompiledRule[] {
    return this.declared ?? this.set.rules;
  }

  /** Matches one event. The event gains the derived fields the rules read (in place). */
  next(event: EventObject): EventMatches {
    if (this.plan.bySource.size) enrichEvent(event, this.plan);
    const ev = new EventView(event);
    let candidates: readonly CompiledRule[];
    let routing: Routing;
    if (this.declared) {
      candidates = this.declared;
      routing = 'declared';
    } else if (typeof ev.get('Channel') === 'string') {
      candidates = this.set.index.candidates(ev);
      routing = 'windows';
    } else {
      candidates = this.set.rules;
      routing = 'unknown';
    }
    const matches: RuleMatch[] = [];
    const guarded = routing === 'windows';
    const evaluate = (rule: CompiledRule, proven: boolean) => {
      if (guarded && rule.guard && !(proven && this.set.index.guardProven(rule)) && !rule.guard(ev)) return;
      if (!rule.detection(ev)) return;
      matches.push({ rule, matched: this.explain ? explainMatch(rule, ev, { regex: this.opts.regex }) : [] });
    };
    if (!this.prefilter) for (const rule of candidates) evaluate(rule, false);
    else if (candidates.length) {
      // The candidates the prefilter lets through, in rule order (every candidate list is): the
      // anchored ones it woke (a few) merged with the unanchored ones, rather than every candidate
      // (hundreds) asked in turn.
      const { member, unanchored, scope } = this.split(candidates);
      // The scope wakes candidates only, unless it is the whole set's (past the scopes kept): the
      // membership test stays.
      const woken = this.set.prefilter.scan(ev, scope).woken;
      const picked: number[] = [];
      for (let i = 0; i < woken.length; i++) if (member[woken[i]!] === 1) picked.push(woken[i]!);
      if (picked.length > 1) picked.sort((a, b) => a - b);
      const rules = this.set.rules;
      for (let i = 0, j = 0; i < picked.length || j < unanchored.length; ) {
        if (j === unanchored.length || (i < picked.length && picked[i]! < unanchored[j]!.index)) evaluate(rules[picked[i++]!]!, true);
        else evaluate(unanchored[j++]!, true);
      }
    }
    if (!matches.length) return { routing, matches };
    const time = this.opts.timeField ? timeOfField(ev, this.opts.timeField) : eventTime(ev);
    return time === undefined ? { routing, matches } : { routing, time, matches };
  }

  /**
   * Matches one event as `next` does and explains every applicable rule on it, matched or not
   * (`quarry explain`, `quarry test` failures, the playground). `detected` is `next`'s verdict, so
   * a rule the index or the log-source guard kept away is shown as not detected with its tree.
   */
  explainNext(event: EventObject): EventVerdicts {
    const result = this.next(event);
    const ev = new EventView(event);
    const detected = new Set(result.matches.map((m) => m.rule));
    const rules = this.applicable.map((rule) => ({ rule, detected: detected.has(rule), explanation: explainRule(rule, ev, { regex: this.opts.regex }) }));
    return { ...result, rules };
  }
}
