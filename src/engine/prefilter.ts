// The literal prefilter: most rules require one of a few literal strings in some field (an
// `Image|endswith` list, a `CommandLine|contains` list). Those literals, per field, go into one
// Aho–Corasick automaton; an event wakes only the rules whose literals it contains. A rule whose
// condition is a conjunction may need literals from several of its parts (an `Image|endswith`
// list and a `CommandLine|contains` list): each part is a group, and the rule wakes only when
// every group has one of its literals in the event. Like every prefilter here it may only
// over-select: a rule with no provable literal is always evaluated.
import type { Expr } from '../ir/types.js';
import { AhoCorasick } from './aho-corasick.js';
import { requiredLiterals } from './regex-literals.js';
import { normalizeName, textOf, type EventView } from './event-access.js';

type Needles = Array<{ field: string; literal: string }>;

export interface Anchor {
  /**
   * Groups of (field, lower-cased literal) pairs, the most selective first: the rule can only
   * match if each group has one pair that occurs.
   */
  groups: Needles[];
}

/**
 * An anchor as the rule set keeps it (rule-facts.ts) and the prefilter reads it: each group one
 * array of field, literal, field, literal, … (a corpus has tens of thousands of needles: one array
 * a group rather than an object a needle, kept between runs and read back with little work).
 */
export type PackedAnchor = string[][];

export function packAnchor(anchor: Anchor): PackedAnchor {
  return anchor.groups.map((needles) => {
    const packed: string[] = new Array(needles.length * 2);
    for (let i = 0; i < needles.length; i++) {
      packed[2 * i] = needles[i]!.field;
      packed[2 * i + 1] = needles[i]!.literal;
    }
    return packed;
  });
}

/** Groups of a rule at most (each is a bit of a mask; a few selective ones do nearly all the work). */
const MAX_GROUPS = 3;

// Two code units: short enough for emoji (a surrogate pair) lists, long enough not to wake on every letter.
const MIN_LITERAL = 2;
const MAX_LITERAL = 12;
/** The pseudo-field of keyword searches: any value of the event. */
const ANY_FIELD = '*';

/**
 * The most selective necessary clauses of a detection (see `clausesOf`), each a group: the rule
 * can only match when every group has one of its literals in the event.
 */
export function findAnchor(detection: Expr): Anchor | null {
  const clauses = clausesOf(detection);
  if (!clauses.length) return null;
  const groups: Needles[] = [];
  for (let i = 0; i < clauses.length && i < MAX_GROUPS; i++) groups.push(clauses[i]!.needles);
  return { groups };
}

/** A disjunction of needles one of which every event matching some expression contains. */
interface Clause {
  needles: Needles;
  /** The length of its shortest literal (see `selectivity`). */
  shortest: number;
}

/** Clauses kept per subexpression, the most selective: an OR combines those of its branches pairwise. */
const MAX_CLAUSES = 4;

/**
 * Clauses every event matching `e` satisfies, the most selective first (MAX_CLAUSES at most), each
 * a NECESSARY condition (the prefilter may only over-select):
 * - a string or regex test: one clause, its literal(s), when they are usable;
 * - an AND: each part's clauses (whichever part, it must hold);
 * - an OR: one clause of each branch, joined (whichever branch holds, its clause does), so every
 *   branch must have one or the OR has none. `a or (b and c)` gives `a|b` and `a|c`: two groups,
 *   both needed, so an event with `b` alone (a registry event's `EventType: SetValue`) does not
 *   wake the rule, and no guess of which of `b` and `c` is rarer has to be right;
 * - anything else (NOT, constants, time parts): none.
 */
