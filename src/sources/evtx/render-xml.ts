// Renders parsed binary XML as event XML text, indented by two spaces the way Windows and
// evtxexport print events. Values use Windows' text forms ({GUID}, 7-digit FILETIME, 0x hex).
import {
  K_CDATA, K_CHARREF, K_ELEMENT, K_ENTITY, K_PI, K_SUBST, K_TEMPLATE, K_TEXT,
  RENDER_BUDGET, renderBudget, spend, type ElementNode, type Node, type Values,
} from './nodes.js';
import { T_ANSI, T_ARRAY, T_BINXML, T_NULL, T_STRING, valueText, valueTextItems } from './values.js';

const MAX_DEPTH = 128;

export function escapeXml(s: string, attr = false): string {
  if (!/[&<>"]/.test(s)) return s;
  s = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return attr ? s.replace(/"/g, '&quot;') : s;
}

/**
 * A substitution value as escaped XML text. Only string values can hold '&', '<', '>' or '"': the
 * text forms of the other types are digits, hex, GUIDs, SIDs and dates, so they skip the search.
 */
function substText(values: Values, index: number, t: number, attr: boolean): string {
  const text = valueText(values.buf, values.offs[index]!, values.sizes[index]!, t);
  const base = t & 0x7f;
  return base === T_STRING || base === T_ANSI ? escapeXml(text, attr) : text;
}

/** Renders a record's top-level nodes as XML text (one element per line, no XML declaration). */
export function renderXml(nodes: Node[], values: Values | null): string {
  renderBudget.left = RENDER_BUDGET;
  const out: string[] = [];
  const top = collect(nodes, values, 0, { text: '', items: null });
  // text between top-level elements has no place in the output (it is still rendered: the budget counts it)
  if (top.items) for (const it of top.items) {
    if (it.kind === 'el') writeElement(out, it.el, it.values, '', 0);
    else out.push(it.text + '\n');
  }
  return out.join('');
}

/** An element or processing instruction among an element's content, once templates are resolved. */
type Item =
  | { kind: 'el'; el: ElementNode; values: Values | null }
  | { kind: 'pi'; text: string };

/** The content of an element: its text pieces joined, escaped, and the other items in order (null: none). */
interface Content {
  text: string;
  items: Item[] | null;
}

/** Resolves template instances and binary XML substitutions into `acc`: elements, PIs and escaped text. */
function collect(nodes: Node[], values: Values | null, depth: number, acc: Content): Content {
  if (depth > MAX_DEPTH) return acc;
  for (const n of nodes) {
    spend();
    switch (n.k) {
      case K_ELEMENT: (acc.items ??= []).push({ kind: 'el', el: n, values }); break;
      case K_TEXT: acc.text += escapeXml(n.text); break;
      case K_CDATA: acc.text += `<![CDATA[${n.text}]]>`; break;
      case K_CHARREF: acc.text += `&#${n.code};`; break;
      case K_ENTITY: acc.text += `&${n.name};`; break;
      case K_PI: (acc.items ??= []).push({ kind: 'pi', text: `<?${n.target}${n.data ? ' ' + n.data : ''}?>` }); break;
      case K_TEMPLATE: collect(n.template.nodes, n.values, depth + 1, acc); break;
      case K_SUBST: {
        if (!values || n.index >= values.types.length) break;
        const t = values.types[n.index]!;
        if (t === T_NULL) break;
        if (t === T_BINXML) {
          const nested = values.nested?.[n.index];
          if (nested) collect(nested, values, depth + 1, acc);
          break;
        }
        acc.text += substText(values, n.index, t, false);
        break;
      }
    }
  }
  return acc;
}

function attrText(parts: Node[], values: Values | null): string | null {
  let s: string | null = null;
  for (const p of parts) {
    let piece: string | null = null;
    switch (p.k) {
      case K_TEXT: piece = escapeXml(p.text, true); break;
      case K_CHARREF: piece = `&#${p.code};`; break;
      case K_ENTITY: piece = `&${p.name};`; break;
      case K_SUBST: {
        if (!values || p.index >= values.types.length) break;
        const t = values.types[p.index]!;
        if (t === T_NULL || t === T_BINXML) break;
        piece = substText(values, p.index, t, true);
        break;
      }
    }
    if (piece !== null) s = (s ?? '') + piece;
  }
  return s;
}

function writeElement(out: string[], el: ElementNode, values: Values | null, indent: string, depth: number): void {
  if (depth > MAX_DEPTH) return;
  const only = el.children?.length === 1 ? el.children[0]! : null;
  if (only?.k === K_SUBST && values && only.index < values.types.length) {
    const t = values.types[only.index]!;
    // an element made of one optional substitution whose value is NULL is not created, and an
    // element made of one array substitution is repeated per item (libyal EVTX doc, "Substitution")
    if (t === T_NULL && only.optional) return;
    if (t & T_ARRAY) {
      for (const item of valueTextItems(values.buf, values.offs[only.index]!, values.sizes[only.index]!, t)) {
        const copy: ElementNode = { k: K_ELEMENT, name: el.name, attrs: el.attrs, children: [{ k: K_TEXT, text: item }] };
        writeElement(out, copy, values, indent, depth + 1);
      }
      return;
    }
  }
  let open = indent + '<' + el.name;
  for (const a of el.attrs) {
    const v = attrText(a.parts, values);
    if (v !== null) open += ` ${a.name}="${v}"`;
  }
  const { text, items } = el.children ? collect(el.children, values, depth + 1, { text: '', items: null }) : { text: '', items: null };
  // the children are written straight into `out` after a slot for the start tag, which is filled
  // in once it is known whether any child produced a line
  const slot = out.length;
  out.push('');
  if (items) {
    const inner = indent + '  ';
    for (const it of items) {
      if (it.kind === 'el') writeElement(out, it.el, it.values, inner, depth + 1);
      else out.push(inner + it.text + '\n');
    }
  }
  if (out.length === slot + 1) out[slot] = text ? `${open}>${text}</${el.name}>\n` : `${open}/>\n`;
  else {
    out[slot] = open + '>' + text + '\n';
    out.push(`${indent}</${el.name}>\n`);
  }
}
