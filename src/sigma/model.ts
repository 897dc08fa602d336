// The typed model of Sigma documents: detection rules, filters (meta-filters) and correlation rules.
import type { Position } from './diagnostics.js';
import type { SigmaValue } from './values.js';
import type { CondExpr } from './name-expression.js';

export interface LogSource {
  category?: string;
  product?: string;
  service?: string;
  definition?: string;
}

export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/** One `field|modifiers: values` entry (or a keyword list when `field` is null). */
export interface DetectionItem {
  field: string | null;
  /** Modifiers as written, for display and explanation. */
  modifiers: string[];
  values: SigmaValue[];
  /** How the values combine: OR by default, AND with `|all`. */
  link: 'or' | 'and';
  /** `cased`: compare strings case-sensitively. */
  cased: boolean;
  /** `neq`: the field exists and differs from the values. */
  negate: boolean;
  /** A time-part modifier: compare this part of the field's date value. */
  timePart?: TimePart;
  pos: Position;
  /** Where the item came from: the rule itself, a processing pipeline or a Sigma filter. */
  origin: 'rule' | 'pipeline' | 'filter';
}

/** A search identifier's body: items joined by AND (a map) or OR (a list). */
export interface DetectionGroup {
  link: 'and' | 'or';
  children: Array<DetectionItem | DetectionGroup>;
  pos: Position;
  /**
   * Set when a field mapping gave one field several names (Sysmon's `Image` or Security's
   * `NewProcessName`): the children are copies of one item, one per name the logical field may
   * carry. Lowering combines them per value (see ir/alternatives.ts), not as a plain OR.
   */
  alternatives?: true;
}

export interface Detection {
  name: string;
  pos: Position;
  body: DetectionGroup;
}

export type ConditionNode =
  | { op: 'and' | 'or'; args: ConditionNode[]; pos: Position }
  | { op: 'not'; arg: ConditionNode; pos: Position }
  /** `end`: exclusive end of the identifier (of the pattern, for `of`), for diagnostics that span it. */
  | { op: 'id'; name: string; pos: Position; end: Position }
  | { op: 'of'; quantifier: 'one' | 'all'; pattern: string; pos: Position; end: Position };

export interface RelatedRule {
  id: string;
  type: string;
}

interface DocumentBase {
  file: string;
  /** 0-based index of the YAML document within its file. */
  docIndex: number;
  pos: Position;
  title: string;
  id?: string;
  name?: string;
  description?: string;
  author?: string;
  date?: string;
  modified?: string;
  status?: string;
  level?: string;
  taxonomy?: string;
  references: string[];
  tags: string[];
  falsepositives: string[];
  /** Attributes that the specification does not define, kept and shown. */
  custom: Record<string, unknown>;
  /** The YAML text of this document. */
  source: string;
}

export interface SigmaRule extends DocumentBase {
  kind: 'rule';
  related: RelatedRule[];
  license?: string;
  logsource: LogSource;
  detections: Map<string, Detection>;
  /** One or more conditions; several are OR-linked. */
  conditions: ConditionNode[];
  conditionText: string[];
  fields: string[];
  scope: string[];
  regressionTestsPath?: string;
  simulation?: unknown;
}

export interface SigmaFilter extends DocumentBase {
  kind: 'filter';
  logsource: LogSource;
  /** Rule ids or names the filter applies to. */
  rules: string[];
  /** `rules: any` (pySigma 1.1 and the specification's next version): every rule of the filter's log source. */
  anyRule: boolean;
  detections: Map<string, Detection>;
  conditions: ConditionNode[];
  conditionText: string[];
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered' | 'value_sum' | 'value_avg' | 'value_percentile' | 'value_median';

export const CORRELATION_TYPES: readonly CorrelationType[] = ['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile', 'value_median'];

export interface CorrelationCondition {
  op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';
  value: number;
  field?: string | string[];
}

export interface SigmaCorrelation extends DocumentBase {
  kind: 'correlation';
  correlation: {
    type: CorrelationType;
    /** Rule ids or names (of rules or correlations); for an extended condition, those it names. */
    rules: string[];
    groupBy: string[];
    timespanMs: number;
    timespanText: string;
    conditions: CorrelationCondition[];
    aliases: Record<string, Record<string, string>>;
    generate: boolean;
    /** value_percentile: which percentile of the field's values the condition compares (pySigma's `percentile`). */
    percentile?: number;
    /** temporal types: a boolean expression of rule names instead of a count (pySigma's extended condition). */
    expression?: CondExpr;
    /** The expression as written (hunt output and the explorer show it). */
    expressionText?: string;
  };
}

export type SigmaDocument = SigmaRule | SigmaFilter | SigmaCorrelation;

export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] as const;
export const RELATED_TYPES = ['derived', 'obsolete', 'merged', 'renamed', 'similar'] as const;

export function levelRank(level: string | undefined): number {
  const i = LEVELS.indexOf((level ?? '') as (typeof LEVELS)[number]);
  return i < 0 ? -1 : i;
}
