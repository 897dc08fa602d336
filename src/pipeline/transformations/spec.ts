// What every transformation declares: its parameters (checked at load time) and how it applies.
import type { ParamProblem, ParamSpecs } from '../params.js';
import type { Step } from '../run.js';

export type Params = Record<string, unknown>;

export interface TransformationSpec {
  params: ParamSpecs;
  /** Checks beyond the parameters' shapes (regexes compile, modifiers exist, …). */
  check?(p: Params): ParamProblem[];
  /** Called once the item's rule conditions matched. */
  apply(step: Step, p: Params): void;
}
