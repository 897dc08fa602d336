// The detection of a rule (or the `filter` section of a filter) as YAML nodes: each search
// identifier with its `field|modifier: values` entries. Checks about how values are written (a
// redundant `*`, a duplicate in a list) need the nodes and their ranges, which the typed model
// no longer has once modifiers are applied.
import type { SigmaDocument } from '../sigma/model.js';
import { get, type YEntry, type YMap, type YNode, type YScalar } from '../sigma/yaml-tree.js';

export interface ItemNodes {
  /** The search identifier the item belongs to. */
  selection: string;
  /** Index of the map within a list of maps (0 when the body is one map). */
  group: number;
  /** The `field|modifiers` entry; null for a keyword list. */
  entry: YEntry | null;
  field: string | null;
  modifiers: string[];
  /** The value node as written: a scalar or a list. */
  value: YNode;
  /** The scalar values (the list's items, or the one scalar). */
  scalars: YScalar[];
}

const NOT_IDENTIFIERS = new Set(['condition', 'timeframe', 'rules']);

/** The search identifiers' nodes: name → body. */
export function selectionNodes(doc: SigmaDocument, root: YMap): YEntry[] {
  if (doc.kind === 'correlation') return [];
  const section = get(root, doc.kind === 'filter' ? 'filter' : 'detection')?.value;
  if (section?.kind !== 'map') return [];
  return section.entries.filter((e) => !NOT_IDENTIFIERS.has(e.key));
}

const scalarsOf = (n: YNode): YScalar[] => (n.kind === 'scalar' ? [n] : n.kind === 'seq' ? n.items.filter((i): i is YScalar => i.kind === 'scalar') : []);

function mapItems(selection: string, group: number, map: YMap): ItemNodes[] {
  return map.entries.map((entry) => {
    const [field = '', ...modifiers] = entry.key.split('|');
    return { selection, group, entry, field: field === '' ? null : field, modifiers, value: entry.value, scalars: scalarsOf(entry.value) };
  });
}

export function detectionItems(doc: SigmaDocument, root: YMap): ItemNodes[] {
  const out: ItemNodes[] = [];
  for (const sel of selectionNodes(doc, root)) {
    const body = sel.value;
    if (body.kind === 'map') out.push(...mapItems(sel.key, 0, body));
    else if (body.kind === 'seq') {
      if (body.items.every((i) => i.kind === 'scalar')) out.push({ selection: sel.key, group: 0, entry: null, field: null, modifiers: [], value: body, scalars: scalarsOf(body) });
      else body.items.forEach((i, n) => i.kind === 'map' && out.push(...mapItems(sel.key, n, i)));
    }
  }
  return out;
}
