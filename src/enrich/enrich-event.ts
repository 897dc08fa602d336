// Adds the derived fields that rules ask for to an event, in place.
import { deriveHostFields, parseDerivedName, type DerivedProperty } from './derive.js';

export interface EnrichmentPlan {
  /** Source field → the properties wanted from it. */
  bySource: Map<string, DerivedProperty[]>;
}

/** The derived fields among a set of field names (those the loaded rules use). */
export function planEnrichment(fieldNames: Iterable<string>): EnrichmentPlan {
  const bySource = new Map<string, DerivedProperty[]>();
  for (const name of fieldNames) {
    const d = parseDerivedName(name);
    if (!d) continue;
    const list = bySource.get(d.field) ?? [];
    if (!list.includes(d.property)) list.push(d.property);
    bySource.set(d.field, list);
  }
  return { bySource };
}

// Hosts repeat endlessly in logs: derive each distinct value once (bounded, cleared when full).
const cache = new Map<string, ReturnType<typeof deriveHostFields>>();
const CACHE_LIMIT = 50_000;

function derivedOf(v: string): ReturnType<typeof deriveHostFields> {
  let d = cache.get(v);
  if (d === undefined && !cache.has(v)) {
    d = deriveHostFields(v);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(v, d);
  }
  return d ?? null;
}

export function enrichEvent(event: Record<string, unknown>, plan: EnrichmentPlan): void {
  for (const [field, properties] of plan.bySource) {
    const v = event[field];
    if (typeof v !== 'string') continue;
    const derived = derivedOf(v);
    if (!derived) continue;
    for (const p of properties) {
      const name = `${field}@${p}`;
      const value = derived[p];
      if (value !== undefined && !Object.prototype.hasOwnProperty.call(event, name)) event[name] = value;
    }
  }
}
