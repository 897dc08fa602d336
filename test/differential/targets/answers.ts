// What a target says about a rule's shaped events: it refused the rule (with the reason), its query
// failed to run (a disagreement: a query that converts must run), or it gave its query and one
// answer per event (null where the event has no shape for the target).
import type { RuleCase } from '../corpus.js';

export type RuleAnswer = { refused: string } | { query: string; error: string } | { query: string; got: Array<boolean | null> };

export interface TargetAnswers {
  target: string;
  /** The pipelines the target's queries were converted with, for messages. */
  pipelines: string;
  answers: Map<RuleCase, RuleAnswer>;
}
