// Sigma v1 rule collections: a multi-document file whose `action: global` document is merged into
// every following document, `action: reset` drops it and `action: repeat` re-uses the previous
// document with overrides. pySigma still reads them, so Quarry expands them into plain rules.
import { get, type YMap, type YNode } from './yaml-tree.js';

export type CollectionStep =
  | { kind: 'template' } // a global/reset document: no rule of its own
  | { kind: 'rule'; root: YNode | null };

export function expandCollection(roots: Array<YNode | null>): CollectionStep[] | null {
  const actionOf = (n: YNode | null) => {
    if (n?.kind !== 'map') return undefined;
    const a = get(n, 'action');
    return a?.value.kind === 'scalar' ? String(a.value.value) : undefined;
  };
  if (!roots.some((r) => actionOf(r) !== undefined)) return null;
  let global: YMap | null = null;
  let previous: YNode | null = null;
  return roots.map((root) => {
    const action = actionOf(root);
    const body = root?.kind === 'map' ? withoutAction(root) : root;
    if (action === 'global') {
      global = body as YMap;
      return { kind: 'template' };
    }
    if (action === 'reset') {
      global = null;
      return { kind: 'template' };
    }
    const baseDoc = action === 'repeat' ? previous : global;
    const merged = baseDoc && body ? merge(baseDoc, body) : body;
    previous = merged;
    return { kind: 'rule', root: merged };
  });
}

function withoutAction(map: YMap): YMap {
  return { ...map, entries: map.entries.filter((e) => e.key !== 'action') };
}

/** Deep merge of maps; the later document wins on every other kind of node. */
function merge(a: YNode, b: YNode): YNode {
  if (a.kind !== 'map' || b.kind !== 'map') return b;
  const entries = a.entries.map((e) => {
    const over = get(b, e.key);
    return over ? { ...over, value: merge(e.value, over.value) } : e;
  });
  for (const e of b.entries) if (!get(a, e.key)) entries.push(e);
  return { ...b, entries };
}
