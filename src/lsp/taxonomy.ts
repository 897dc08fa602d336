// What the project's pipelines know about log sources, read once for the editor: which
// category/product/service values exist, and which Sigma field names each log source has. The
// pipelines are the only taxonomy data Quarry ships (the built-in ones and every target's), so a
// field is "known" when some pipeline maps it or adds a condition on it for that log source; its
// hover says where each pipeline sends it.
import { builtinPipeline, listBuiltinPipelines } from '../pipeline/builtin.js';
import type { ProcessingItem, ProcessingPipeline } from '../pipeline/types.js';
import { TARGETS } from '../backends/targets.js';
import { logsourceFits, LOGSOURCE_KEYS, type LogsourceKey } from '../sigma/logsource.js';
import type { LogSource } from '../sigma/model.js';

type Wanted = Partial<Record<LogsourceKey, string>>;

/** One field a pipeline knows for some log sources: the name a rule writes and what the pipeline makes of it. */
export interface FieldUse {
  field: string;
  pipeline: string;
  /** The names the pipeline maps it to; empty when the pipeline only tests it (a log source guard). */
  mappedTo: string[];
  /** The log sources the pipeline item applies to (any of them). */
  logsources: Wanted[];
}

export interface Taxonomy {
  /** Every log source a pipeline names, as written there (keys missing when not part of it). */
  logsources: Wanted[];
  fields: FieldUse[];
}

/** Every pipeline Quarry ships, once each by name (several SQL targets share theirs). */
function shippedPipelines(): ProcessingPipeline[] {
  const byName = new Map<string, ProcessingPipeline>();
  for (const name of listBuiltinPipelines()) byName.set(name, builtinPipeline(name)!);
  for (const target of Object.values(TARGETS)) {
    for (const name of target.listPipelines()) if (!byName.has(name)) byName.set(name, target.pipeline(name)!);
  }
  return [...byName.values()];
}

/** The log sources an item is restricted to; empty when it has no log source condition (it applies to any rule). */
function itemLogsources(item: ProcessingItem): Wanted[] {
  const out: Wanted[] = [];
  for (const c of item.ruleConditions) {
    if (c.type !== 'logsource') continue;
    const w: Wanted = {};
    for (const k of LOGSOURCE_KEYS) if (typeof c.params[k] === 'string') w[k] = c.params[k] as string;
    out.push(w);
  }
  // A negated or AND-linked set of log sources does not name where the item applies: leave it out.
  return item.ruleCondNot || (item.ruleCondLinking === 'and' && out.length > 1) ? [] : out;
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]);

export function buildTaxonomy(pipelines: readonly ProcessingPipeline[] = shippedPipelines()): Taxonomy {
  const seen = new Set<string>();
  const logsources: Wanted[] = [];
  const fields: FieldUse[] = [];
  for (const p of pipelines) {
    for (const item of p.items) {
      const where = itemLogsources(item);
      for (const w of where) {
        const key = LOGSOURCE_KEYS.map((k) => w[k] ?? '').join('|');
        if (!seen.has(key)) {
          seen.add(key);
          logsources.push(w);
        }
      }
      // Only fields tied to a log source: a pipeline-wide mapping says nothing about which events carry the field.
      if (where.length === 0) continue;
      if (item.type === 'field_name_mapping' && item.params.mapping && typeof item.params.mapping === 'object') {
        for (const [field, to] of Object.entries(item.params.mapping as Record<string, unknown>)) fields.push({ field, pipeline: p.name, mappedTo: asList(to), logsources: where });
      } else if (item.type === 'add_condition' && item.params.conditions && typeof item.params.conditions === 'object') {
        for (const field of Object.keys(item.params.conditions as Record<string, unknown>)) fields.push({ field, pipeline: p.name, mappedTo: [], logsources: where });
      }
    }
  }
  return { logsources, fields };
}

let shipped: Taxonomy | undefined;
/** The taxonomy of the shipped pipelines, built on first use. */
export function shippedTaxonomy(): Taxonomy {
  shipped ??= buildTaxonomy();
  return shipped;
}

/** Whether a pipeline item written for `w` applies to a rule with log source `ls`. */
const applies = (w: Wanted, ls: LogSource) => logsourceFits(w, ls);

/** The uses of fields that apply to a rule's log source, grouped by field name (sorted). */
export function fieldsOf(tax: Taxonomy, ls: LogSource): Map<string, FieldUse[]> {
  const out = new Map<string, FieldUse[]>();
  for (const use of tax.fields) {
    if (!use.logsources.some((w) => applies(w, ls))) continue;
    const list = out.get(use.field) ?? [];
    list.push(use);
    out.set(use.field, list);
  }
  return new Map([...out].sort((a, b) => a[0].localeCompare(b[0])));
}

/**
 * The values a log source key can take given the keys already written: a `category` completion under
 * `product: windows` offers the categories pipelines name for Windows, and only when there are none
 * the categories they name for any product.
 */
export function logsourceValues(tax: Taxonomy, key: LogsourceKey, written: LogSource): string[] {
  const others = LOGSOURCE_KEYS.filter((k) => k !== key && written[k]);
  const valuesWhere = (fits: (w: Wanted) => boolean) => [...new Set(tax.logsources.filter((w) => w[key] && fits(w)).map((w) => w[key]!))].sort();
  const named = valuesWhere((w) => others.length > 0 && others.every((k) => w[k] === written[k]));
  return named.length ? named : valuesWhere((w) => others.every((k) => !w[k] || w[k] === written[k]));
}
