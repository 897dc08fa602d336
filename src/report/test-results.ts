// `quarry test` results written out: text for people (each failure with its rule, sample, reason
// and explain), JSON for scripts, JUnit XML for CI test reporters.
import type { TestCaseResult, TestRun } from '../hunt/rule-tests/types.js';
import { summaryLine } from '../hunt/rule-tests/types.js';
import { explainedEventText } from './explain-text.js';
import { stringifyExact } from '../json/stringify-exact.js';

export const TEST_FORMATS = ['text', 'json', 'junit'] as const;
export type TestFormat = (typeof TEST_FORMATS)[number];

const ruleName = (c: TestCaseResult) => `${JSON.stringify(c.rule.title)}${c.rule.id ? ` (${c.rule.id})` : ''}`;

function failureText(c: TestCaseResult): string[] {
  const out = [`FAIL ${ruleName(c)}: ${c.name}`, `  rule:     ${c.rule.file}`, `  sample:   ${c.sample}`, `  expected: ${c.expected}`, `  why:      ${c.reason}`];
  for (const n of c.notes) out.push(`  note:     ${n}`);
  for (const ev of c.explained ?? []) out.push(...explainedEventText(ev, '  '));
  return out;
}

export function testRunText(run: TestRun, verbose: boolean): string {
  const out: string[] = [];
  for (const c of run.cases) {
    if (c.status === 'failed') out.push(...failureText(c), '');
    else if (c.status === 'skipped') out.push(`SKIP ${ruleName(c)}: ${c.name}: ${c.reason}`);
    else if (verbose) out.push(`ok   ${ruleName(c)}: ${c.name} (${c.matches}/${c.events} events matched)${c.notes.length ? ` [${c.notes.join('; ')}]` : ''}`);
  }
  const noted = run.cases.filter((c) => c.status !== 'failed' && c.notes.length);
  const kinds = new Map<string, number>();
  for (const c of noted) for (const n of c.notes) kinds.set(n.split(':')[0]!, (kinds.get(n.split(':')[0]!) ?? 0) + 1);
  if (kinds.size) out.push(`notes: ${[...kinds].map(([k, n]) => `${k} (${n})`).join('; ')}${verbose ? '' : ' (--verbose lists them)'}`);
  out.push(`${run.ruleFiles} rule files, ${run.testFiles} test files, ${run.untested} rules without tests, ${run.seconds.toFixed(1)} s`);
  if (run.pipelineNote) out.push(`${run.pipelineNote}: not rules, not tested (pass them with --pipeline)`);
  out.push(summaryLine(run));
  return out.join('\n') + '\n';
}

export function testRunJson(run: TestRun): string {
  return (
    stringifyExact({
      passed: run.passed,
      failed: run.failed,
      skipped: run.skipped,
      skipReasons: Object.fromEntries(run.skipReasons),
      ruleFiles: run.ruleFiles,
      testFiles: run.testFiles,
      pipelineFiles: run.pipelineFiles,
      untested: run.untested,
      seconds: Math.round(run.seconds * 1000) / 1000,
      cases: run.cases,
    }) + '\n'
  );
}

const xml = (s: string) =>
  s
    // XML 1.0 cannot carry most control characters, even escaped: shown as U+FFFD.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

/** JUnit XML: one testsuite per suite file (info.yml or test file), one testcase per case. */
export function testRunJunit(run: TestRun): string {
  const suites = new Map<string, TestCaseResult[]>();
  for (const c of run.cases) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c]);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="quarry test" tests="${run.cases.length}" failures="${run.failed}" skipped="${run.skipped}" time="${run.seconds.toFixed(3)}">`];
  for (const [suite, cases] of suites) {
    const f = cases.filter((c) => c.status === 'failed').length;
    const s = cases.filter((c) => c.status === 'skipped').length;
    out.push(`  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${f}" skipped="${s}">`);
    for (const c of cases) {
      const open = `    <testcase classname="${xml(c.rule.title)}" name="${xml(c.name)}" file="${xml(c.rule.file)}"`;
      if (c.status === 'passed') out.push(`${open}/>`);
      else if (c.status === 'skipped') out.push(`${open}>`, `      <skipped message="${xml(c.reason ?? '')}"/>`, '    </testcase>');
      else out.push(`${open}>`, `      <failure message="${xml(c.reason ?? '')}">${xml(failureText(c).join('\n'))}</failure>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
