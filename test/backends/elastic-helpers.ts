// Shared by the Elastic backend tests: a rule of a log source with one detection, converted with a
// target and an ECS pipeline, its query checked by the target's validator.
import assert from 'node:assert/strict';
import { convertRule } from '../../src/backends/common/convert.js';
import type { ConversionResult } from '../../src/backends/common/types.js';
import { TARGETS } from '../../src/backends/targets.js';
import { VALIDATORS } from '../../src/backends/validators.js';
import { resolveConvertPipelines } from '../../src/backends/resolve-pipelines.js';
import { parseRule } from '../helpers.js';

/** A rule of `logsource` (YAML lines) with the detection given and `condition`. */
export function ruleOf(logsource: string, detection: string, condition = 'selection'): string {
  const indent = (s: string) =>
    s
      .trim()
      .split('\n')
      .map((l) => '    ' + l)
      .join('\n');
  return `title: t\nlogsource:\n${indent(logsource)}\ndetection:\n${indent(detection)}\n    condition: ${condition}\n`;
}

export const proxy = (detection: string, condition?: string) => ruleOf('category: proxy', detection, condition);
export const processCreation = (detection: string, condition?: string) => ruleOf('product: windows\ncategory: process_creation', detection, condition);

export function convertWith(target: string, yaml: string, pipeline: string): ConversionResult {
  const { rule, diagnostics } = parseRule(yaml);
  if (!rule) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return convertRule(rule, TARGETS[target]!.backend, resolveConvertPipelines(target, [pipeline]));
}

/** The query, which must convert and pass the target's validator. */
export function queryWith(target: string, yaml: string, pipeline = 'ecs-proxy'): string {
  const r = convertWith(target, yaml, pipeline);
  if (!r.ok) throw new Error(`${r.code}: ${r.error}`);
  const check = VALIDATORS[target]!(r.query);
  assert.deepEqual(check.problems, [], r.query);
  return r.query;
}

/** The failure code and message of a rule the target must refuse. */
export function refusal(target: string, yaml: string, pipeline = 'ecs-proxy'): { code: string; error: string } {
  const r = convertWith(target, yaml, pipeline);
  assert.equal(r.ok, false, r.ok ? `converted: ${r.query}` : '');
  return r.ok ? { code: '', error: '' } : { code: r.code, error: r.error };
}

export const CLI = (args: string[]) => [
  '-e',
  "import('./dist/src/cli/convert-command.js').then(async (m) => { process.exitCode = await m.convertCommand(process.argv.slice(1)); })",
  '--',
  ...args,
];