function clausesOf(e: Expr): Clause[] {
  // Indexed loops throughout: every test of every rule of a corpus passes here once, in code not yet
  // optimised, where each for-of step allocates an iterator result.
  if (e.kind === 'and') {
    const all: Clause[] = [];
    for (let i = 0; i < e.args.length; i++) {
      const part = clausesOf(e.args[i]!);
      for (let j = 0; j < part.length; j++) all.push(part[j]!);
    }
    return mostSelective(all);
  }
  if (e.kind === 'or') {
    let acc: Clause[] = [];
    let sorted = true;
    for (let i = 0; i < e.args.length; i++) {
      const arg = e.args[i]!;
      if (i > 0 && arg.kind === 'test') {
        // The usual case (a value list: an OR of tests): its literals appended in place to each
        // clause (this call's own), so that a list of thousands of hashes is not copied once per
        // value, nor a clause made for each.
        scratch.length = 0;
        if (!testNeedles(arg, scratch)) return [];
        for (let j = 0; j < acc.length; j++) append(acc[j]!, scratch);
        sorted = acc.length < 2;
        continue;
      }
      const branch = clausesOf(arg);
      if (!branch.length) return [];
      if (i === 0) acc = branch;
      else if (branch.length === 1) {
        for (let j = 0; j < acc.length; j++) append(acc[j]!, branch[0]!.needles);
        sorted = acc.length < 2;
      } else {
        const joined: Clause[] = [];
        for (let j = 0; j < acc.length; j++)
          for (let k = 0; k < branch.length; k++) {
            const c: Clause = { needles: acc[j]!.needles.slice(), shortest: acc[j]!.shortest };
            append(c, branch[k]!.needles);
            joined.push(c);
          }
        acc = mostSelective(joined);
        sorted = true;
      }
    }
    // Appending changed the clauses' scores: sorted again once, at the end.
    return sorted ? acc : mostSelective(acc);
  }
  const needles: Needles = [];
  if (!testNeedles(e, needles)) return [];
  let shortest = Infinity;
  for (let i = 0; i < needles.length; i++) shortest = Math.min(shortest, needles[i]!.literal.length);
  return [{ needles, shortest }];
}

/** The needles of one test of an OR (see clausesOf), reused. */
const scratch: Needles = [];

function append(to: Clause, needles: Needles): void {
  let shortest = to.shortest;
  for (let i = 0; i < needles.length; i++) {
    to.needles.push(needles[i]!);
    shortest = Math.min(shortest, needles[i]!.literal.length);
  }
  to.shortest = shortest;
}

/**
 * How seldom an event would satisfy a clause, higher for rarer (a guess from the rule alone): the
 * shortest literal decides how often it fires; more alternatives fire more.
 */
function selectivity(c: Clause): number {
  return c.shortest / Math.log2(c.needles.length + 1);
}

/**
 * The MAX_CLAUSES most selective clauses (on a tie, the one met first), without those another kept
 * one implies (all of whose literals it has: it can never be the group an event lacks), so that the
 * groups are distinct conditions. Only clauses of a few needles are compared (a long list is seldom
 * implied, and a redundant group costs a little scanning, never a missed event).
 */
function mostSelective(clauses: Clause[]): Clause[] {
  if (clauses.length < 2) return clauses;
  const scored = clauses.map((c) => ({ c, score: selectivity(c) }));
  scored.sort((a, b) => b.score - a.score); // stable
  const kept: Clause[] = [];
  // Each kept clause's needles as a set, made when first compared (most calls keep one or two
  // clauses); null for a clause of more than COMPARED needles, which is never compared.
  const sets: Array<Set<string> | null | undefined> = [];
  const setOf = (k: number): Set<string> | null => (sets[k] === undefined ? (sets[k] = keysOf(kept[k]!.needles)) : sets[k]!);
  for (let i = 0; i < scored.length && kept.length < MAX_CLAUSES; i++) {
    const c = scored[i]!.c;
    let mine: Set<string> | null | undefined = c.needles.length > COMPARED ? null : undefined;
    let implied = false;
    for (let k = 0; k < kept.length && !implied && mine !== null; k++) {
      const theirs = setOf(k);
      // a larger set cannot be a subset of this clause's
      if (theirs === null || theirs.size > c.needles.length) continue;
      implied = isSubset(theirs, (mine ??= keysOf(c.needles)));
    }
    if (implied) continue;
    sets.push(mine);
    kept.push(c);
  }
  return kept;
}

/** Needles a clause may have to be compared with the others (see mostSelective). */
const COMPARED = 32;

function keysOf(needles: Needles): Set<string> {
  const keys = new Set<string>();
  for (let i = 0; i < needles.length; i++) keys.add(`${needles[i]!.field}\0${needles[i]!.literal}`);
  return keys;
}

