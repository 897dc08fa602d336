// Renders parsed binary XML as event XML text, indented by two spaces the way Windows and
// evtxexport print events. Values use Windows' text forms ({GUID}, 7-digit FILETIME, 0x hex).
import {
  K_CDATA, K_CHARREF, K_ELEMENT, K_ENTITY, K_PI, K_SUBST, K_TEMPLATE, K_TEXT,
  RENDER_BUDGET, renderBudget, spend, type ElementNode, type Node, type Values,
} from './nodes.js';
import { T_ARRAY, T_BINXML, T_NULL, valueText, valueTextItems } from './values.js';

const MAX_DEPTH = 128;

export function escapeXml(s: string, attr = false): string {
  if (!/[&<>"]/.test(s)) return s;
  s = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return attr ? s.replace(/"/g, '&quot;') : s;
}

/** Renders a record's top-level nodes as XML text (one element per line, no XML declaration). */
export function renderXml(nodes: Node[], values: Values | null): string {
  renderBudget.left = RENDER_BUDGET;
  const out: string[] = [];
  const items = flatten(nodes, values, 0);
  for (const it of items) {
    if (it.kind === 'el') writeElement(out, it.el, it.values, '', 0);
    else if (it.kind === 'pi') out.push(it.text + '\n');
  }
  return out.join('');
}

type Item =
  | { kind: 'el'; el: ElementNode; values: Values | null }
  | { kind: 'text'; text: string }
  | { kind: 'pi'; text: string };

/** Resolves template instances and binary XML substitutions into elements and escaped text. */
function flatten(nodes: Node[], values: Values | null, depth: number, out: Item[] = []): Item[] {
  if (depth > MAX_DEPTH) return out;
  for (const n of nodes) {
    spend();
    switch (n.k) {
      case K_ELEMENT: out.push({ kind: 'el', el: n, values }); break;
      case K_TEXT: out.push({ kind: 'text', text: escapeXml(n.text) }); break;
      case K_CDATA: out.push({ kind: 'text', text: `<![CDATA[${n.text}]]>` }); break;
      case K_CHARREF: out.push({ kind: 'text', text: `&#${n.code};` }); break;
      case K_ENTITY: out.push({ kind: 'text', text: `&${n.name};` }); break;
      case K_PI: out.push({ kind: 'pi', text: `<?${n.target}${n.data ? ' ' + n.data : ''}?>` }); break;
      case K_TEMPLATE: flatten(n.template.nodes, n.values, depth + 1, out); break;
      case K_SUBST: {
        if (!values || n.index >= values.types.length) break;
        const t = values.types[n.index]!;
        if (t === T_NULL) break;
        if (t === T_BINXML) {
          const nested = values.nested?.[n.index];
          if (nested) flatten(nested, values, depth + 1, out);
          break;
        }
        out.push({ kind: 'text', text: escapeXml(valueText(values.buf, values.offs[n.index]!, values.sizes[n.index]!, t)) });
        break;
      }
    }
  }
  return out;
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
        piece = escapeXml(valueText(values.buf, values.offs[p.index]!, values.sizes[p.index]!, t), true);
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
  const items = el.children ? flatten(el.children, values, depth + 1) : [];
  const hasElements = items.some((i) => i.kind !== 'text');
  const text = items.filter((i) => i.kind === 'text').map((i) => i.text).join('');
  if (!hasElements) {
    out.push(text ? `${open}>${text}</${el.name}>\n` : `${open}/>\n`);
    return;
  }
  const inner = indent + '  ';
  const body: string[] = [];
  for (const it of items) {
    if (it.kind === 'el') writeElement(body, it.el, it.values, inner, depth + 1);
    else if (it.kind === 'pi') body.push(inner + it.text + '\n');
  }
  if (!body.length) {
    out.push(text ? `${open}>${text}</${el.name}>\n` : `${open}/>\n`);
    return;
  }
  out.push(open + '>' + text + '\n', ...body, `${indent}</${el.name}>\n`);
}
