// Shared test helpers: paths of the shared data, and a one-call way to run a rule on events.
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseSigmaText } from '../src/sigma/load.js';
import type { SigmaRule } from '../src/sigma/model.js';
import type { Diagnostic } from '../src/sigma/diagnostics.js';
import { lowerRule } from '../src/ir/lower.js';
import { compileRuleSet } from '../src/engine/rule-set.js';
import { EventView } from '../src/engine/event-access.js';
import { re2Regex } from '../src/engine/regex-re2.js';

export const REPO = process.cwd();
export const DATA = resolve(REPO, '../shared/data');

/** A maker of temporary folders (`temp(prefix)`), all removed when the test file ends. */
export function tempFolders(): (prefix: string) => string {
  const made: string[] = [];
  after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return (prefix) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    made.push(d);
    return d;
  };
}

export function parseRule(yaml: string, file = 'test.yml'): { rule?: SigmaRule; diagnostics: Diagnostic[] } {
  const parsed = parseSigmaText(yaml, file);
  const d = parsed.documents[0]!;
  const rule = d.document?.kind === 'rule' && !d.diagnostics.some((x) => x.severity === 'error') ? d.document : undefined;
  return { rule, diagnostics: d.diagnostics };
}

/** A rule made of one detection map and `condition: selection`. */
export function ruleWith(detection: string, extra = ''): string {
  return `title: Test rule
id: 11111111-2222-4333-8444-555555555555
status: test
logsource:
    product: windows
    category: process_creation
detection:
${detection
  .trim()
  .split('\n')
  .map((l) => '    ' + l)
  .join('\n')}
${extra}`;
}

/** Which of the events the rule's detection (no pipeline, no guard) matches, by index. */
export function matches(yaml: string, events: Array<Record<string, unknown>>): number[] {
  const { rule, diagnostics } = parseRule(yaml);
  if (!rule) throw new Error('rule rejected: ' + diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`).join('; '));
  const set = compileRuleSet([lowerRule(rule)], { regex: re2Regex });
  if (!set.rules.length) throw new Error('not runnable: ' + set.notRunnable[0]!.reason);
  const r = set.rules[0]!;
  return events.flatMap((e, i) => (r.detection(new EventView(e)) ? [i] : []));
}

export function codes(diags: Diagnostic[], severity?: string): string[] {
  return diags.filter((d) => !severity || d.severity === severity).map((d) => d.code);
}
