// Lowering: a processed rule (after filters and pipelines) becomes IR expressions.
import type { ConditionNode, Detection, DetectionGroup, DetectionItem, SigmaRule } from '../sigma/model.js';
import { expandPattern } from '../sigma/condition.js';
import type { ProcessedRule } from '../pipeline/types.js';
import { placeholdersReported } from '../pipeline/apply.js';
import type { Expr, FieldTest, RuleIR, TestOrigin } from './types.js';
import { STAR, isPlaceholder, isWildcard, normalizeParts, type SigmaValue } from '../sigma/values.js';
import { holdsOnMissing, sameShape, type AlternativesOptions } from './alternatives.js';

/** What the target can tell apart, where it changes the IR (see ir/alternatives.ts). */
export type LowerOptions = AlternativesOptions;

/** `failures`: loweringFailures(p), when the caller has it already (a converter checks it first). */
export function lowerProcessedRule(p: ProcessedRule, opts: LowerOptions = {}, failures: string[] = loweringFailures(p)): RuleIR {
  const { rule } = p;
  const selections = new Map<string, Expr>();
  rule.detections.forEach((d, name) => selections.set(name, lowerDetection(d, opts)));
  const conditionExprs = rule.conditions.map((c) => lowerCondition(c, selections));
  let detection = joinFresh('or', conditionExprs);
  const added = [...p.conditions.map((g) => lowerGroup(g, 'pipeline', opts)), ...p.exclusions.map((g) => not(lowerGroup(g, 'pipeline', opts)))];
  if (added.length) detection = joinFresh('and', [...added, detection]);
  const guard = p.guards.length ? joinFresh('and', p.guards.map((g) => lowerGroup(g, 'pipeline', opts))) : null;
  return { rule, guard, detection, selections, failures, applied: p.applied };
}

/**
 * Why the IR of a processed rule cannot be used (its `failures`), known before lowering: the
 * pipelines' failures and any placeholder left unresolved. A converter that refuses such a rule
 * need not lower it (backends/common/convert.ts).
 */
export function loweringFailures(p: ProcessedRule): string[] {
  const failures = [...p.failures];
  if (placeholdersReported(p)) return failures;
  for (const name of unresolvedPlaceholders(p.rule)) {
    const reason = `placeholder %${name}% has no values (give them with a pipeline's vars)`;
    if (!failures.some((f) => f.includes(`%${name}%`))) failures.push(reason);
  }
  return failures;
}

function unresolvedPlaceholders(rule: SigmaRule): string[] {
  const names = new Set<string>();
  const visit = (g: DetectionGroup): void => {
    for (const c of g.children) {
      if ('children' in c) visit(c);
      else for (const v of c.values) if (v.type === 'string') for (const p of v.parts) if (isPlaceholder(p)) names.add(p.placeholder);
    }
  };
  for (const d of rule.detections.values()) visit(d.body);
  return [...names];
}

/** A rule with no pipeline at all: what the engine uses when none is given. */
export function lowerRule(rule: SigmaRule): RuleIR {
  return lowerProcessedRule({ rule, guards: [], conditions: [], exclusions: [], failures: [], applied: [], state: {} });
}

export function lowerDetection(d: Detection, opts: LowerOptions = {}): Expr {
  return lowerGroup(d.body, d.name, opts);
}

export function lowerGroup(g: DetectionGroup, selection: string, opts: LowerOptions = {}): Expr {
  if (g.alternatives) return lowerAlternatives(g, selection, opts);
  const children = g.children;
  const parts: Expr[] = new Array(children.length);
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    parts[i] = 'children' in c ? lowerGroup(c, selection, opts) : lowerItem(c, selection);
  }
  return joinFresh(g.link, parts);
}

export function lowerItem(item: DetectionItem, selection: string): Expr {
  // One origin for the item's tests: a list of thousands of hashes need not make thousands.
  const origin: TestOrigin = { selection, item };
  const values = item.values;
  // One value (most items): its test is the item's expression; no list to make and drop.
  if (values.length === 1) return fieldTest(item, values[0]!, origin);
  const tests: Expr[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) tests[i] = fieldTest(item, values[i]!, origin);
  return linkValues(item, tests);
}

function fieldTest(item: DetectionItem, value: SigmaValue, origin: TestOrigin): FieldTest {
  return {
    kind: 'test',
    field: item.field,
    value: item.field === null ? keywordValue(value) : value,
    cased: item.cased,
    negate: item.negate,
    timePart: item.timePart,
    origin,
  };
}

/**
 * Joins an item's per-value expressions. `neq` says the field differs from the values: every value
 * must differ unless `all` asked for any one of them to (De Morgan over the item's linking).
 */
function linkValues(item: DetectionItem, perValue: Expr[]): Expr {
  return joinFresh(item.negate ? (item.link === 'or' ? 'and' : 'or') : item.link, perValue);
}

/**
 * A field mapped to several names: per value, the names are ANDed when the test holds on a missing
 * field and ORed otherwise (ir/alternatives.ts says why).
 */