function isSubset<T>(a: Set<T>, b: Set<T>): boolean {
  if (a.size > b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** Long enough to be selective; a single non-ASCII character (an emoji, a look-alike letter) is selective on its own. */
function usable(literal: string): boolean {
  return literal.length >= MIN_LITERAL || (literal.length === 1 && literal.charCodeAt(0) > 127);
}

/** Appends to `out` the literals one of which the text a (positive, string or regex) test holds for contains; false when it has none. */
function testNeedles(t: Expr, out: Needles): boolean {
  if (t.kind !== 'test' || t.negate || t.timePart) return false;
  const field = t.field ?? ANY_FIELD;
  if (t.value.type === 're') {
    // Each alternative of the regex needs its own literal; any one of them may be the one present.
    const lits = requiredLiterals(t.value.pattern, t.value.flags.i);
    if (!lits) return false;
    for (let i = 0; i < lits.length; i++) {
      const l = lits[i]!;
      if (!usable(l)) return false;
      out.push({ field, literal: l.slice(-MAX_LITERAL) });
    }
    return true;
  }
  if (t.value.type !== 'string') return false;
  const parts = t.value.parts;
  let literal = '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (typeof p === 'string' && p.length > literal.length) literal = p;
  }
  if (!usable(literal)) return false;
  // Any substring of a required literal is required too: a short tail keeps the automata small
  // (fast to build) while staying selective (paths and file names differ at their ends).
  out.push({ field, literal: literal.toLowerCase().slice(-MAX_LITERAL) });
  return true;
}

/** Per literal of a field, the groups it serves, each as rule × 4 + group. */
type Owners = Map<string, number[]>;

interface FieldAutomaton {
  literals: string[];
  /**
   * Built once values have asked for it (see `LiteralPrefilter.buildAfter`): a hunt over one kind
   * of event never pays for the other fields' automata, nor for a large one that a few values ask.
   * Shared by every scope with the same literals (see `LiteralPrefilter.automatonOf`).
   */
  automaton: AhoCorasick | null;
  /** What the automaton found in values already scanned (see ValueMemo); set with `automaton`. */
  memo: ValueMemo | null;
  /** Values searched literal by literal so far, each weighted by its length (see `buildAfter`). */
  direct: number;
  /** Whether some literal could occur in the text of a number (see NUMBER_TEXT): if not, numbers are not searched. */
  numbers: boolean;
  /** Whether some literal is made of identifier characters alone (see ID_CHARS): if not, values made of them are not searched. */
  idLiterals: boolean;
  /** The length of the shortest literal: a shorter value holds none (see `walk`). */
  shortest: number;
  /** Per literal, the groups it serves, each as rule × 4 + group. */
  owners: number[][];
  /** Per literal, the generation that last saw it: a literal found twice marks its rules once. */
  seen: Uint32Array;
  /** The hit handler, made once: marks the rules of a literal the first time an event shows it. */
  hit: (id: number) => void;
}

/**
 * The automata for the events of one candidate list (a scope): only the literals of the scope's
 * rules. The corpus's literals of one field mostly belong to rules a given event cannot meet (the
 * hash lists of driver-load rules, the keywords of Exchange and application-log rules): a
 * process-creation event scanned with them paid for text positions and wakings that could never
 * count. A scope's automata are smaller (faster to scan, kinder to the caches), and a value no
 * rule of the scope has a literal for (keywords included) is not scanned at all.
 */
export interface PrefilterScope {
  /** Per rule index, 1 for the scope's rules; null: every rule. */
  member: Uint8Array | null;
  /**
   * Per normalised field name some rule has literals for: its automaton (the field's literals
   * and the keyword literals, so that a value is scanned once for both), UNBUILT until an event
   * shows the field, or null when the scope has no literal for it. Other fields are scanned
   * with `keywords`.
   */
  plain: Map<string, FieldAutomaton | null>;
  /** Keyword literals alone: for values of fields no rule names, and inside nested objects. */
  keywords: FieldAutomaton | null;
  /** The keyword literals of the scope's rules (null: none), merged into each field's. */
  keywordOwners: Owners | null;
  /** Automata for dotted (nested) field names, read through EventView.get. */
  dotted: Array<{ field: string } & FieldAutomaton>;
}

/** Nesting below this depth is not searched by keywords (EventView.values stops there too). */
const MAX_KEYWORD_DEPTH = 32;
/** Scopes kept at most: distinct candidate lists are few (channel × event id of the rules); past this, the whole set's scope. */
const MAX_SCOPES = 1024;
/** A scope's field whose automaton is not made yet (its first event makes it). */
const UNBUILT: FieldAutomaton = { literals: [], automaton: null, memo: null, direct: 0, numbers: false, idLiterals: false, shortest: 0, owners: [], seen: new Uint32Array(0), hit: () => {} };
/**
 * A literal made only of characters the lower-cased text of a number can have (String of a number
 * or bigint: digits, sign, point, exponent, `infinity`, `nan`). A literal with any other character
 * cannot occur in a number's text: a field's numbers (event ids, levels, process ids: two values
 * of five in the EVTX samples) need no search when none of its literals is like this.
 */
const NUMBER_TEXT = /^[-+.0-9aefinty]+$/;
/**
 * The characters of the identifiers and times events are full of (GUIDs `5AA13A44-0D08-…`, in
 * braces too, times `2025-10-24T23:34:34.640Z` and `2025-10-24 23:34:34.634`, logon ids
 * `0x3144c`, numbers as text): over a quarter of the characters the prefilter read on the
 * SigmaHQ regression events, mostly with the keyword literals alone (no rule names those fields). A value
 * made of these characters alone lower-cases to their lower cases alone (ASCII lower-casing is
 * exact), so every substring of it is made of them too: no literal with another character can
 * occur in it, and an automaton none of whose literals is made of them alone (ID_LITERAL; the
 * keyword literals, command-line and path pieces) need not read it.
 */
const ID_CHARS = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF-+.: {}tTzZxX') ID_CHARS[c.charCodeAt(0)] = 1;
const ID_LITERAL = /^[-+.: {}0-9a-ftzx]+$/;

/** Whether a text is made of ID_CHARS alone (it stops at the first other character: a path's third, a name's first). */
function idText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || ID_CHARS[c] === 0) return false;
  }
  return true;
}
/**
 * Values (weighted: see `walk`) a field's literals are searched for one by one before its automaton
 * is built. Building costs, per literal, about what 30 searches of a short value with
 * String#includes cost once the code is optimised, and several times more in a process's first
 * second (the build's loops are not optimised yet), when a hunt builds them: the 7,500
 * command-line literals of every Windows rule took 60–90 ms to build, for the 8 command lines of
 * the public EVTX samples. Searching until the searches have cost about what the build would,
 * then building, costs at most about twice the better of the two (the rent-or-buy bound),
 * whatever the events.
 */
