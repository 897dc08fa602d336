// Values that make a set of literals on one field come out as wanted: a string that meets every
// wildcard pattern and regex that must hold and none that must fail, a number in range, an address
// inside a network, or no value at all where the literals ask for a missing field. Candidates are
// proposed here and each one is checked with the engine's own compiled test (src/engine/compile.ts),
// so a wrong guess is discarded, never trusted.
import type { FieldTest } from '../../src/ir/types.js';
import { formatIp, isWildcard, type SigmaString } from '../../src/ir/values.js';
import { compileTest, type Predicate } from '../../src/engine/compile.js';
import { EventView, type EventObject } from '../../src/engine/event-access.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import type { Literal } from './dnf.js';
import { RegexUnsupported, sampleRegex } from './regex-sample.js';

/** Marks a field the event must not carry. */
export const ABSENT = Symbol('absent');
export type Candidate = unknown | typeof ABSENT;

export type Witness = { ok: true; value: Candidate } | { ok: false; reason: string };

/** Values tried for a field that only has to avoid some tests (or merely be present). */
const NEUTRAL = ['quarry-neutral', 'C:\\Quarry\\neutral.exe', '7', 'q'];

const compiled = new WeakMap<FieldTest, Predicate>();
/** The engine's predicate for one test (compiled once per test). */
export function predicateOf(t: FieldTest): Predicate {
  let p = compiled.get(t);
  if (!p) compiled.set(t, (p = compileTest(t, { regex: re2Regex })));
  return p;
}

/** Whether every literal comes out as it must on the event. */
export function literalsHold(lits: readonly Literal[], ev: EventObject): boolean {
  const view = new EventView(ev);
  return lits.every((l) => predicateOf(l.test)(view) === l.holds);
}

/** A value for `field` that makes all its literals come out right; field references are settled later (see generate-events.ts). */
export function fieldWitness(field: string, lits: readonly Literal[]): Witness {
  const local = lits.filter((l) => l.test.value.type !== 'fieldref');
  if (local.some((l) => l.test.timePart)) return { ok: false, reason: 'time-part modifier (a date value is not generated)' };
  const wantsMissing = local.some((l) => holdsOnlyWhenMissing(l));
  // A `neq` test that must fail is met by a matching value: read it as its positive form.
  const positives = local.filter((l) => (l.holds && !l.test.negate) || (!l.holds && l.test.negate)).map((l) => l.test);
  const valued = positives.filter((t) => t.value.type !== 'null' && t.value.type !== 'exists');
  let candidates: Candidate[];
  if (wantsMissing) candidates = [ABSENT];
  else if (valued.length) candidates = valueCandidates(valued);
  else candidates = [...NEUTRAL];
  if (!local.length && lits.length) candidates = ['quarry-ref'];
  if (!wantsMissing && !valued.length) candidates.push(ABSENT);
  let lastError = '';
  for (const c of candidates) {
    if (local.every((l) => predicateOf(l.test)(new EventView(c === ABSENT ? {} : { [field]: c })) === l.holds)) return { ok: true, value: c };
    lastError = describeMiss(field, c, local);
  }
  if (!candidates.length) return { ok: false, reason: `no candidate value for ${field}` };
  return { ok: false, reason: lastError };
}

function describeMiss(field: string, c: Candidate, lits: readonly Literal[]): string {
  const bad = lits.find((l) => predicateOf(l.test)(new EventView(c === ABSENT ? {} : { [field]: c })) !== l.holds)!;
  const kind = bad.test.value.type;
  return `no value meets every test on one field (${bad.holds ? 'a' : 'a negated'} ${kind} test)`;
}

/** A literal that can only come out right when the field is missing. */
function holdsOnlyWhenMissing(l: Literal): boolean {
  const v = l.test.value;
  if (l.test.negate) return false;
  if (l.holds) return v.type === 'null' || (v.type === 'exists' && !v.value);
  return v.type === 'exists' && v.value;
}

function valueCandidates(tests: readonly FieldTest[]): Candidate[] {
  const out: Candidate[] = [];
  const strings = tests.filter((t) => t.value.type === 'string').map((t) => t.value as SigmaString);
  const regexes = tests.filter((t) => t.value.type === 're');
  const samples: string[] = [];
  for (const t of regexes) {
    if (t.value.type !== 're') continue;
    for (let choice = 0; choice < 3; choice++) {
      try {
        const s = sampleRegex(t.value.pattern, choice);
        if (!samples.includes(s)) samples.push(s);
      } catch (e) {
        if (!(e instanceof RegexUnsupported)) throw e;
      }
    }
  }
  if (strings.length || samples.length) {
    // A filler piece keeps `*` from being met by the empty string where a negated '' must fail.
    for (const [sep, filler] of [[' ', []], ['', []], [' ', ['q']]] as const) {
      if (!regexes.length) out.push(globWitness(strings, filler, sep));
      else for (const s of samples) out.push(strings.length ? globWitness(strings, [s, ...filler], sep) : s + filler.join(''));
    }
  }
  for (const t of tests) {
    const v = t.value;
    if (v.type === 'number') out.push(v.value, v.text);
    else if (v.type === 'bool') out.push(v.value);
    else if (v.type === 'cidr') {
      const bits = v.version === 4 ? 32 : 128;
      out.push(formatIp(v.version, v.prefix < bits ? v.network + 1n : v.network));
    }
  }
  const range = numberInRange(tests);
  if (range !== null) out.push(range);
  return [...new Set(out)];
}

/** A number that satisfies every comparison (gt/gte/lt/lte) of the tests, or null when there are none. */
function numberInRange(tests: readonly FieldTest[]): number | null {
  let lo = -Infinity;
  let hi = Infinity;
  let any = false;
  for (const t of tests) {
    if (t.value.type !== 'compare') continue;
    any = true;
    const { op, value } = t.value;
    if (op === 'gt') lo = Math.max(lo, value + 1);
    if (op === 'gte') lo = Math.max(lo, value);
    if (op === 'lt') hi = Math.min(hi, value - 1);
    if (op === 'lte') hi = Math.min(hi, value);
  }
  if (!any) return null;
  if (lo === -Infinity) return hi === Infinity ? 0 : hi;
  return lo;
}

/**
 * One string for several wildcard patterns: the longest required prefix, the patterns' inner pieces
 * in order (and `extra` pieces, e.g. a regex sample), the longest required suffix. A pattern without
 * `*` is taken as the value itself. `?` stands for any one character: 'x'.
 */
export function globWitness(patterns: readonly SigmaString[], extra: readonly string[], sep: string): string {
  let exact: string | null = null;
  let prefix = '';
  let suffix = '';
  const middles: string[] = [];
  for (const p of patterns) {
    const segments: string[] = [''];
    for (const part of p.parts) {
      if (typeof part === 'string') segments[segments.length - 1] += part;
      else if (isWildcard(part, '*')) segments.push('');
      else if (isWildcard(part, '?')) segments[segments.length - 1] += 'x';
    }
    if (segments.length === 1) {
      exact ??= segments[0]!;
      continue;
    }
    if (segments[0]!.length > prefix.length) prefix = segments[0]!;
    if (segments[segments.length - 1]!.length > suffix.length) suffix = segments[segments.length - 1]!;
    middles.push(...segments.slice(1, -1).filter(Boolean));
  }
  if (exact !== null) return exact;
  const inner = [...middles, ...extra];
  if (!inner.length) return prefix && suffix ? prefix + sep + suffix : prefix + suffix;
  return prefix + sep + inner.join(sep) + sep + suffix;
}
