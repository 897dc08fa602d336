// What every backend shares: the result of converting one rule, and the error a renderer throws
// when its target cannot express something. A rule that cannot be converted exactly is an error
// with a reason, never a weaker query.
import type { RuleIR } from '../../ir/types.js';
import type { ResolvedCorrelation } from '../../sigma/correlation-plan.js';
import type { RuleMeta } from './rule-meta.js';
import type { SigmaRule } from '../../sigma/model.js';

/**
 * Why a rule could not be converted: a stable code (for accounting) and a readable message. It is an
 * expected outcome, always caught and turned into a result (common/convert.ts), never a bug report, so
 * it is made without a stack trace: capturing one was 3 to 11% of the conversion time (CPU profiles)
 * of SigmaHQ's rules/ to KQL for ASIM, where half of the rules are refused.
 */
export class ConversionError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    // stackTraceLimit is V8's (Node, Chromium); elsewhere setting it does nothing. This module is
    // also built for the browser playground, without Node's types.
    const engine = Error as { stackTraceLimit?: number };
    const limit = engine.stackTraceLimit;
    engine.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      engine.stackTraceLimit = limit;
    }
    this.code = code;
  }
}

export type ConversionResult =
  | {
      ok: true;
      query: string;
      /**
       * What the user should know about an exact-as-possible query that still reads some events
       * differently from Sigma (e.g. KQL cannot tell an empty field from a missing one); readable
       * sentences, empty for most rules.
       */
      notes: readonly string[];
      state: Readonly<Record<string, unknown>>;
      pipelines: readonly string[];
    }
  | { ok: false; code: string; error: string };

/** A rule after pipelines, ready for a backend: the IR and the pipeline state (`query_table`, …). */
export interface ConvertInput {
  ir: RuleIR;
  state: Readonly<Record<string, unknown>>;
  /** Names of the pipelines applied, for messages. */
  pipelines: readonly string[];
}

/**
 * A rule after pipelines but before lowering: what a backend may refuse it for without its IR
 * (Backend.refusal). `rule` is the processed rule (its log source as the pipelines left it).
 */
export interface ProcessedInput {
  rule: SigmaRule;
  /** Whether the pipelines gave the rule a log-source guard (the IR's `guard` is then not null). */
  guarded: boolean;
  state: Readonly<Record<string, unknown>>;
  pipelines: readonly string[];
}

/** A processed input as its IR tells it, for a renderer that checks the same refusal again. */
export function processedInput({ ir, state, pipelines }: ConvertInput): ProcessedInput {
  return { rule: ir.rule, guarded: ir.guard !== null, state, pipelines };
}

/** A correlation rule for a backend: resolved (references, aliases) and its base rules down the one path. */
export interface CorrelationConvertInput {
  correlation: ResolvedCorrelation;
  /** The base rules, in the correlation's order, as a rule alone converts them. */
  inputs: Array<{ ir: RuleIR; state: Readonly<Record<string, unknown>> }>;
  pipelines: readonly string[];
}

export interface Backend {
  /** The `--target` name. */
  target: string;
  /**
   * The target reads a missing field as an empty string (KQL), so `''` cannot tell them apart;
   * lowering then reads `''` on a field with several names as it reads `null` (ir/alternatives.ts).
   */
  emptyIsMissing?: boolean;
  /** Renders one correlation rule; absent when the target does not convert correlations yet. */
  renderCorrelation?(input: CorrelationConvertInput): string;
  /**
   * Notes on a correlation that rendered (see ConversionResult.notes), e.g. fixed time buckets where
   * the engine slides its window; a backend without any leaves this out.
   */
  correlationNotes?(input: CorrelationConvertInput): string[];
  /** Renders one rule; throws ConversionError for what the target cannot express. */
  render(input: ConvertInput): string;
  /**
   * The refusal `render` would throw first, when the pipelines' output alone tells it (no table or
   * data model for the log source, no log-source guard): checked before lowering, so that a rule
   * refused for that is not lowered and rendered first (most of SigmaHQ's rules/ for a table
   * family's pipeline). `render` checks the same function, so both give the same code and reason.
   */
  refusal?(input: ProcessedInput): ConversionError | null;
  /** Notes on a rule that rendered (see ConversionResult.notes); a backend without any leaves this out. */
  notes?(input: ConvertInput): string[];
  /**
   * Rule file formats beyond the bare query (`quarry convert --format NAME`), e.g. a Sentinel
   * analytic rule or a savedsearches.conf stanza. Each wraps rendered queries with the rules' metadata.
   */
  formats?: Readonly<Record<string, RuleFormat>>;
}

/** One converted rule, as a rule format sees it. */
export interface FormattedRule {
  meta: RuleMeta;
  query: string;
  /** Pipeline state (`query_table`, …) and the pipelines' names. */
  state: Readonly<Record<string, unknown>>;
  pipelines: readonly string[];
  /** A correlation rule's window and group-by names (absent for a rule). */
  correlation?: { timespanMs: number; groupBy: readonly string[] };
}

export interface RuleFormat {
  description: string;
  /** Whether the format holds correlation rules; a format without them refuses each (see rule-formats.ts). */
  correlations?: boolean;
  /**
   * Turns the converted rules into the text of one file (an NDJSON file holds one line per rule;
   * an ARM template holds all rules; a YAML analytic rule or a .conf holds one document or stanza
   * per rule, separated as the format allows).
   */
  render(rules: readonly FormattedRule[]): string;
}

/** A check of a rendered query by a parser or validator for its language. */
export interface QueryCheck {
  /** What checked it, e.g. the Kusto language service or Quarry's structural SPL validator. */
  validator: string;
  ok: boolean;
  /** Each problem with its location in the query, readable. */
  problems: string[];
}
