// Log-source matching, in one place: a wanted log source fits an actual one when every key it
// sets (category, product, service) is the actual one's. A rule fits a declared input log source,
// a filter fits a rule, a pipeline's `logsource` condition fits a rule: all read it this way.
import type { LogSource } from './model.js';

export const LOGSOURCE_KEYS = ['category', 'product', 'service'] as const;
export type LogsourceKey = (typeof LOGSOURCE_KEYS)[number];

/** Every key `wanted` sets (null and undefined set none) equals the key of `actual`. */
export function logsourceFits(wanted: Partial<Record<LogsourceKey, string | null | undefined>>, actual: LogSource): boolean {
  return LOGSOURCE_KEYS.every((k) => wanted[k] === undefined || wanted[k] === null || wanted[k] === actual[k]);
}

/** `product=windows,service=security` → a log source; throws with the part it cannot read. */
export function parseLogsourceSpec(spec: string): LogSource {
  const out: LogSource = {};
  for (const part of spec.split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    if (!k || !v || !(LOGSOURCE_KEYS as readonly string[]).includes(k)) throw new Error(`--logsource expects category=…,product=…,service=…; got '${part}'`);
    out[k as LogsourceKey] = v;
  }
  return out;
}

export function describeLogsource(ls: LogSource): string {
  return (['product', 'category', 'service'] as const).filter((k) => ls[k]).map((k) => `${k}=${ls[k]}`).join(',') || '(none)';
}
