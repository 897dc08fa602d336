// Compiles IR expressions into predicates over an EventView. Each field test becomes one closure
// chosen for its value type, so evaluation does no interpretation of Sigma at match time.
import type { Expr, FieldTest } from '../ir/types.js';
import { cidrContains, parseIp, type SigmaString, type SigmaValue } from '../ir/values.js';
import { compileSigmaString, plainShape, type StringMatcher } from './wildcard.js';
import { AhoCorasick } from './aho-corasick.js';
import { datePart, numberOf, textOf, type EventView } from './event-access.js';
import type { RegexFactory } from './regex.js';
import { requiredLiterals } from './regex-literals.js';

export type Predicate = (ev: EventView) => boolean;
type ValuePredicate = (v: unknown, ev: EventView) => boolean;

export class CompileError extends Error {}

/** Why a regular expression the factory refused cannot be used (the rule is reported with it). */
export function regexError(pattern: string, e: unknown): string {
  return `regular expression /${pattern}/ cannot be used: ${(e as Error).message}`;
}

export interface CompileOptions {
  regex: RegexFactory;
}

export function compileExpr(e: Expr, opts: CompileOptions): Predicate {
  switch (e.kind) {
    case 'const':
      return e.value ? () => true : () => false;
    case 'not': {
      const inner = compileExpr(e.arg, opts);
      return (ev) => !inner(ev);
    }
    case 'and': {
      const parts = e.args.map((a) => compileExpr(a, opts));
      if (parts.length === 2) {
        const [a, b] = parts as [Predicate, Predicate];
        return (ev) => a(ev) && b(ev);
      }
      return (ev) => {
        for (const p of parts) if (!p(ev)) return false;
        return true;
      };
    }
    case 'or': {
      const grouped = groupEqualities(e.args, opts);
      const parts = grouped.map((a) => (typeof a === 'function' ? a : compileExpr(a, opts)));
      return (ev) => {
        for (const p of parts) if (p(ev)) return true;
        return false;
      };
    }
    case 'test':
      return compileTest(e, opts);
  }
}

/**
 * OR lists of string tests on one field (the bulk of Sigma: `Image|endswith: [..]`,
 * `CommandLine|contains: [..]`) become one predicate that reads and lower-cases the field once and
 * then runs the matchers in a tight loop; plain equalities become one Set lookup.
 */
function groupEqualities(args: Expr[], opts: CompileOptions): Array<Expr | Predicate> {
  const groups = new Map<string, FieldTest[]>();
  const rest: Array<Expr | Predicate> = [];
  for (const a of args) {
    if (a.kind === 'test' && a.field !== null && !a.negate && !a.timePart && a.value.type === 'string') {
      const key = `${a.cased ? 'c' : 'i'}\0${a.field}`;
      const list = groups.get(key) ?? [];
      list.push(a);
      groups.set(key, list);
    } else rest.push(a);
  }
  const out: Array<Expr | Predicate> = [];
  for (const tests of groups.values()) {
    if (tests.length < 2) {
      out.push(...tests);
      continue;
    }
    const field = tests[0]!.field!;
    const cased = tests[0]!.cased;
    const exact = new Set<string>();
    const others: SigmaString[] = [];
    for (const t of tests) {
      const value = t.value as SigmaString;
      if (value.parts.every((p) => typeof p === 'string')) exact.add(cased ? value.parts.join('') : value.parts.join('').toLowerCase());
      else others.push(value);
    }
    // A long list of `contains` values is searched for in one pass (containsOneOf), a list of
    // `startswith` or `endswith` values looked up by its ends (endsIn); any other value, and a
    // shorter list, keeps its own matcher.
    const shapes = others.map((v) => plainShape(v, !cased));
    const textsOf = (shape: 'contains' | 'start' | 'end') => shapes.flatMap((p) => (p?.shape === shape ? [p.text] : []));
    const contained = textsOf('contains');
    const starts = textsOf('start');
    const ends = textsOf('end');
    const grouped = { contains: contained.length >= CONTAINS_AUTOMATON, start: starts.length >= AFFIX_SETS, end: ends.length >= AFFIX_SETS };
    const matchers = others.filter((_, i) => !(shapes[i] && grouped[shapes[i]!.shape])).map((v) => compileSigmaString(v, !cased));
    if (grouped.contains) matchers.push(containsOneOf(contained));
    if (grouped.start) matchers.push(endsIn(starts, 'start'));
    if (grouped.end) matchers.push(endsIn(ends, 'end'));
    out.push(fieldPredicate(field, (v, ev) => {
      const raw = textOf(v);
      if (raw === null) return false;
      const s = cased ? raw : ev.lower(raw);
      if (exact.has(s)) return true;
      for (let i = 0; i < matchers.length; i++) if (matchers[i]!(s)) return true;
      return false;
    }));
  }
  void opts;
  return [...out, ...rest];
}