const BUILD_AFTER = 32;

/**
 * The literals an automaton found in a value, by the value: the same values come back event after
 * event (channel, provider, computer and user names, image paths, hashes of common binaries,
 * parent command lines: over half of the characters the prefilter scans in one pass over the
 * SigmaHQ regression events, more in a real log), and a Map lookup (a native hash of the text,
 * then a compare) costs a fraction of the scan, which reads the text character by character in
 * JavaScript. The found literals are a function of the text alone (the scans read nothing else),
 * so replaying them is the scan's verdict. Values longer than MEMO_LONGEST are scanned each time
 * (long texts rarely come back). Past MEMO_BUDGET characters kept over all automata (a value
 * counts MEMO_ENTRY at least, for the entry's own bytes), every memo is emptied and fills again
 * with what the events now show: a few megabytes at most.
 */
type ValueMemo = Map<string, readonly number[]>;
const MEMO_LONGEST = 1024;
const MEMO_BUDGET = 1 << 20;
const MEMO_ENTRY = 16;
/**
 * A value not yet kept costs more than its scan (a copy of the text and an entry, later garbage),
 * so the memo serves the keys whose values come back: per key of a key list (see KeyShape), the
 * values looked up and found are counted, and past MEMO_TRIAL lookups a key whose values were
 * found less than half the time (times, record and process ids, GUIDs, most command lines) is
 * scanned directly, one value in MEMO_SAMPLE still looked up and kept to notice a change. The
 * counts are halved past MEMO_WINDOW lookups, so that they follow the stream.
 */
const MEMO_TRIAL = 16;
const MEMO_SAMPLE = 16;
const MEMO_WINDOW = 1024;

/** What a scan derives from a key list in a scope: each key's automaton and its memo counts. */
interface ShapeScan {
  fields: Array<FieldAutomaton | null>;
  /** Per key, values looked up in the memo (2k) and found there (2k + 1). */
  memoCounts: Int32Array;
}
/** A value in which no literal was found (most of them). */
const NOTHING: readonly number[] = Object.freeze([]);

