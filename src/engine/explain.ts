// Why a rule matched an event, computed with the engine's own compiled tests so that the
// explanation can never disagree with the match.
import type { ConditionNode, Expr, FieldTest } from '../ir/types.js';
import { describeValue, expandPattern } from '../ir/values.js';
import { compileTest, type CompileOptions } from './compile.js';
import type { EventView } from './event-access.js';
import type { CompiledRule } from './rule-set.js';

export interface MatchedTest {
  selection: string;
  field: string | null;
  modifiers: string[];
  value: string;
  /** The event's value of the field (absent for keyword and exists tests). */
  eventValue?: unknown;
}

/** Search identifiers used positively (under an even number of `not`s) by the conditions. */
export function positiveSelections(conditions: ConditionNode[], names: string[]): Set<string> {
  const out = new Set<string>();
  const walk = (c: ConditionNode, negated: boolean): void => {
    switch (c.op) {
      case 'and':
      case 'or':
        c.args.forEach((a) => walk(a, negated));
        return;
      case 'not':
        walk(c.arg, !negated);
        return;
      case 'id':
        if (!negated) out.add(c.name);
        return;
      case 'of':
        if (!negated) expandPattern(c.pattern, names).forEach((n) => out.add(n));
    }
  };
  conditions.forEach((c) => walk(c, false));
  return out;
}

export function explainMatch(rule: CompiledRule, ev: EventView, opts: CompileOptions): MatchedTest[] {
  const names = [...rule.ir.selections.keys()];
  const positive = positiveSelections(rule.ir.rule.conditions, names);
  const out: MatchedTest[] = [];
  for (const [name, expr] of rule.ir.selections) {
    if (!positive.has(name)) continue;
    for (const t of trueTests(expr, ev, opts)) {
      out.push({
        selection: name,
        field: t.field,
        modifiers: t.origin.item.modifiers,
        value: describeValue(t.value),
        ...(t.field !== null && t.value.type !== 'exists' ? { eventValue: ev.get(t.field) } : {}),
      });
    }
  }
  return out;
}

// Explanations run once per detection: compile each test once, not once per detection.
const compiled = new WeakMap<FieldTest, (ev: EventView) => boolean>();
function testHolds(t: FieldTest, ev: EventView, opts: CompileOptions): boolean {
  let p = compiled.get(t);
  if (!p) compiled.set(t, (p = compileTest(t, opts)));
  return p(ev);
}

/** Tests that hold on the event, inside the parts of an expression that hold. */
function trueTests(e: Expr, ev: EventView, opts: CompileOptions): FieldTest[] {
  switch (e.kind) {
    case 'const':
    case 'not':
      return [];
    case 'test':
      return testHolds(e, ev, opts) ? [e] : [];
    case 'and': {
      const parts = e.args.map((a) => trueTests(a, ev, opts));
      return parts.every((p, i) => p.length > 0 || holds(e.args[i]!, ev, opts)) ? parts.flat() : [];
    }
    case 'or':
      return e.args.flatMap((a) => trueTests(a, ev, opts));
  }
}

function holds(e: Expr, ev: EventView, opts: CompileOptions): boolean {
  switch (e.kind) {
    case 'const':
      return e.value;
    case 'not':
      return !holds(e.arg, ev, opts);
    case 'test':
      return testHolds(e, ev, opts);
    case 'and':
      return e.args.every((a) => holds(a, ev, opts));
    case 'or':
      return e.args.some((a) => holds(a, ev, opts));
  }
}