/**
 * Lists of `contains` values at least this long are searched for in one pass (an automaton), shorter
 * ones one String#includes each: a pass reads the text character by character in JavaScript (about
 * as long as a few dozen native searches of a short text), and the Emoji rules' thousand values
 * took a thousand searches of every command line the prefilter let through.
 */
const CONTAINS_AUTOMATON = 256;

/** Whether a text contains one of these texts (`contains` values, compared as their matchers do). */
function containsOneOf(texts: string[]): StringMatcher {
  // The automaton may report a text that is not there (characters that share a column, see
  // aho-corasick.ts), never miss one: each report is checked with String#includes, so the verdict
  // is the includes loop's own. Built on first use (a hunt evaluates few of the corpus's rules).
  let ac: AhoCorasick | null = null;
  let text = '';
  let found = false;
  const hit = (id: number) => {
    if (!found && text.includes(texts[id]!)) found = true;
  };
  return (s) => {
    ac ??= new AhoCorasick(texts);
    text = s;
    found = false;
    ac.scan(s, hit);
    text = '';
    return found;
  };
}

/**
 * Lists of `startswith` or `endswith` values at least this long are looked up by the text's ends,
 * one Set lookup per distinct value length, rather than one String#startsWith or #endsWith each
 * (tens of nanoseconds a call: `Image|endswith` lists of a hundred system binaries, with their
 * filters, were the bulk of evaluating the rules the prefilter let through).
 */
const AFFIX_SETS = 8;

/** Whether a text starts (or ends) with one of these texts: exactly String#startsWith (#endsWith) of each. */
function endsIn(texts: string[], end: 'start' | 'end'): StringMatcher {
  const byLength = new Map<number, Set<string>>();
  for (const t of texts) {
    let set = byLength.get(t.length);
    if (!set) byLength.set(t.length, (set = new Set()));
    set.add(t);
  }
  const lengths = [...byLength.keys()].sort((a, b) => a - b);
  const sets = lengths.map((l) => byLength.get(l)!);
  if (end === 'start')
    return (s) => {
      for (let i = 0; i < lengths.length && lengths[i]! <= s.length; i++) if (sets[i]!.has(s.slice(0, lengths[i]!))) return true;
      return false;
    };
  return (s) => {
    for (let i = 0; i < lengths.length && lengths[i]! <= s.length; i++) if (sets[i]!.has(s.slice(s.length - lengths[i]!))) return true;
    return false;
  };
}

function fieldPredicate(name: string, test: ValuePredicate): Predicate {
  const field = propertyKey(name);
  return (ev) => anyValue(ev.get(field), ev, test);
}

/**
 * A field name as V8 holds property names (internalized): the IR's names are slices of the rule
 * files' text, and reading a property by a name that is not makes V8 look it up in its string
 * table first (on the first read, and then through an indirection). Defining a property with it
 * hands back the internalized string.
 */
function propertyKey(name: string): string {
  return Object.keys({ [name]: 0 })[0]!;
}

function anyValue(v: unknown, ev: EventView, test: ValuePredicate): boolean {
  if (Array.isArray(v)) {
    for (const x of v) if (anyValue(x, ev, test)) return true;
    return false;
  }
  return test(v, ev);
}

