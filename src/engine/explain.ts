// Why a rule matched an event, computed with the engine's own compiled tests so that the
// explanation can never disagree with the match.
import type { ConditionNode, Expr, FieldTest } from '../ir/types.js';
import { describeValue, expandPattern } from '../ir/values.js';
import { compileExpr, compileTest, type CompileOptions } from './compile.js';
import { fieldTests } from '../ir/lower.js';
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

// ---------------------------------------------------------------------------------------------
// The condition tree of one rule on one event (`quarry explain`, `quarry test` failures, the
// playground). Every node's value comes from the engine's compiled predicates: a selection, a
// group or a test is compiled with `compileExpr` exactly as the rule's detection is, and the root
// verdict is the compiled detection itself, so the tree cannot disagree with a hunt.

/** A leaf's outcome: `missing-field` is a test that does not hold because the event lacks its field. */
export type LeafState = 'true' | 'false' | 'missing-field';

export type ExplainNode =
  | { kind: 'and' | 'or'; result: boolean; children: ExplainNode[] }
  | { kind: 'not'; result: boolean; child: ExplainNode }
  /** A search identifier of the condition (or `N of pattern`, expanded to its identifiers). */
  | { kind: 'selection'; name: string; result: boolean; child: ExplainNode }
  | { kind: 'of'; quantifier: 'one' | 'all'; pattern: string; result: boolean; children: ExplainNode[] }
  | { kind: 'const'; result: boolean }
  | {
      kind: 'test';
      result: boolean;
      state: LeafState;
      /** `null` for a keyword search (any value of the event). */
      field: string | null;
      modifiers: string[];
      value: string;
      /** The event's value of the field, when it has one. */
      eventValue?: unknown;
    };

export interface RuleExplanation {
  /** The rule's compiled detection on the event: the detector's own verdict (log-source guard aside). */
  matched: boolean;
  /** Log-source conditions a pipeline added (checked on Windows events by the detector); null when none. */
  guard: ExplainNode | null;
  /** Conditions and exclusions a pipeline added to the detection itself; null when none. */
  pipeline: ExplainNode | null;
  /** The rule's condition(s), each search identifier expanded to its tests. */
  condition: ExplainNode;
  /**
   * Fields the rule (with its pipelines) tests that the event does not carry, in rule order; a
   * field the pipelines read under several names is listed as `A or B` when the event has none.
   */
  missingFields: string[];
}

const compiledExprs = new WeakMap<Expr, (ev: EventView) => boolean>();
function exprHolds(e: Expr, ev: EventView, opts: CompileOptions): boolean {
  if (e.kind === 'test') return testHolds(e, ev, opts);
  let p = compiledExprs.get(e);
  if (!p) compiledExprs.set(e, (p = compileExpr(e, opts)));
  return p(ev);
}

function exprNode(e: Expr, ev: EventView, opts: CompileOptions): ExplainNode {
  const result = exprHolds(e, ev, opts);
  switch (e.kind) {
    case 'const':
      return { kind: 'const', result };
    case 'not':
      return { kind: 'not', result, child: exprNode(e.arg, ev, opts) };
    case 'and':
    case 'or':
      return { kind: e.kind, result, children: e.args.map((a) => exprNode(a, ev, opts)) };
    case 'test': {
      const present = e.field === null || ev.has(e.field);
      const state: LeafState = result ? 'true' : present ? 'false' : 'missing-field';
      const eventValue = e.field !== null ? ev.get(e.field) : undefined;
      return {
        kind: 'test',
        result,
        state,
        field: e.field,
        modifiers: e.origin.item.modifiers,
        value: describeValue(e.value),
        ...(eventValue !== undefined ? { eventValue } : {}),
      };
    }
  }
}

