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

/** Groups of a rule at most (each is a bit of a mask; a few selective ones do nearly all the work). */
const MAX_GROUPS = 3;

// Two code units: short enough for emoji (a surrogate pair) lists, long enough not to wake on every letter.
const MIN_LITERAL = 2;
const MAX_LITERAL = 12;
/** The pseudo-field of keyword searches: any value of the event. */
const ANY_FIELD = '*';

/** The most selective conjuncts of a detection that are disjunctions of literal-bearing string tests. */
export function findAnchor(detection: Expr): Anchor | null {
  // Indexed loops throughout: every test of every rule of a corpus passes here once, in code not yet
  // optimised, where each for-of step allocates an iterator result.
  const conjuncts = detection.kind === 'and' ? detection.args : [detection];
  const scored: Array<{ needles: Needles; score: number }> = [];
  for (let i = 0; i < conjuncts.length; i++) {
    const needles: Needles = [];
    if (!needlesInto(conjuncts[i]!, needles)) continue;
    // Score: the shortest literal decides how often the anchor fires; more alternatives fire more.
    // A loop, not Math.min(...): a spread of a long value list would overflow the stack.
    let shortest = Infinity;
    for (let j = 0; j < needles.length; j++) shortest = Math.min(shortest, needles[j]!.literal.length);
    scored.push({ needles, score: shortest / Math.log2(needles.length + 1) });
  }
  if (!scored.length) return null;
  if (scored.length > 1) scored.sort((a, b) => b.score - a.score); // stable: on a tie, the conjunct written first
  const groups: Needles[] = [];
  for (let i = 0; i < scored.length && i < MAX_GROUPS; i++) groups.push(scored[i]!.needles);
  return { groups };
}

/** Long enough to be selective; a single non-ASCII character (an emoji, a look-alike letter) is selective on its own. */
function usable(literal: string): boolean {
  return literal.length >= MIN_LITERAL || (literal.length === 1 && literal.charCodeAt(0) > 127);
}

/**
 * Appends to `out` literals one of which every event matching `e` contains (an OR of tests: one per
 * test); false when `e` has no such set (then `out` may hold some of them, to be dropped).
 */
function needlesInto(e: Expr, out: Needles): boolean {
  const start = out.length;
  if (e.kind === 'or') {
    for (let i = 0; i < e.args.length; i++) if (!partInto(e.args[i]!, out)) return false;
  } else if (!partInto(e, out)) return false;
  return out.length > start;
}

