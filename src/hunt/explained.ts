// What an explained event is (explain-events.ts makes them): browser-safe types only, so that the
// explorer's playground renders its trees with the same text renderer (report/explain-text.ts).
import type { Routing } from '../engine/detector.js';
import type { RuleExplanation } from '../engine/explain.js';
import type { LogEvent, SourceLocation } from '../sources/types.js';

export type { ExplainNode, LeafState, RuleExplanation } from '../engine/explain.js';

export interface ExplainedRule {
  rule: { id?: string; title: string; file: string; level?: string };
  /** The detector reported the rule on this event (`quarry hunt` would print it). */
  detected: boolean;
  explanation: RuleExplanation;
}

export interface ExplainedEvent {
  location: SourceLocation;
  routing: Routing;
  /** The event as the rules saw it (with derived fields added). */
  event: LogEvent;
  rules: ExplainedRule[];
}