export class LiteralPrefilter {
  /** Per normalised field name (see EventView.normalizeName), the literals of every rule. */
  private readonly fields = new Map<string, Owners>();
  /** Per dotted (nested) field name, the literals of every rule. */
  private readonly dottedFields = new Map<string, Owners>();
  /** The keyword literals (any value of the event) of every rule. */
  private readonly keywordOwners: Owners | undefined;
  /** The scope of every rule (for events any rule may meet, and for `scan` without a scope). */
  private readonly everyRule: PrefilterScope;
  /** Scopes by their rules (the indexes, joined): lists with the same rules share one. */
  private readonly scopes = new Map<string, PrefilterScope>();
  /** Automata by their literals (JSON): scopes with the same literals for a field share one. */
  private readonly built = new Map<string, AhoCorasick>();
  /** Per automaton (shared by the scopes with its literals), its value memo. */
  private readonly memos = new Map<AhoCorasick, ValueMemo>();
  /** Characters held by all memos (see ValueMemo). */
  private memoChars = 0;
  /** The memo counts of the key list being scanned, and the key (−1: a dotted field, always looked up). */
  private counts: Int32Array | null = null;
  private key = -1;
  /** Values of keys past their trial scanned directly (every MEMO_SAMPLE-th is looked up). */
  private skipped = 0;
  /** The literals the scan of a value not yet in the memo reports, each once (see `remember`). */
  private readonly found: number[] = [];
  private readonly collect = (id: number) => {
    if (!this.found.includes(id)) this.found.push(id);
  };
  /** Every field automaton of every scope (to reset their generations). */
  private readonly all: FieldAutomaton[] = [];
  /** Per rule index: anchored (true) or always evaluated (false). */
  readonly anchored: boolean[];
  /** Per rule index, the generation (event) in which all its groups were seen. */
  private readonly active: Uint32Array;
  /** Per rule index, the groups seen (a bit each) in generation `partial[rule]`. */
  private readonly seenGroups: Uint8Array;
  private readonly partial: Uint32Array;
  /** Per rule index, the mask of all its groups. */
  private readonly allGroups: Uint8Array;
  /**
   * The anchored rules the event last scanned woke, each once, in the order found (the detector
   * evaluates these and the unanchored candidates, instead of asking `allows` of every candidate).
   * Only rules of the scope scanned with.
   */
  readonly woken: number[] = [];
  private generation = 0;
  /**
   * Weighted values a field's literals are searched for directly before its automaton is built
   * (BUILD_AFTER). Either way finds the same literals; tests set 0 (automata from the first value)
   * and Infinity (never built) to check both against the plain path.
   */
  buildAfter = BUILD_AFTER;
  /** Characters the value memos keep at most (see ValueMemo); tests set it low to empty them often. */
  memoBudget = MEMO_BUDGET;
  /** The event being scanned (for the lower-cased text of non-ASCII values). */
  private ev: EventView | null = null;
  /** The scope being scanned with (its keywords search nested objects). */
  private scope: PrefilterScope;

  /** `anchorOf(rule)` for each rule index below `count`, asked once each in order. */
  constructor(count: number, anchorOf: (rule: number) => PackedAnchor | null) {
    this.anchored = [];
    this.active = new Uint32Array(count);
    this.seenGroups = new Uint8Array(count);
    this.partial = new Uint32Array(count);
    this.allGroups = new Uint8Array(count);
    const byField = new Map<string, Owners>();
    // Needles of one test list name one field: its key and literal map are looked up once per run of them.
    let lastField: string | null = null;
    let lits: Owners = new Map();
    for (let rule = 0; rule < count; rule++) {
      const anchor = anchorOf(rule);
      this.anchored.push(anchor !== null);
      const groups = anchor ?? [];
      const n = Math.min(groups.length, MAX_GROUPS);
      this.allGroups[rule] = (1 << n) - 1;
      for (let group = 0; group < n; group++) {
        const code = rule * 4 + group;
        const needles = groups[group]!;
        for (let i = 0; i < needles.length; i += 2) {
          const field = needles[i]!;
          const literal = needles[i + 1]!;
          if (field !== lastField) {
            lastField = field;
            const key = field.includes('.') ? field : normalizeName(field);
            let m = byField.get(key);
            if (!m) byField.set(key, (m = new Map()));
            lits = m;
          }
          const owners = lits.get(literal);
          if (!owners) lits.set(literal, [code]);
          else if (owners[owners.length - 1] !== code) owners.push(code);
        }
      }
    }
    this.keywordOwners = byField.get(ANY_FIELD);
    for (const [field, lits] of byField) {
      if (field === ANY_FIELD) continue;
      if (field.includes('.')) this.dottedFields.set(field, lits);
      else this.fields.set(field, lits);
    }
    this.scope = this.everyRule = this.makeScope(null);
  }

