// Renders parsed binary XML to the JSON shape of the evtx crate's `evtx_dump -o json`:
// attributes under "#attributes", text-only elements as their (typed) value, empty elements as
// null, repeated names suffixed _1, _2..., <Data Name="X">v</Data> as "X": v and unnamed Data
// collected under "Data": {"#text": ...}.
import {
  charRefChar, entityChar,
  K_CDATA, K_CHARREF, K_ELEMENT, K_ENTITY, K_SUBST, K_TEMPLATE, K_TEXT,
  RENDER_BUDGET, renderBudget, spend, type ElementNode, type Node, type Values,
} from './nodes.js';
import { T_BINXML, T_NULL, valueJson } from './values.js';

type Json = unknown;
type Obj = Record<string, Json>;

/** Nesting deeper than this is not rendered (templates and binary XML values can nest without end). */
export const MAX_DEPTH = 128;

/** Renders a record's top-level nodes to `{ Event: {...} }`. */
export function renderJson(nodes: Node[], values: Values | null): Obj {
  renderBudget.left = RENDER_BUDGET;
  const b = new Builder();
  for (const n of nodes) walkContent(n, values, 0, b);
  return b.obj ?? {};
}

function setKey(o: Obj, key: string, v: Json): void {
  if (key.length === 9 && key === '__proto__') Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
  else o[key] = v;
}

function uniqueKey(o: Obj, key: string): string {
  if (!Object.hasOwn(o, key)) return key;
  for (let i = 1; ; i++) if (!Object.hasOwn(o, `${key}_${i}`)) return `${key}_${i}`;
}

/** Accumulates the content of one element: child elements into `obj`, text pieces into `text`. */
class Builder implements ContentSink {
  obj: Obj | null = null;
  text: Json = undefined;
  hasText = false;

  addText(v: Json): void {
    if (!this.hasText) { this.text = v; this.hasText = true; }
    else this.text = joinText(this.text, v);
  }

  /** A child element at its own depth (one below this element's). */
  addChild(el: ElementNode, values: Values | null, depth: number): void {
    const v = elementJson(el, values, depth);
    const o = (this.obj ??= {});
    if (el.name === 'Data') {
      const attrs = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj)['#attributes'] as Obj | undefined : undefined;
      if (attrs && Object.hasOwn(attrs, 'Name')) {
        const key = String(attrs.Name);
        const content = Object.hasOwn(v as Obj, '#text') ? (v as Obj)['#text'] : null;
        setKey(o, uniqueKey(o, key), content);
        return;
      }
      const item = v === null ? '' : v;
      const data = Object.hasOwn(o, 'Data') ? o.Data : undefined;
      if (data !== null && typeof data === 'object' && !Array.isArray(data) && Object.hasOwn(data, '#text')) {
        const d = data as Obj;
        if (Array.isArray(d['#text'])) (d['#text'] as Json[]).push(item);
        else d['#text'] = [d['#text'], item];
        return;
      }
      if (data === undefined) { o.Data = { '#text': item }; return; }
    }
    setKey(o, uniqueKey(o, el.name), v);
  }
}

/** Where `walkContent` hands an element's content: child elements (at their own depth) and text. */
export interface ContentSink {
  addChild(el: ElementNode, values: Values | null, depth: number): void;
  addText(v: Json): void;
}

/**
 * One node of an element's content, walked as the JSON renderings read it: templates and binary XML
 * substitutions opened, values decoded to their JSON form, each node spending the record's render
 * budget. Shared by this renderer and the flat one (render-flat.ts), so that both read the same nodes.
 */
export function walkContent(n: Node, values: Values | null, depth: number, sink: ContentSink): void {
  if (depth > MAX_DEPTH) return;
  spend();
  switch (n.k) {
    case K_ELEMENT: sink.addChild(n, values, depth + 1); return;
    case K_TEXT: sink.addText(n.text); return;
    case K_CDATA: sink.addText(n.text); return;
    case K_CHARREF: sink.addText(charRefChar(n.code)); return;
    case K_ENTITY: sink.addText(entityChar(n.name)); return;
    case K_TEMPLATE: for (const c of n.template.nodes) walkContent(c, n.values, depth + 1, sink); return;
    case K_SUBST: {
      if (!values || n.index >= values.types.length) return;
      const t = values.types[n.index]!;
      if (t === T_NULL) return;
      if (t === T_BINXML) {
        const nested = values.nested?.[n.index];
        if (nested) for (const c of nested) walkContent(c, values, depth + 1, sink);
        return;
      }
      sink.addText(valueJson(values.buf, values.offs[n.index]!, values.sizes[n.index]!, t));
      return;
    }
    default: return; // processing instructions have no JSON form
  }
}

/** An element's text so far and its next piece: one piece keeps its type (a number stays a number), more make a string. */
export function joinText(text: Json, v: Json): string {
  return textOf(text) + textOf(v);
}

function textOf(v: Json): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(textOf).join(',');
  return String(v);
}

/** An attribute's value; undefined when it has none (a null substitution), and then the attribute is left out. */
export function attrJson(parts: Node[], values: Values | null, depth: number): Json {
  if (parts.length === 1) {
    // the common case, one text or substitution, without a Builder
    const p = parts[0]!;
    if (p.k === K_TEXT) return p.text;
    if (p.k === K_SUBST) {
      if (!values || p.index >= values.types.length) return undefined;
      const t = values.types[p.index]!;
      if (t === T_NULL || t === T_BINXML) return undefined;
      return valueJson(values.buf, values.offs[p.index]!, values.sizes[p.index]!, t);
    }
  }
  const b = new Builder();
  for (const p of parts) walkContent(p, values, depth, b);
  return b.hasText ? b.text : undefined;
}

/** An element as JSON (attributes under "#attributes", text under "#text" beside child elements). */
export function elementJson(el: ElementNode, values: Values | null, depth: number): Json {
  let attrs: Obj | null = null;
  for (const a of el.attrs) {
    const v = attrJson(a.parts, values, depth);
    if (v === undefined) continue; // a null substitution drops the attribute
    setKey((attrs ??= {}), a.name, v);
  }
  const b = new Builder();
  if (attrs) b.obj = { '#attributes': attrs };
  if (el.children) for (const c of el.children) walkContent(c, values, depth, b);
  if (!b.obj) return b.hasText ? b.text : null;
  if (b.hasText) b.obj['#text'] = b.text;
  return b.obj;
}