function lowerAlternatives(g: DetectionGroup, selection: string, opts: LowerOptions): Expr {
  const items = g.children.filter((c): c is DetectionItem => !('children' in c));
  if (items.length === g.children.length && items.length > 0 && sameShape(items)) {
    const first = items[0]!;
    const origins = items.map((item): TestOrigin => ({ selection, item }));
    const perValue = first.values.map((v, i) => {
      const tests = items.map((it, j) => fieldTest(it, it.values[i]!, origins[j]!));
      return joinFresh(holdsOnMissing(first, v, opts) ? 'and' : 'or', tests);
    });
    return linkValues(first, perValue);
  }
  // Later transformations made the copies differ (values rewritten, copies dropped, nested
  // mappings): whole copies are combined, AND when every value of every copy holds on a missing
  // field and OR otherwise, which is exact whenever the copies agree on that.
  const lowered = g.children.map((c) => ('children' in c ? lowerGroup(c, selection, opts) : lowerItem(c, selection)));
  const allMissing = g.children.every((c) => !('children' in c) && c.values.length > 0 && c.values.every((v) => holdsOnMissing(c, v, opts)));
  return joinFresh(allMissing ? 'and' : 'or', lowered);
}

/**
 * A keyword is searched for inside the event's text, as full-text search backends do with a term:
 * plain keyword strings get implicit `*` at both ends (explicit wildcards are kept).
 */
function keywordValue(v: SigmaValue): SigmaValue {
  if (v.type !== 'string') return v;
  const parts = [...v.parts];
  if (!(parts.length && isWildcard(parts[0]!, '*'))) parts.unshift(STAR);
  if (!(parts.length && isWildcard(parts[parts.length - 1]!, '*'))) parts.push(STAR);
  return { ...v, parts: normalizeParts(parts) };
}

function lowerCondition(c: ConditionNode, selections: Map<string, Expr>): Expr {
  switch (c.op) {
    case 'and':
    case 'or':
      return joinFresh(c.op, c.args.map((a) => lowerCondition(a, selections)));
    case 'not':
      return not(lowerCondition(c.arg, selections));
    case 'id': {
      const e = selections.get(c.name);
      if (!e) throw new Error(`undefined search identifier '${c.name}'`); // validation rejects such rules first
      return e;
    }
    case 'of': {
      const names = expandPattern(c.pattern, selections.keys());
      const exprs = names.map((n) => selections.get(n)!);
      return joinFresh(c.quantifier === 'all' ? 'and' : 'or', exprs);
    }
  }
}

// Constructors that keep the tree flat and fold constants. They append in loops: a spread
// (`push(...a.args)`) of a long value list (thousands of hashes) would overflow the stack.
export function and(args: Expr[]): Expr {
  const out: Expr[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.kind === 'const') {
      if (!a.value) return a;
      continue;
    }
    if (a.kind === 'and') for (let j = 0; j < a.args.length; j++) out.push(a.args[j]!);
    else out.push(a);
  }
  if (out.length === 0) return { kind: 'const', value: true };
  return out.length === 1 ? out[0]! : { kind: 'and', args: out };
}

export function or(args: Expr[]): Expr {
  const out: Expr[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.kind === 'const') {
      if (a.value) return a;
      continue;
    }
    if (a.kind === 'or') for (let j = 0; j < a.args.length; j++) out.push(a.args[j]!);
    else out.push(a);
  }
  if (out.length === 0) return { kind: 'const', value: false };
  return out.length === 1 ? out[0]! : { kind: 'or', args: out };
}

/**
 * `and` or `or` of an array made for it that nobody else holds: when nothing is to flatten or fold
 * (nearly always: an item's tests, a group's parts), the array becomes the node's own rather than
 * being copied, which for lists of thousands of values is most of lowering's garbage.
 */
function joinFresh(kind: 'and' | 'or', args: Expr[]): Expr {
  for (let i = 0; i < args.length; i++) {
    const k = args[i]!.kind;
    if (k === 'const' || k === kind) return kind === 'and' ? and(args) : or(args);
  }
  if (args.length === 0) return { kind: 'const', value: kind === 'and' };
  return args.length === 1 ? args[0]! : { kind, args };
}

export function not(arg: Expr): Expr {
  if (arg.kind === 'const') return { kind: 'const', value: !arg.value };
  if (arg.kind === 'not') return arg.arg;
  return { kind: 'not', arg };
}

/** Every field test in an expression, in order. */
export function fieldTests(e: Expr, out: FieldTest[] = []): FieldTest[] {
  // Into one array: a flatMap per level made an array per node of every rule of the corpus.
  switch (e.kind) {
    case 'and':
    case 'or':
      for (let i = 0; i < e.args.length; i++) fieldTests(e.args[i]!, out);
      break;
    case 'not':
      fieldTests(e.arg, out);
      break;
    case 'test':
      out.push(e);
      break;
  }
  return out;
}