/** One disjunct of needlesInto. */
function partInto(t: Expr, out: Needles): boolean {
  if (t.kind === 'or') return needlesInto(t, out);
  if (t.kind === 'and') {
    // An AND inside the OR needs all of its parts: any one part's literals are necessary.
    for (let i = 0; i < t.args.length; i++) {
      const start = out.length;
      if (needlesInto(t.args[i]!, out)) return true;
      out.length = start;
    }
    return false;
  }
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

interface FieldAutomaton {
  /**
   * The field's literals, each with the groups it serves (as rule × 4 + group), and the keyword
   * literals to add to them: kept until the field's first value is scanned, when `ready` makes the
   * rest. A hunt over one kind of event never pays for the other fields' automata, nor for adding
   * the keyword literals to every field's (hundreds of each).
   */
  lits: Map<string, Owners>;
  keywordLits: Map<string, Owners> | null;
  automaton: AhoCorasick | null;
  /** Per literal, the generation that last saw it: a literal found twice marks its rules once. */
  seen: Uint32Array;
  /** The hit handler: marks the rules of a literal the first time an event shows it. */
  hit: (id: number) => void;
}

/** Nesting below this depth is not searched by keywords (EventView.values stops there too). */
const MAX_KEYWORD_DEPTH = 32;

export class LiteralPrefilter {
  /**
   * Automata keyed by normalised field name (see EventView.normalizeName), found from the event's
   * own keys. Each holds the field's literals and the keyword literals too, so a value is scanned
   * once for both.
   */
  private readonly plain = new Map<string, FieldAutomaton>();
  /** Keyword literals alone: for values of fields no rule names, and inside nested objects. */
  private keywords: FieldAutomaton | null = null;
  /** Automata for dotted (nested) field names, read through EventView.get. */
  private readonly dotted: Array<{ field: string } & FieldAutomaton> = [];
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
   */
  readonly woken: number[] = [];
  private generation = 0;
  /** The event being scanned (for the lower-cased text of non-ASCII values). */
  private ev: EventView | null = null;

  /**
   * `anchorOf(rule)` for each rule index below `count`, asked once each in order: the anchors of a
   * corpus (tens of thousands of needles) are not all held at once, each is dropped once read.
   */
  constructor(count: number, anchorOf: (rule: number) => Anchor | null) {
    this.anchored = [];
    this.active = new Uint32Array(count);
    this.seenGroups = new Uint8Array(count);
    this.partial = new Uint32Array(count);
    this.allGroups = new Uint8Array(count);
    const byField = new Map<string, Map<string, Owners>>();
    // Needles of one test list name one field: its key and literal map are looked up once per run of them.
    let lastField: string | null = null;
    let lits: Map<string, Owners> = new Map();
    for (let rule = 0; rule < count; rule++) {
      const anchor = anchorOf(rule);
      this.anchored.push(anchor !== null);
      const groups = anchor?.groups ?? [];
      const count = Math.min(groups.length, MAX_GROUPS);
      this.allGroups[rule] = (1 << count) - 1;
      for (let group = 0; group < count; group++) {
        const code = rule * 4 + group;
        const needles = groups[group]!;
        for (let i = 0; i < needles.length; i++) {
          const n = needles[i]!;
          if (n.field !== lastField) {
            lastField = n.field;
            const key = n.field.includes('.') ? n.field : normalizeName(n.field);
            let m = byField.get(key);
            if (!m) byField.set(key, (m = new Map()));
            lits = m;
          }
          const owners = lits.get(n.literal);
          if (owners === undefined) lits.set(n.literal, code);
          else if (typeof owners === 'number') {
            if (owners !== code) lits.set(n.literal, [owners, code]);
          } else if (owners[owners.length - 1] !== code) owners.push(code);
        }
      }
    }
    const keywordLits = byField.get(ANY_FIELD) ?? null;
    if (keywordLits) this.keywords = this.automaton(keywordLits, null);
    for (const [field, lits] of byField) {
      if (field === ANY_FIELD) continue;
      if (field.includes('.')) this.dotted.push({ field, ...this.automaton(lits, null) });
      else this.plain.set(field, this.automaton(lits, keywordLits));
    }
  }

  private automaton(lits: Map<string, Owners>, keywordLits: Map<string, Owners> | null): FieldAutomaton {
    return { lits, keywordLits, automaton: null, seen: EMPTY, hit: IGNORE };
  }

  /** Builds a field's automaton and hit handler (see FieldAutomaton). */
  private ready(fa: FieldAutomaton): AhoCorasick {
    const lits = fa.keywordLits ? merge(fa.lits, fa.keywordLits) : fa.lits;
    const literals = [...lits.keys()];
    const owners = literals.map((l) => ownerList(lits.get(l)!));
    const seen = (fa.seen = new Uint32Array(literals.length));
    fa.hit = (id: number) => {
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
    return (fa.automaton = new AhoCorasick(literals));
  }

  /** Marks the anchored rules whose literals occur in the event; `allows` then answers for it. */
  scan(ev: EventView): this {
    if (++this.generation === 0xffffffff) {
      this.active.fill(0);
      this.partial.fill(0);
      for (const fa of this.automata()) fa.seen.fill(0);
      this.generation = 1;
    }
    this.ev = ev;
    this.woken.length = 0;
    const event = ev.event;
    const keywords = this.keywords;
    for (const key in event) {
      const fa = this.plain.get(normalizeName(key)) ?? keywords;
      if (fa) this.walk(fa, event[key], 1);
    }
    for (const d of this.dotted) this.walk(d, ev.get(d.field), MAX_KEYWORD_DEPTH);
    this.ev = null;
    return this;
  }

  /** Whether a rule may match the event last scanned. */
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
      const keywords = this.keywords;
      if (keywords && depth < MAX_KEYWORD_DEPTH) for (const x of Object.values(v)) this.walk(keywords, x, depth + 1);
      return;
    }
    const s = textOf(v);
    if (s === null) return;
    const ac = fa.automaton ?? this.ready(fa);
    if (!ac.scanFolded(s, fa.hit)) ac.scan(this.ev!.lower(s), fa.hit);
  }

  /**
   * Builds every field's automaton now (a hunt builds each on first use); returns how many and the
   * bytes they hold. For benchmarks of the build, and for a long-running service that would rather
   * pay it before its first event.
   */
  buildAll(): { automata: number; bytes: number } {
    let automata = 0;
    let bytes = 0;
    for (const fa of this.automata()) {
      bytes += (fa.automaton ?? this.ready(fa)).bytes;
      automata++;
    }
    return { automata, bytes };
  }

  private *automata(): Iterable<FieldAutomaton> {
    yield* this.plain.values();
    yield* this.dotted;
    if (this.keywords) yield this.keywords;
  }
}

/** What a field's automaton holds until it is built: it sees no literal and marks no rule. */
const EMPTY = new Uint32Array(0);
const IGNORE = (_id: number): void => {};

/** A field's literals with the keyword literals added (a literal in both wakes both owners). */
function merge(field: Map<string, Owners>, keywords: Map<string, Owners>): Map<string, Owners> {
  // Owner lists are only read once built: the merged map shares them, copying none (there are a
  // hundred keyword literals and a hundred fields).
  const out = new Map(field);
  for (const [l, o] of keywords) {
    const mine = out.get(l);
    out.set(l, mine !== undefined ? ownerList(mine).concat(o) : o);
  }
  return out;
}

/**
 * The groups a literal serves (each rule × 4 + group): most literals serve one, kept as the number
 * alone until the field's automaton is built (tens of thousands of one-element arrays otherwise).
 */
type Owners = number | number[];

function ownerList(o: Owners): number[] {
  return typeof o === 'number' ? [o] : o;
}
