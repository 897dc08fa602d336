// The outline of a rule file: one symbol per document (named by its title), holding the search
// identifiers of its detection (or filter) section and its condition, or its correlation.
import { loadYamlDocuments, type YEntry, type YNode } from '../sigma/yaml-tree.js';
import type { Span } from '../sigma/diagnostics.js';

export interface OutlineSymbol {
  name: string;
  kind: 'document' | 'section' | 'identifier' | 'condition' | 'correlation';
  detail?: string;
  /** All of the symbol's text. */
  span: Span;
  /** What the editor selects when the symbol is picked: a key or a title. */
  selection: Span;
  children: OutlineSymbol[];
}

const entrySpan = (e: YEntry): Span => ({ start: e.keyPos, end: e.value.end });
const keySpan = (e: YEntry): Span => ({ start: e.keyPos, end: e.keyEnd });
const scalarText = (n: YNode | undefined): string | undefined => (n?.kind === 'scalar' && n.value !== null ? String(n.value) : undefined);

function sectionSymbols(section: YEntry): OutlineSymbol[] {
  if (section.value.kind !== 'map') return [];
  return section.value.entries.map((e): OutlineSymbol => {
    if (e.key === 'condition') {
      const text = e.value.kind === 'seq' ? e.value.items.map(scalarText).join(' | ') : scalarText(e.value);
      return { name: 'condition', kind: 'condition', detail: text, span: entrySpan(e), selection: keySpan(e), children: [] };
    }
    return { name: e.key, kind: 'identifier', span: entrySpan(e), selection: keySpan(e), children: [] };
  });
}

export function outline(text: string): OutlineSymbol[] {
  return loadYamlDocuments(text).flatMap((d, i): OutlineSymbol[] => {
    const root = d.root;
    if (root?.kind !== 'map') return [];
    const title = root.entries.find((e) => e.key === 'title');
    const children: OutlineSymbol[] = [];
    for (const e of root.entries) {
      if (e.key === 'detection' || e.key === 'filter') children.push({ name: e.key, kind: 'section', span: entrySpan(e), selection: keySpan(e), children: sectionSymbols(e) });
      else if (e.key === 'correlation') {
        const type = e.value.kind === 'map' ? scalarText(e.value.entries.find((x) => x.key === 'type')?.value) : undefined;
        children.push({ name: 'correlation', kind: 'correlation', detail: type, span: entrySpan(e), selection: keySpan(e), children: [] });
      }
    }
    return [{
      name: scalarText(title?.value) ?? `document ${i + 1}`,
      kind: 'document',
      span: { start: root.pos, end: root.end },
      selection: title ? { start: title.value.pos, end: title.value.end } : { start: root.pos, end: root.pos },
      children,
    }];
  });
}
