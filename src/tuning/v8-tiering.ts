// How eagerly V8 optimises Quarry's code, per phase of the work (the commands say which phase they
// are in). Loading, checking, converting and compiling rules are one pass over thousands of rules:
// each function runs a few thousand times, and with V8's default budget (bytecodes run between two
// looks at whether a function is hot) hundreds of them go to the optimising compiler, whose work on
// other threads costs more than its code saves in a run of a second or two. Converting SigmaHQ
// `rules/` to KQL without caches, under callgrind: 3.4 billion instructions on the main thread, 4.7
// billion on the others (mostly TurboFan's). A budget eight times larger keeps optimisation for the
// code that is really hot: 1.0 billion on the other threads, and on this machine the conversion's
// CPU 1.5x lower and its wall time lower too (README, "V8's optimising compiler"). A hunt's
// per-event loop runs millions of times and pays for early optimisation, so a hunt goes back to
// V8's default once its rules are ready, as the explorer does once it serves; `quarry test` (hunts
// of a few events each) keeps the larger budget throughout; `serve`, `evtx dump` and the rest keep
// the default.
//
// Measured on Node 20's V8 (11.3), whose default budget is known here; on other versions (Node 22
// adds the Maglev tier, which changes the trade) V8's own tiering decides. A budget given to node
// by the user (`node --interrupt-budget=N`; Node refuses it in NODE_OPTIONS) is theirs and is kept.
import { setFlagsFromString } from 'node:v8';

/** What the code about to run is: a pass over the rules, or a loop over events. */
export type Work = 'rules-pass' | 'event-loop';

/** V8 11's default interrupt budget. */
const V8_11_INTERRUPT_BUDGET = 67_584;

/** The budget of a pass over the rules. */
export const RULES_PASS_INTERRUPT_BUDGET = 8 * V8_11_INTERRUPT_BUDGET;

export interface NodeSettings {
  v8Version: string;
  /** Node's own arguments (`process.execArgv`). */
  execArgv: readonly string[];
}

const thisNode = (): NodeSettings => ({ v8Version: process.versions.v8, execArgv: process.execArgv });

/** The V8 flag for `work`, or null to leave V8 as it is (another V8, or the user's own budget). */
export function tieringFlag(work: Work, node: NodeSettings = thisNode()): string | null {
  if (!node.v8Version.startsWith('11.')) return null;
  if (node.execArgv.some((a) => /^--interrupt[-_]budget(=|$)/.test(a))) return null;
  return `--interrupt-budget=${work === 'rules-pass' ? RULES_PASS_INTERRUPT_BUDGET : V8_11_INTERRUPT_BUDGET}`;
}

/**
 * Tunes V8 for the work about to run. V8 reads the budget whenever it refills a function's, so a
 * change at run time takes effect from then on; it is process-wide (worker threads included).
 */
export function tuneTiering(work: Work): void {
  const flag = tieringFlag(work);
  if (flag) setFlagsFromString(flag);
}