  /**
   * The scope of events whose candidates are the rules `member` marks (per rule index, 1: a
   * candidate); null: every rule. Scopes are kept by content, so any list of the same rules
   * finds the same one.
   */
  scopeOf(member: Uint8Array | null): PrefilterScope {
    if (!member) return this.everyRule;
    let key = '';
    let count = 0;
    for (let i = 0; i < member.length; i++) if (member[i] === 1) (key += `${i},`), count++;
    if (count === member.length) return this.everyRule;
    let scope = this.scopes.get(key);
    if (!scope) {
      if (this.scopes.size >= MAX_SCOPES) return this.everyRule;
      this.scopes.set(key, (scope = this.makeScope(member)));
    }
    return scope;
  }

  private makeScope(member: Uint8Array | null): PrefilterScope {
    const kw = this.keywordOwners ? restrict(this.keywordOwners, member) : null;
    const scope: PrefilterScope = { member, plain: new Map(), keywords: kw ? this.automaton(kw) : null, keywordOwners: kw, dotted: [] };
    for (const field of this.fields.keys()) scope.plain.set(field, UNBUILT);
    for (const [field, lits] of this.dottedFields) {
      const mine = restrict(lits, member);
      if (mine) scope.dotted.push({ field, ...this.automaton(mine) });
    }
    return scope;
  }

  /** The automaton a value of this field (normalised name) is scanned with in a scope; null: none. */
  private fieldFor(scope: PrefilterScope, field: string): FieldAutomaton | null {
    const fa = scope.plain.get(field);
    return fa === UNBUILT ? this.fieldOf(scope, field) : fa === undefined ? scope.keywords : fa;
  }

  /** The automaton of a field of a scope, made when an event first shows the field. */
  private fieldOf(scope: PrefilterScope, field: string): FieldAutomaton | null {
    const own = restrict(this.fields.get(field)!, scope.member);
    const fa = !own ? scope.keywords : this.automaton(scope.keywordOwners ? merge(own, scope.keywordOwners) : own);
    scope.plain.set(field, fa);
    return fa;
  }

  private automaton(lits: Owners): FieldAutomaton {
    const literals = [...lits.keys()];
    const owners = literals.map((l) => lits.get(l)!);
    const seen = new Uint32Array(literals.length);
    const hit = (id: number) => {
      const g = this.generation;
      if (seen[id] === g) return;
      seen[id] = g;
      const list = owners[id]!;
      const { active, woken, seenGroups, partial, allGroups } = this;
      for (let i = 0; i < list.length; i++) {
        const rule = list[i]! >> 2;
        const bit = 1 << (list[i]! & 3);
        if (partial[rule] !== g) {
          partial[rule] = g;
          seenGroups[rule] = 0;
        }
        if ((seenGroups[rule]! & bit) !== 0) continue;
        const groups = (seenGroups[rule] = seenGroups[rule]! | bit);
        if (groups !== allGroups[rule]) continue;
        active[rule] = g;
        woken.push(rule);
      }
    };
    const numbers = literals.some((l) => NUMBER_TEXT.test(l));
    const idLiterals = literals.some((l) => ID_LITERAL.test(l));
    let shortest = Infinity;
    for (let i = 0; i < literals.length; i++) shortest = Math.min(shortest, literals[i]!.length);
    const fa: FieldAutomaton = { literals, automaton: null, memo: null, direct: 0, numbers, idLiterals, shortest, owners, seen, hit };
    this.all.push(fa);
    return fa;
  }

  /** The Aho–Corasick automaton of these literals, made once for every scope that has them. */
  private automatonOf(literals: string[]): AhoCorasick {
    const key = JSON.stringify(literals);
    let ac = this.built.get(key);
    if (!ac) this.built.set(key, (ac = new AhoCorasick(literals)));
    return ac;
  }

