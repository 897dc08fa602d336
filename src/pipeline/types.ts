// Processing pipelines in the pySigma YAML format: transformations of rules (field names, values,
// added conditions, log sources) chosen by conditions, applied before a rule is lowered to the IR.
import type { Diagnostic, Position } from '../sigma/diagnostics.js';
import type { DetectionGroup, SigmaRule } from '../sigma/model.js';

export interface ProcessingPipeline {
  name: string;
  priority: number;
  /** `vars`: placeholder name → values, used by value_placeholders. */
  vars: Record<string, string[]>;
  items: ProcessingItem[];
  /** File the pipeline came from, or `builtin:NAME`. */
  origin: string;
}

/** One condition of a processing item (rule, detection item or field name condition). */
export interface ProcessingCondition {
  /** The key when conditions are written as a map (needed by `*_cond_expr`). */
  id?: string;
  type: string;
  /** The condition's parameters as written (everything but `type`). */
  params: Record<string, unknown>;
  pos?: Position;
}

/** One entry of a pipeline's `transformations` list, kept close to its YAML form. */
export interface ProcessingItem {
  id?: string;
  type: string;
  /** Transformation parameters (mapping, prefix, conditions, …) as written. */
  params: Record<string, unknown>;
  ruleConditions: ProcessingCondition[];
  /** `rule_cond_expr`: a boolean expression (and/or/not, parentheses) over the conditions' ids. */
  ruleCondExpression?: string;
  ruleCondLinking: 'and' | 'or';
  ruleCondNot: boolean;
  detectionItemConditions: ProcessingCondition[];
  detectionItemCondExpression?: string;
  detectionItemCondLinking: 'and' | 'or';
  detectionItemCondNot: boolean;
  fieldNameConditions: ProcessingCondition[];
  fieldNameCondExpression?: string;
  fieldNameCondLinking: 'and' | 'or';
  fieldNameCondNot: boolean;
  /** Where the item starts in its pipeline file. */
  pos?: Position;
}

export interface ProcessedRule {
  /**
   * The rule after the pipelines: a copy when an item may have changed it, else the input rule
   * itself. The input rule is never modified.
   */
  rule: SigmaRule;
  /**
   * Conditions that identify the rule's log source (from add_condition items whose rule conditions
   * test the log source, or that say `guard: true`). Consumers AND them with the rule; the hunt
   * engine skips them for events whose log source cannot be told.
   */
  guards: DetectionGroup[];
  /** Other added conditions, always ANDed with the rule's condition. */
  conditions: DetectionGroup[];
  /**
   * Added conditions that must NOT match (add_condition with `negated: true`): consumers AND the
   * negation of each with the rule.
   */
  exclusions: DetectionGroup[];
  /** Why the rule cannot run or convert with these pipelines (rule_failure, unresolved placeholders, …). */
  failures: string[];
  /** Ids (or types) of the processing items that were applied, in order. */
  applied: string[];
  /** Pipeline state after processing (set_state). */
  state: Record<string, unknown>;
}

export interface PipelineLoadResult {
  pipeline: ProcessingPipeline | null;
  diagnostics: Diagnostic[];
}
