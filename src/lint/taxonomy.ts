// Field names by log source, read from a file in the format of SigmaHQ's `tests/logsource.json`
// (`legit` and `addon`, each product → `common`, `category` → fields, `service` → fields). Quarry ships
// no taxonomy of its own: a project names its file in the lint config (`taxonomy:`), and the
// `unknown-field` check is off without one.
import type { LogSource } from '../sigma/model.js';

export interface Taxonomy {
  /** Where it was read from, for messages. */
  source: string;
  /** The fields known for a log source, or undefined when the taxonomy does not describe it. */
  fieldsOf(logsource: LogSource): ReadonlySet<string> | undefined;
}

type ProductEntry = { common?: string[]; empty?: string[]; category?: Record<string, string[]>; service?: Record<string, string[]> };
type Section = Record<string, ProductEntry>;

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Checks the shape as it reads, so that a wrong file is one clear error, not a silent empty taxonomy. */
function readSection(v: unknown, where: string): Section {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where} must be an object of products`);
  const out: Section = {};
  for (const [product, entry] of Object.entries(v)) {
    if (typeof entry !== 'object' || entry === null) throw new Error(`${where}.${product} must be an object`);
    const e = entry as Record<string, unknown>;
    for (const k of ['common', 'empty'] as const) if (e[k] !== undefined && !isStringList(e[k])) throw new Error(`${where}.${product}.${k} must be a list of field names`);
    for (const k of ['category', 'service'] as const) {
      const m = e[k];
      if (m === undefined) continue;
      if (typeof m !== 'object' || m === null) throw new Error(`${where}.${product}.${k} must be an object`);
      for (const [name, list] of Object.entries(m)) if (!isStringList(list)) throw new Error(`${where}.${product}.${k}.${name} must be a list of field names`);
    }
    out[product] = e as ProductEntry;
  }
  return out;
}

export function parseTaxonomy(json: string, source: string): Taxonomy {
  const data = JSON.parse(json) as Record<string, unknown>;
  if (typeof data !== 'object' || data === null || !('legit' in data)) throw new Error(`${source}: not a log source taxonomy (no 'legit' section)`);
  const sections = [readSection(data.legit, 'legit'), readSection(data.addon, 'addon')];
  return {
    source,
    fieldsOf(ls) {
      const product = ls.product ?? 'empty';
      let described = false;
      const fields = new Set<string>();
      for (const s of sections) {
        const p = s[product];
        if (!p) continue;
        const lists = [ls.category ? p.category?.[ls.category] : undefined, ls.service ? p.service?.[ls.service] : undefined];
        // Only a named category or service says which fields exist; a product alone says too little.
        // An empty list is how the file says "fields not listed yet", not "no fields".
        if (lists.some((l) => l !== undefined && l.length > 0)) described = true;
        for (const l of [...lists, p.common]) for (const f of l ?? []) fields.add(f);
      }
      return described ? fields : undefined;
    },
  };
}
