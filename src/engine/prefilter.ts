// The literal prefilter: most rules require one of a few literal strings in some field (an
// `Image|endswith` list, a `CommandLine|contains` list). Those literals, per field, go into one
// Aho–Corasick automaton; an event wakes only the rules whose literals it contains. Like every
// prefilter here it may only over-select: a rule with no provable literal is always evaluated.
import type { Expr } from '../ir/types.js';
import { AhoCorasick } from './aho-corasick.js';
import { normalizeName, textOf, type EventView } from './event-access.js';

export interface Anchor {
  /** (field, lower-cased literal) pairs: the rule can only match if one of them occurs. */
  needles: Array<{ field: string; literal: string }>;
}

// Two code units: short enough for emoji (a surrogate pair) lists, long enough not to wake on every letter.
const MIN_LITERAL = 2;
const MAX_LITERAL = 12;
/** The pseudo-field of keyword searches: any value of the event. */
const ANY_FIELD = '*';

/** The most selective conjunct of a detection that is a disjunction of literal-bearing string tests. */
export function findAnchor(detection: Expr): Anchor | null {
  const conjuncts = detection.kind === 'and' ? detection.args : [detection];
  let best: Anchor | null = null;
  let bestScore = 0;
  for (const c of conjuncts) {
    const needles = needlesOf(c);
    if (!needles) continue;
    // Score: the shortest literal decides how often the anchor fires; more alternatives fire more.
    // A loop, not Math.min(...): a spread of a long value list would overflow the stack.
    let shortest = Infinity;
    for (const n of needles) shortest = Math.min(shortest, n.literal.length);
    const score = shortest / Math.log2(needles.length + 1);
    if (score > bestScore) {
      best = { needles };
      bestScore = score;
    }
  }
  return best;
}

function needlesOf(e: Expr): Anchor['needles'] | null {
  const tests = e.kind === 'or' ? e.args : [e];
  const out: Anchor['needles'] = [];
  for (const t of tests) {
    if (t.kind === 'or') {
      const inner = needlesOf(t);
      if (!inner) return null;
      for (const n of inner) out.push(n);
      continue;
    }
    if (t.kind === 'and') {
      // An AND inside the OR needs all of its parts: any one part's literals are necessary.
      let found: Anchor['needles'] | null = null;
      for (const a of t.args) if ((found = needlesOf(a))) break;
      if (!found) return null;
      for (const n of found) out.push(n);
      continue;
    }
    if (t.kind !== 'test' || t.negate || t.timePart || t.value.type !== 'string') return null;
    let literal = '';
    for (const p of t.value.parts) if (typeof p === 'string' && p.length > literal.length) literal = p;
    // A single non-ASCII character (an emoji, a look-alike letter) is selective enough on its own.
    if (literal.length < MIN_LITERAL && !(literal.length === 1 && literal.charCodeAt(0) > 127)) return null;
    // Any substring of a required literal is required too: a short tail keeps the automata small
    // (fast to build) while staying selective (paths and file names differ at their ends).
    out.push({ field: t.field ?? ANY_FIELD, literal: literal.toLowerCase().slice(-MAX_LITERAL) });
  }
  return out.length ? out : null;
}

interface FieldAutomaton {
  literals: string[];
  /** Built on first use: a hunt over one kind of event never pays for the other fields' automata. */
  automaton: AhoCorasick | null;
  owners: number[][];
}

export class LiteralPrefilter {
  /** Automata keyed by normalised field name (see EventView.normalizeName), found from the event's own keys. */
  private readonly plain = new Map<string, FieldAutomaton>();
  /** Keyword literals, searched in every value of the event. */
  private anyField: FieldAutomaton | null = null;
  /** Automata for dotted (nested) field names, read through EventView.get. */
  private readonly dotted: Array<{ field: string } & FieldAutomaton> = [];
  /** Per rule index: anchored (true) or always evaluated (false). */
  readonly anchored: boolean[];
  private readonly active: Uint32Array;
  private generation = 0;

  constructor(anchors: Array<Anchor | null>) {
    this.anchored = anchors.map((a) => a !== null);
    this.active = new Uint32Array(anchors.length);
    const byField = new Map<string, Map<string, number[]>>();
    anchors.forEach((a, rule) => {
      for (const n of a?.needles ?? []) {
        const key = n.field.includes('.') ? n.field : normalizeName(n.field);
        const lits = byField.get(key) ?? new Map<string, number[]>();
        byField.set(key, lits);
        const owners = lits.get(n.literal) ?? [];
        if (owners[owners.length - 1] !== rule) owners.push(rule);
        lits.set(n.literal, owners);
      }
    });
    for (const [field, lits] of byField) {
      const literals = [...lits.keys()];
      const fa: FieldAutomaton = { literals, automaton: null, owners: literals.map((l) => lits.get(l)!) };
      if (field === ANY_FIELD) this.anyField = fa;
      else if (field.includes('.')) this.dotted.push({ field, ...fa });
      else this.plain.set(field, fa);
    }
  }

  /** Marks the anchored rules whose literals occur in the event; `allows` then answers for it. */
  scan(ev: EventView): this {
    if (++this.generation === 0xffffffff) {
      this.active.fill(0);
      this.generation = 1;
    }
    const event = ev.event;
    for (const key in event) {
      const fa = this.plain.get(normalizeName(key));
      if (fa) this.scanValue(fa, event[key], ev);
    }
    for (const d of this.dotted) this.scanValue(d, ev.get(d.field), ev);
    if (this.anyField) for (const v of ev.values()) this.scanValue(this.anyField, v, ev);
    return this;
  }

  /** Whether a rule may match the event last scanned. */
  allows(rule: number): boolean {
    return !this.anchored[rule] || this.active[rule] === this.generation;
  }

  private scanValue(fa: FieldAutomaton, v: unknown, ev: EventView): void {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) {
      for (const x of v) this.scanValue(fa, x, ev);
      return;
    }
    const s = textOf(v);
    if (s === null) return;
    const g = this.generation;
    const active = this.active;
    const owners = fa.owners;
    fa.automaton ??= new AhoCorasick(fa.literals);
    fa.automaton.scan(ev.lower(s), (id) => {
      const list = owners[id]!;
      for (let i = 0; i < list.length; i++) active[list[i]!] = g;
    });
  }
}
