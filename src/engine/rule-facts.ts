// What the rule set reads of a rule before the first event: whether it can run, the fields it reads,
// its regular expressions, the literals the prefilter anchors it on and what the index files it
// under. All of it comes from the rule's IR (`factsOf`), and only from it, so that facts kept from an
// earlier run of the same rule through the same pipelines (facts-store.ts) stand for the IR, which is
// then made only when the rule is first evaluated or shown.
import type { Expr, FieldTest, RuleIR } from '../ir/types.js';
import type { LogSource, SigmaRule } from '../sigma/model.js';
import type { RegexFlags } from './regex.js';
import { findAnchor, packAnchor, type PackedAnchor } from './prefilter.js';

export interface GuardKeys {
  /** Lower-cased channel names the guard requires (one of them), when it says so plainly. */
  channels?: string[];
  /** Event ids the guard requires (one of them), when it says so plainly. */
  eventIds?: number[];
  /** Every conjunct of the guard is such a list: being filed under them proves the guard. */
  complete: boolean;
}

export interface RuleFacts {
  /** Why the rule cannot be evaluated (unresolved placeholders, rule_failure, …); empty when it can. */
  failures: string[];
  /** Every field name the rule reads (tests and field references), each once, in test order: detection, then guard. */
  fields: string[];
  /** Its regular expressions in the same order, each to be compiled (or found remembered) before the hunt. */
  regexes: Array<{ pattern: string; flags: RegexFlags }>;
  /** The literals the prefilter wakes it on (null: evaluated for every candidate event). */
  anchor: PackedAnchor | null;
  /** The guard's keys for the index; null when the rule has no guard. */
  guard: GuardKeys | null;
  /** Event ids the detection itself requires at its top level (see `detectionEventIds`). */
  ownEventIds: number[] | null;
  /** The processed rule's log source. */
  logsource: LogSource;
  /** Where the rule was loaded from: its file and the document's index in it. */
  file: string;
  docIndex: number;
}

/**
 * Facts kept from earlier runs, by rule (facts-store.ts keeps them in Node; this side of it is all
 * that preparing rules needs, in the browser's playground too).
 */
export interface KeptFacts {
  /** The rule's kept facts, or undefined (then it is prepared in full and its facts `put`). */
  get(rule: SigmaRule): RuleFacts | undefined;
  put(rule: SigmaRule, facts: RuleFacts): void;
  /** Keeps what changed; never throws. */
  save(): void;
}

export function factsOf(ir: RuleIR): RuleFacts {
  const fields: string[] = [];
  const regexes: RuleFacts['regexes'] = [];
  testsInto(ir.detection, fields, regexes);
  if (ir.guard) testsInto(ir.guard, fields, regexes);
  const anchor = ir.failures.length ? null : findAnchor(ir.detection);
  return {
    failures: ir.failures,
    fields: fields.length > 1 ? [...new Set(fields)] : fields,
    regexes,
    anchor: anchor && packAnchor(anchor),
    guard: ir.guard ? guardKeys(ir.guard) : null,
    ownEventIds: detectionEventIds(ir.detection) ?? null,
    logsource: ir.rule.logsource,
    file: ir.rule.file,
    docIndex: ir.rule.docIndex,
  };
}

/** One walk over an expression's tests in order (every test of a corpus passes here: no lists made per node). */
function testsInto(e: Expr, fields: string[], regexes: RuleFacts['regexes']): void {
  switch (e.kind) {
    case 'and':
    case 'or':
      for (let i = 0; i < e.args.length; i++) testsInto(e.args[i]!, fields, regexes);
      return;
    case 'not':
      testsInto(e.arg, fields, regexes);
      return;
    case 'test':
      // A list of values on one field is a run of tests naming it: once per run (factsOf drops the rest).
      if (e.field && e.field !== fields[fields.length - 1]) fields.push(e.field);
      if (e.value.type === 'fieldref') fields.push(e.value.field);
      else if (e.value.type === 're') regexes.push({ pattern: e.value.pattern, flags: e.value.flags });
      return;
    case 'const':
      return;
  }
}

/**
 * Channel names and event ids a guard requires, when its top level says so plainly. `complete`:
 * every conjunct of the guard is such a list, so an event the index files under one of these
 * channels (compared lower-cased, as the guard's case-insensitive test does) and event ids (as
 * numbers, as the guard's number test does) meets the guard.
 */
export function guardKeys(guard: Expr): GuardKeys {
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
export function detectionEventIds(detection: Expr): number[] | undefined {
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
