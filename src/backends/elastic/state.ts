// What the Elastic targets read from the pipeline state: the index pattern(s) a query searches
// (`index`, comma-separated) and the EQL event category (`eql_event_category`). Without a
// pipeline that sets them, queries read `logs-*` and EQL matches `any` event.
import type { ConvertInput } from '../common/types.js';

export const STATE_INDEX = 'index';
export const STATE_EQL_CATEGORY = 'eql_event_category';
export const DEFAULT_INDEX = 'logs-*';

/** The index patterns of a converted rule, in order, without duplicates. */
export function indexPatterns(state: ConvertInput['state']): string[] {
  const v = state[STATE_INDEX];
  const list = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : [];
  const out = [...new Set(list.map((s) => s.trim()).filter(Boolean))];
  return out.length ? out : [DEFAULT_INDEX];
}

export function eqlCategory(state: ConvertInput['state']): string {
  const v = state[STATE_EQL_CATEGORY];
  return typeof v === 'string' && /^[a-z_]+$/.test(v) ? v : 'any';
}
