// The options that say which rules run and how events meet them, shared by the commands that run
// rules on events (`quarry hunt`, `quarry serve`): one spelling, one check, one error text.
import { LEVELS, type LogSource } from '../sigma/model.js';
import { parseLogsourceSpec } from '../sigma/logsource.js';
import { UsageError } from './usage.js';

export const RULE_OPTIONS = {
  rules: { type: 'string', multiple: true },
  pipeline: { type: 'string', multiple: true },
  'no-default-pipeline': { type: 'boolean', default: false },
  logsource: { type: 'string' },
  'min-level': { type: 'string' },
  'time-field': { type: 'string' },
} as const;

/** `--min-level` and `--logsource`, checked (a UsageError names what is wrong). */
export function ruleSelection(values: { 'min-level'?: string; logsource?: string }): { minLevel?: string; logsource?: LogSource } {
  const minLevel = values['min-level'];
  if (minLevel && !(LEVELS as readonly string[]).includes(minLevel)) throw new UsageError(`--min-level must be one of ${LEVELS.join(', ')}`);
  try {
    return { minLevel, logsource: values.logsource ? parseLogsourceSpec(values.logsource) : undefined };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
