// Where an attribute is in a document, for findings: its value, one item of its list, or its key.
// A missing attribute is reported at the document's start, over the first key.
import type { Span } from '../sigma/diagnostics.js';
import { get, keySpan, spanOf, type YMap, type YNode } from '../sigma/yaml-tree.js';

export function attributeSpan(root: YMap, key: string): Span | undefined {
  const e = get(root, key);
  return e && spanOf(e.value);
}

/** The i-th item of a list attribute (the whole value when it is a single string). */
export function listItem(root: YMap, key: string, i: number): YNode | undefined {
  const v = get(root, key)?.value;
  if (!v) return undefined;
  return v.kind === 'seq' ? v.items[i] : i === 0 ? v : undefined;
}

export function listItemSpan(root: YMap, key: string, i: number): Span | undefined {
  const n = listItem(root, key, i);
  return n && spanOf(n);
}

/** The first key of the document: where a missing attribute is reported. */
export function documentStart(root: YMap): Span {
  const first = root.entries[0];
  return first ? keySpan(first) : { start: root.pos, end: root.pos };
}