function conditionNode(c: ConditionNode, selections: Map<string, Expr>, ev: EventView, opts: CompileOptions): ExplainNode {
  switch (c.op) {
    case 'and':
    case 'or': {
      const children = c.args.map((a) => conditionNode(a, selections, ev, opts));
      const result = c.op === 'and' ? children.every((n) => n.result) : children.some((n) => n.result);
      return { kind: c.op, result, children };
    }
    case 'not': {
      const child = conditionNode(c.arg, selections, ev, opts);
      return { kind: 'not', result: !child.result, child };
    }
    case 'id':
      return selectionNode(c.name, selections, ev, opts);
    case 'of': {
      const children = expandPattern(c.pattern, [...selections.keys()]).map((n) => selectionNode(n, selections, ev, opts));
      const result = c.quantifier === 'all' ? children.every((n) => n.result) : children.some((n) => n.result);
      return { kind: 'of', quantifier: c.quantifier, pattern: c.pattern, result, children };
    }
  }
}

function selectionNode(name: string, selections: Map<string, Expr>, ev: EventView, opts: CompileOptions): ExplainNode {
  const e = selections.get(name);
  if (!e) throw new Error(`undefined search identifier '${name}'`); // validation rejects such rules first
  const child = exprNode(e, ev, opts);
  return { kind: 'selection', name, result: child.result, child };
}

/**
 * What the pipelines added to the detection (lowering puts them first in a top-level `and`, the
 * rule's conditions last): the parts whose tests all come from a pipeline.
 */
function pipelineParts(detection: Expr): Expr[] {
  if (detection.kind !== 'and') return [];
  return detection.args.filter((a) => {
    const tests = fieldTests(a);
    return tests.length > 0 && tests.every((t) => t.origin.selection === 'pipeline');
  });
}

export function explainRule(rule: CompiledRule, ev: EventView, opts: CompileOptions): RuleExplanation {
  const { ir } = rule;
  const conditions = ir.rule.conditions.map((c) => conditionNode(c, ir.selections, ev, opts));
  const condition: ExplainNode =
    conditions.length === 1 ? conditions[0]! : { kind: 'or', result: conditions.some((n) => n.result), children: conditions };
  const added = pipelineParts(ir.detection);
  const pipeline = added.length ? exprNode(added.length === 1 ? added[0]! : { kind: 'and', args: added }, ev, opts) : null;
  const guard = ir.guard ? exprNode(ir.guard, ev, opts) : null;
  const missing = new Set<string>();
  const sets: string[][] = [];
  if (ir.guard) fieldSets(ir.guard, sets);
  fieldSets(ir.detection, sets);
  for (const names of sets) if (!names.some((n) => ev.has(n))) missing.add(names.join(' or '));
  return { matched: rule.detection(ev), guard, pipeline, condition, missingFields: [...missing] };
}

/**
 * The fields an expression reads, as sets of alternatives: a pipeline that maps one field to
 * several log formats (Sysmon's `Image`, Security 4688's `NewProcessName`) lowers a value to an OR of
 * the same value on each name, and an event lacks the field only when it carries none of them.
 */
function fieldSets(e: Expr, out: string[][]): void {
  switch (e.kind) {
    case 'const':
      return;
    case 'test':
      if (e.field !== null) out.push([e.field]);
      return;
    case 'not':
      fieldSets(e.arg, out);
      return;
    case 'and':
    case 'or': {
      const tests = e.args.filter((a): a is FieldTest => a.kind === 'test' && a.field !== null);
      if (e.kind === 'or' && tests.length === e.args.length) {
        // The same value on several names is one field under alternative names.
        const byValue = new Map<string, Set<string>>();
        for (const t of tests) {
          const key = `${t.origin.item.modifiers.join('|')}\0${describeValue(t.value)}`;
          byValue.set(key, (byValue.get(key) ?? new Set()).add(t.field!));
        }
        for (const names of byValue.values()) out.push([...names]);
        return;
      }
      e.args.forEach((a) => fieldSets(a, out));
    }
  }
}