  /** Builds a field's automaton (if no scope has yet) and gives it its memo. */
  private build(fa: FieldAutomaton): AhoCorasick {
    const ac = (fa.automaton = this.automatonOf(fa.literals));
    let memo = this.memos.get(ac);
    if (!memo) this.memos.set(ac, (memo = new Map()));
    fa.memo = memo;
    return ac;
  }

  /**
   * Marks the anchored rules of the scope (by default every rule) whose literals occur in the
   * event; `allows` then answers for it.
   */
  scan(ev: EventView, scope: PrefilterScope = this.everyRule): this {
    if (++this.generation === 0xffffffff) {
      this.active.fill(0);
      this.partial.fill(0);
      for (const fa of this.all) fa.seen.fill(0);
      this.generation = 1;
    }
    this.ev = ev;
    this.scope = scope;
    this.woken.length = 0;
    // Each key's automaton is found once per key list (events of a source share theirs), not per event.
    const shape = ev.shape();
    let derived = shape.derived.get(scope) as ShapeScan | undefined;
    if (!derived) {
      const fields = shape.keys.map((key) => this.fieldFor(scope, normalizeName(key)));
      shape.derived.set(scope, (derived = { fields, memoCounts: new Int32Array(fields.length * 2) }));
    }
    // By key, not Object.values: events of many keys are dictionaries to V8, whose values are
    // listed slowly (a sort per call), while a lookup by key stays cheap.
    const { keys } = shape;
    const { fields } = derived;
    const event = ev.event;
    this.counts = derived.memoCounts;
    for (let i = 0; i < fields.length; i++) {
      const fa = fields[i];
      this.key = i;
      if (fa) this.walk(fa, event[keys[i]!], 1);
    }
    this.key = -1;
    for (const d of scope.dotted) this.walk(d, ev.get(d.field), MAX_KEYWORD_DEPTH);
    this.counts = null;
    this.ev = null;
    return this;
  }

  /** Whether a rule may match the event last scanned (false for an anchored rule outside the scope scanned with). */
  allows(rule: number): boolean {
    return !this.anchored[rule] || this.active[rule] === this.generation;
  }