export function compileTest(t: FieldTest, opts: CompileOptions): Predicate {
  const value = t.value;
  if (value.type === 'exists') {
    const want = value.value;
    const field = propertyKey(t.field!);
    return (ev) => ev.has(field) === want;
  }
  if (value.type === 'null' && !t.negate) {
    if (t.field === null) return () => false;
    const field = propertyKey(t.field);
    return (ev) => {
      const v = ev.get(field);
      return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
    };
  }
  let test = valuePredicate(value, t, opts);
  if (t.timePart) {
    const part = t.timePart;
    const inner = test;
    test = (v, ev) => inner(datePart(v, part), ev);
  }
  if (t.field === null) {
    // Keyword search: any value anywhere in the event.
    const kw = test;
    return (ev) => {
      for (const v of ev.values()) if (kw(v, ev)) return true;
      return false;
    };
  }
  const field = propertyKey(t.field);
  if (t.negate) {
    const positive = test;
    return (ev) => {
      const v = ev.get(field);
      if (v === undefined || v === null) return false;
      return !anyValue(v, ev, positive);
    };
  }
  return fieldPredicate(field, test);
}

function valuePredicate(value: SigmaValue, t: FieldTest, opts: CompileOptions): ValuePredicate {
  switch (value.type) {
    case 'string': {
      const cased = t.cased;
      const m = compileSigmaString(value, !cased);
      return cased
        ? (v) => {
            const s = textOf(v);
            return s !== null && m(s);
          }
        : (v, ev) => {
            const s = textOf(v);
            return s !== null && m(ev.lower(s));
          };
    }
    case 'number': {
      const n = value.value;
      const text = value.text;
      return (v) => {
        if (typeof v === 'bigint') return Number.isInteger(n) && v === BigInt(n);
        return numberOf(v) === n || (typeof v === 'string' && v === text);
      };
    }
    case 'bool': {
      const b = value.value;
      return (v) => v === b || (typeof v === 'string' && v.toLowerCase() === String(b));
    }
    case 'null':
      return (v) => v === null;
    case 're': {
      let tester: (s: string) => boolean;
      try {
        tester = opts.regex(value.pattern, value.flags);
      } catch (e) {
        throw new CompileError(regexError(value.pattern, e));
      }
      // A regex is a call into RE2 (with the text handed over as UTF-8): a few hundred nanoseconds
      // to microseconds. Most texts lack the literal the pattern cannot match without (see
      // regex-literals.ts: the same reading the prefilter trusts), and String#includes on the
      // lower-cased text, cached per event, says so for far less. Only a text that has one of the
      // alternatives' literals reaches the regex, so the verdict is the regex's own.
      const needs = requiredLiterals(value.pattern, value.flags.i);
      if (!needs) {
        return (v) => {
          const s = textOf(v);
          return s !== null && tester(s);
        };
      }
      return (v, ev) => {
        const s = textOf(v);
        if (s === null) return false;
        const lower = ev.lower(s);
        for (let i = 0; i < needs.length; i++) if (lower.includes(needs[i]!)) return tester(s);
        return false;
      };
    }
    case 'cidr':
      return (v) => {
        const s = textOf(v);
        if (s === null) return false;
        const ip = parseIp(s.trim());
        return ip !== null && cidrContains(value, ip);
      };
    case 'compare': {
      const n = value.value;
      switch (value.op) {
        case 'lt':
          return (v) => numberOf(v) < n;
        case 'lte':
          return (v) => numberOf(v) <= n;
        case 'gt':
          return (v) => numberOf(v) > n;
        case 'gte':
          return (v) => numberOf(v) >= n;
      }
    }
    // falls through (unreachable: the switch above is exhaustive)
    case 'fieldref': {
      const other = propertyKey(value.field);
      const mode = value.match;
      const cased = t.cased;
      return (v, ev) => {
        const a = textOf(v);
        if (a === null) return false;
        return anyValue(ev.get(other), ev, (o) => {
          const b = textOf(o);
          if (b === null) return false;
          const x = cased ? a : ev.lower(a);
          const y = cased ? b : ev.lower(b);
          return mode === 'equals' ? x === y : mode === 'startswith' ? x.startsWith(y) : mode === 'endswith' ? x.endsWith(y) : x.includes(y);
        });
      };
    }
    case 'exists':
      throw new CompileError('exists is handled before value tests');
  }
}
