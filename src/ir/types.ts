// The query IR: a small boolean tree of typed field tests. The engine compiles it to matchers and
// every backend renders it; nothing downstream interprets Sigma itself.
import type { DetectionItem, SigmaRule, TimePart } from '../sigma/model.js';
import type { SigmaValue } from '../sigma/values.js';

export type Expr =
  | { kind: 'and'; args: Expr[] }
  | { kind: 'or'; args: Expr[] }
  | { kind: 'not'; arg: Expr }
  | { kind: 'const'; value: boolean }
  | FieldTest;

export interface TestOrigin {
  /** Search identifier the test belongs to (or `pipeline`, or a filter's identifier). */
  selection: string;
  item: DetectionItem;
}

/**
 * One comparison of one field (or, with `field: null`, of any value of the event: a keyword search).
 * `negate` is the `neq` modifier: the field exists, is not null, and does not match.
 */
export interface FieldTest {
  kind: 'test';
  field: string | null;
  value: SigmaValue;
  cased: boolean;
  negate: boolean;
  timePart?: TimePart;
  origin: TestOrigin;
}

export interface RuleIR {
  rule: SigmaRule;
  /** Log-source conditions added by pipelines; null when the pipelines did not map the log source. */
  guard: Expr | null;
  /** The detection after filters and pipeline conditions: what must hold on an event of the log source. */
  detection: Expr;
  /** Each search identifier's own expression, for explanations and the explorer's stages view. */
  selections: Map<string, Expr>;
  /** Reasons the rule cannot be evaluated or converted (unresolved placeholders, rule_failure, …). */
  failures: string[];
  /** Processing items applied, in order. */
  applied: string[];
  /**
   * For a rule that correlations read: what their fields (group-by, value) are called in this
   * rule's events after the same pipelines (ir/field-names.ts), field as written → names.
   */
  correlationFields?: ReadonlyMap<string, readonly string[]>;
}

export { type SigmaValue };
export type { ConditionNode, SigmaRule, DetectionItem } from '../sigma/model.js';