  /**
   * Scans a value with a field's automaton: arrays element by element (a rule's test holds if it
   * holds for any element), scalars as their text. Nested objects hold no value a field test
   * reads, but keywords search them (as EventView.values does, to the same depth).
   */
  private walk(fa: FieldAutomaton, v: unknown, depth: number): void {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) {
      for (const x of v) this.walk(fa, x, depth + 1);
      return;
    }
    if (typeof v === 'object') {
      const keywords = this.scope.keywords;
      if (keywords && depth < MAX_KEYWORD_DEPTH) for (const x of Object.values(v)) this.walk(keywords, x, depth + 1);
      return;
    }
    if (!fa.numbers && (typeof v === 'number' || typeof v === 'bigint')) return;
    const s = textOf(v);
    if (s === null) return;
    // A value shorter than every literal holds none, and is neither looked up nor scanned (short
    // values are common: `-`, `0x0`, levels, flags). Its lower case is as long, but for U+0130 (İ),
    // which lower-cases to two code units.
    if (s.length < fa.shortest && !s.includes('\u0130')) return;
    if (!fa.idLiterals && idText(s)) return;
    let ac = fa.automaton;
    if (ac === null) {
      // A long value costs each literal's search more (a value of 512 characters counts twice):
      // one that would take the searches past the budget is scanned with the automaton, built now,
      // so a huge value never meets thousands of literals one by one.
      const cost = 1 + (s.length >> 9);
      if (fa.direct + cost <= this.buildAfter) {
        fa.direct += cost;
        this.searchEach(fa, s);
        return;
      }
      ac = this.build(fa);
    }
    const counts = this.counts;
    const k = this.key * 2;
    if (s.length > MEMO_LONGEST || (k >= 0 && counts !== null && !memoServes(counts, k) && ++this.skipped % MEMO_SAMPLE !== 0)) {
      if (!ac.scanFolded(s, fa.hit)) ac.scan(this.ev!.lower(s), fa.hit);
      return;
    }
    const memo = fa.memo!;
    let ids = memo.get(s);
    if (k >= 0 && counts !== null) {
      if (++counts[k]! === MEMO_WINDOW) (counts[k] = MEMO_WINDOW >> 1), (counts[k + 1]! >>= 1);
      if (ids !== undefined) counts[k + 1]!++;
    }
    if (ids === undefined) ids = this.remember(ac, memo, s);
    for (let i = 0; i < ids.length; i++) fa.hit(ids[i]!);
  }

  /** Empties every value memo: each value is scanned again the next time it comes (bench/engine.ts measures first sights so). */
  forgetValues(): void {
    for (const m of this.memos.values()) m.clear();
    this.memoChars = 0;
  }

  /**
   * Scans a value not yet in the memo and keeps what was found (each literal once, in the order
   * first found: the hits are idempotent and their order matters to nothing, see `searchEach`).
   */
  private remember(ac: AhoCorasick, memo: ValueMemo, s: string): readonly number[] {
    const found = this.found;
    found.length = 0;
    if (!ac.scanFolded(s, this.collect)) ac.scan(this.ev!.lower(s), this.collect);
    const ids = found.length ? found.slice() : NOTHING;
    const cost = Math.max(s.length, MEMO_ENTRY);
    if (this.memoChars + cost > this.memoBudget) this.forgetValues();
    memo.set(detached(s), ids);
    this.memoChars += cost;
    return ids;
  }

  /**
   * What the automaton's scan reports, without it: every literal the lower-cased value contains
   * (the automaton may report a few more, never fewer: see `columns` in aho-corasick.ts). Hits
   * are reported in literal order rather than text order, which nothing reads: `woken` is sorted
   * by the detector, and marking a rule does not depend on the order of its literals' hits.
   */
  private searchEach(fa: FieldAutomaton, s: string): void {
    const text = this.ev!.lower(s);
    const { literals, hit } = fa;
    for (let i = 0; i < literals.length; i++) if (text.includes(literals[i]!)) hit(i);
  }

  /**
   * Builds every field's automaton of the whole set's scope now (a hunt builds each on first use);
   * returns how many and the bytes they hold. For benchmarks of the build, and for a long-running
   * service that would rather pay it before its first event.
   */
  buildAll(): { automata: number; bytes: number } {
    let automata = 0;
    let bytes = 0;
    const scope = this.everyRule;
    const fas = [...scope.dotted, ...(scope.keywords ? [scope.keywords] : [])];
    for (const [field, fa] of scope.plain) fas.push(fa === UNBUILT ? this.fieldOf(scope, field)! : fa!);
    for (const fa of new Set(fas)) {
      bytes += (fa.automaton ?? this.build(fa)).bytes;
      automata++;
    }
    return { automata, bytes };
  }
}

/** Whether a key's values are looked up in the memo: in its trial, or found there half the time (see MEMO_TRIAL). */
function memoServes(counts: Int32Array, k: number): boolean {
  const tried = counts[k]!;
  return tried < MEMO_TRIAL || counts[k + 1]! * 2 >= tried;
}

/**
 * A copy of a text that holds nothing else alive, as one flat string: an event's value may be a
 * slice of a much larger text (a line, a decoded chunk), which a memo key would keep in memory, and
 * V8 compares a slice or a concatenation with another string through a runtime call on every
 * lookup that meets it, where two flat strings are compared inline. Joining two pieces writes
 * a new flat string (a concatenation would be a pair of references, a slice a reference).
 */
function detached(s: string): string {
  return s.length < 2 ? s : [s.slice(0, 1), s.slice(1)].join('');
}

/** The literals some rule of `member` owns, with only those owners; null when none (`member` null: all, as they are). */
function restrict(lits: Owners, member: Uint8Array | null): Owners | null {
  if (!member) return lits;
  const out: Owners = new Map();
  for (const [l, owners] of lits) {
    const mine = owners.filter((code) => member[code >> 2] === 1);
    if (mine.length) out.set(l, mine);
  }
  return out.size ? out : null;
}

/** A field's literals with the keyword literals added (a literal in both wakes both owners). */
function merge(field: Owners, keywords: Owners): Owners {
  // Owner lists are only read once built: the merged map shares them, copying none (there are a
  // hundred keyword literals and a hundred fields).
  const out = new Map(field);
  for (const [l, o] of keywords) {
    const mine = out.get(l);
    out.set(l, mine ? mine.concat(o) : o);
  }
  return out;
}
