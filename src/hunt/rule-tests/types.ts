// What `quarry test` reports: one case per regression test entry (SigmaHQ's info.yml) or per test
// of a Quarry test file, with its outcome and, for a failure, the reason and the explain.
import type { ExplainedEvent } from '../explain-events.js';

export type CaseStatus = 'passed' | 'failed' | 'skipped';

export interface TestCaseResult {
  /** Where the test is declared: the info.yml or the Quarry test file (a rule file for a rule that does not load). */
  suite: string;
  rule: { id?: string; title: string; file: string };
  /** The test's name (info.yml `name`, a test file's `name`, or its position). */
  name: string;
  /** The sample the test ran on: a file, or `inline` events of a test file. */
  sample: string;
  /** What was expected, in words ("at least 1 match", "no match", "groups fire: …"). */
  expected: string;
  status: CaseStatus;
  /** Why it failed or was skipped, in one line. */
  reason?: string;
  /** Events of the sample the rule matched. */
  matches?: number;
  events?: number;
  /** Things to know that do not fail the case (an EVTX read from its JSON rendering, a match_count to raise). */
  notes: string[];
  /** For a failure: the sample's events explained (the first few). */
  explained?: ExplainedEvent[];
}

export interface TestRun {
  cases: TestCaseResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** Reason → how many cases were skipped for it. */
  skipReasons: Map<string, number>;
  /** Rule files and Quarry test files read. */
  ruleFiles: number;
  testFiles: number;
  /** Processing pipelines met among the rule files: not rules, not tested (pass them with --pipeline). */
  pipelineFiles: string[];
  /** What the text report says of them (`pipelineFilesNote`); null when there are none. */
  pipelineNote: string | null;
  /** Rules of the given paths that declare no test at all (neither regression_tests_path nor a test file). */
  untested: number;
  seconds: number;
}

/** The closing line: `N passed, M failed, K skipped (reason: n; …)`. */
export function summaryLine(run: TestRun): string {
  const reasons = [...run.skipReasons].map(([r, n]) => `${r}: ${n}`).join('; ');
  return `${run.passed} passed, ${run.failed} failed, ${run.skipped} skipped${run.skipped ? ` (${reasons})` : ''}`;
}
