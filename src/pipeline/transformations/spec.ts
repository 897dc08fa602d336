// What every transformation declares: its parameters (checked at load time) and how it applies.
import type { ParamProblem, ParamSpecs } from '../params.js';
import type { Step } from '../run.js';

export type Params = Record<string, unknown>;

export interface TransformationSpec {
  params: ParamSpecs;
  /** Checks beyond the parameters' shapes (regexes compile, modifiers exist, …). */
  check?(p: Params): ParamProblem[];
  /**
   * The transformation leaves `step.run.rule` as it is (it adds conditions, failures or state):
   * the rule need not be copied for it. Unset: it may change the rule, which is copied first.
   */
  keepsRule?: true;
  /** Called once the item's rule conditions matched. */
  apply(step: Step, p: Params): void;
}
