// What every backend shares: the result of converting one rule, and the error a renderer throws
// when its target cannot express something. A rule that cannot be converted exactly is an error
// with a reason, never a weaker query.
import type { RuleIR } from '../../ir/types.js';

/** Why a rule could not be converted: a stable code (for accounting) and a readable message. */
export class ConversionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type ConversionResult = { ok: true; query: string } | { ok: false; code: string; error: string };

/** A rule after pipelines, ready for a backend: the IR and the pipeline state (`query_table`, …). */
export interface ConvertInput {
  ir: RuleIR;
  state: Readonly<Record<string, unknown>>;
  /** Names of the pipelines applied, for messages. */
  pipelines: readonly string[];
}

export interface Backend {
  /** The `--target` name. */
  target: string;
  /** Renders one rule; throws ConversionError for what the target cannot express. */
  render(input: ConvertInput): string;
}
