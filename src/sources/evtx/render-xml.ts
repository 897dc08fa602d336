// Renders parsed binary XML as event XML text, indented by two spaces the way Windows and
// evtxexport print events. Values use Windows' text forms ({GUID}, 7-digit FILETIME, 0x hex).
import {
  K_CDATA, K_CHARREF, K_ELEMENT, K_ENTITY, K_PI, K_SUBST, K_TEMPLATE, K_TEXT,
  RENDER_BUDGET, renderBudget, spend, type ElementNode, type Node, type SubstNode, type Values,
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
  // Nearly every record is one template instance whose body is one element (<Event>): written
  // straight, spending the budget for the two nodes as collect() would.
  const only = nodes.length === 1 ? nodes[0]! : null;
  const body = only?.k === K_TEMPLATE && only.template.nodes.length === 1 ? only.template.nodes[0]! : null;
  let out: string;
  if (only?.k === K_TEMPLATE && body?.k === K_ELEMENT) {
    spend();
    spend();
    out = element(body, only.values, '', 0);
  } else out = topLevel(nodes, values);
  // The pieces are joined by concatenation (V8 keeps them as a tree of pieces) and the tree is made
  // one flat string here, while it is small and fresh: reading a character flattens it. Left as a
  // tree, a chunk's records outlived young-generation collections as hundreds of small pieces each
  // and were copied piece by piece (measured: about a tenth more time for the samples as XML).
  out.charCodeAt(0);
  return out;
}

/** Any other record: its elements and processing instructions, in order. */
function topLevel(nodes: Node[], values: Values | null): string {
  let out = '';
  const top = collect(nodes, values, 0, { text: '', items: null });
  // text between top-level elements has no place in the output (it is still rendered: the budget counts it)
  if (top.items) for (const it of top.items) {
    if (it.kind === 'el') out += element(it.el, it.values, '', 0);
    else out += it.text + '\n';
  }
  return out;
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

/** What an element's content is, as far as the element itself says (values may still change it). */
const C_NONE = 0; // no content: always `<name/>`
const C_SUBST = 1; // one substitution: text, or a repeated/omitted element (arrays, optional NULL), or binary XML
const C_TEXT = 2; // one piece of literal text
const C_ELEMENTS = 3; // child elements only
const C_MIXED = 4; // anything else: resolved through collect()

/** An attribute as planned: written whole when it is fixed, else from its one substitution or its parts. */
interface AttrPlan {
  /** ` name="value"` ('' when it has no parts and is left out), or null when it depends on values */
  fixed: string | null;
  /** ` name="` */
  head: string;
  /** the substitution index when the value is exactly one substitution, else -1 */
  index: number;
  parts: Node[];
}

/** See ElementNode.xml: an element's tags and fixed attributes worked out once, reused for every record. */
export interface XmlPlan {
  /** `<name` followed by every attribute, when none depends on the record's values; else null */
  fixedOpen: string | null;
  attrs: AttrPlan[];
  /** `</name>` and the line end */
  close: string;
  content: number;
  /** C_SUBST: the substitution's index */
  index: number;
  /** C_TEXT: the text, escaped */
  text: string;
  /**
   * The indent the line pieces below were made for: an element of a template is met at the same
   * depth record after record, so its lines are mostly fixed strings and each costs fewer joins.
   */
  indent: string | null;
  /** indent + `<name` */
  lead: string;
  /** indent + fixedOpen + `>` (when fixedOpen is not null) */
  start: string;
  /** start and the line end: the start tag of an element whose children are on lines of their own */
  startLine: string;
  /** indent + fixedOpen + `/>` and the line end (when fixedOpen is not null) */
  empty: string;
  /** indent + `</name>` and the line end */
  end: string;
}

function planElement(el: ElementNode): XmlPlan {
  let fixedOpen: string | null = '<' + el.name;
  const attrs: AttrPlan[] = [];
  for (const a of el.attrs) {
    const fixed = a.parts.every((p) => p.k === K_TEXT || p.k === K_CHARREF || p.k === K_ENTITY);
    const only = a.parts.length === 1 ? a.parts[0]! : null;
    const plan: AttrPlan = { fixed: null, head: ` ${a.name}="`, index: only?.k === K_SUBST ? only.index : -1, parts: a.parts };
    if (fixed) {
      const v = attrText(a.parts, null);
      plan.fixed = v === null ? '' : ` ${a.name}="${v}"`;
      if (fixedOpen !== null) fixedOpen += plan.fixed;
    } else fixedOpen = null;
    attrs.push(plan);
  }
  const ch = el.children;
  const only = ch?.length === 1 ? ch[0]! : null;
  let content = C_MIXED;
  if (ch === null) content = C_NONE;
  else if (only?.k === K_SUBST) content = C_SUBST;
  else if (only?.k === K_TEXT) content = C_TEXT;
  else if (ch.every((c) => c.k === K_ELEMENT)) content = C_ELEMENTS;
  return {
    fixedOpen, attrs, close: `</${el.name}>\n`, content,
    index: only?.k === K_SUBST ? only.index : -1,
    text: only?.k === K_TEXT ? escapeXml(only.text) : '',
    indent: null, lead: '', start: '', startLine: '', empty: '', end: '',
  };
}

/** `<name` and the attributes, for an element with some attribute that depends on the values. */
function openTag(plan: XmlPlan, values: Values | null): string {
  let open = plan.lead;
  for (const a of plan.attrs) {
    if (a.fixed !== null) open += a.fixed;
    else if (a.index >= 0) {
      if (!values || a.index >= values.types.length) continue;
      const t = values.types[a.index]!;
      if (t === T_NULL || t === T_BINXML) continue;
      open += a.head + substText(values, a.index, t, true) + '"';
    } else {
      const v = attrText(a.parts, values);
      if (v !== null) open += a.head + v + '"';
    }
  }
  return open;
}

/** Indentation strings by level, so that a line's indent is looked up rather than built. */
const INDENTS = Array.from({ length: MAX_DEPTH + 2 }, (_, i) => '  '.repeat(i));

function deeper(indent: string): string {
  return INDENTS[(indent.length >> 1) + 1] ?? indent + '  ';
}

/** An element's lines ('' when it is left out). */
function element(el: ElementNode, values: Values | null, indent: string, depth: number): string {
  if (depth > MAX_DEPTH) return '';
  const plan = el.xml ??= planElement(el);
  let t = -1; // C_SUBST: the value's type, when there is a value
  if (plan.content === C_SUBST && values && plan.index < values.types.length) {
    t = values.types[plan.index]!;
    // an element made of one optional substitution whose value is NULL is not created, and an
    // element made of one array substitution is repeated per item (libyal EVTX doc, "Substitution")
    if (t === T_NULL && (el.children![0] as SubstNode).optional) return '';
    if (t & T_ARRAY) {
      let lines = '';
      for (const item of valueTextItems(values.buf, values.offs[plan.index]!, values.sizes[plan.index]!, t)) {
        const copy: ElementNode = { k: K_ELEMENT, name: el.name, attrs: el.attrs, children: [{ k: K_TEXT, text: item }], xml: undefined, flat: undefined };
        lines += element(copy, values, indent, depth + 1);
      }
      return lines;
    }
  }
  if (plan.indent !== indent) {
    plan.indent = indent;
    plan.lead = indent + '<' + el.name;
    plan.end = indent + plan.close;
    if (plan.fixedOpen !== null) {
      plan.start = indent + plan.fixedOpen + '>';
      plan.startLine = plan.start + '\n';
      plan.empty = indent + plan.fixedOpen + '/>\n';
    }
  }
  const fixed = plan.fixedOpen !== null;
  const open = fixed ? '' : openTag(plan, values);
  // the content is resolved one level deeper, where nothing is written past the depth limit
  const content = depth >= MAX_DEPTH ? C_NONE : plan.content;
  // the plain kinds of content are written straight; each child spends the render budget once, as
  // collect() would (the budget counts nodes visited, so an over-budget record fails the same way)
  if (content === C_NONE) return fixed ? plan.empty : open + '/>\n';
  if (content === C_TEXT || (content === C_SUBST && t !== T_BINXML)) {
    spend();
    const text = content === C_TEXT ? plan.text : t === -1 || t === T_NULL ? '' : substText(values!, plan.index, t, false);
    if (!text) return fixed ? plan.empty : open + '/>\n';
    return (fixed ? plan.start : open + '>') + text + plan.close;
  }
  const inner = deeper(indent);
  let text = '';
  let lines = '';
  if (content === C_ELEMENTS) {
    for (const c of el.children!) {
      spend();
      lines += element(c as ElementNode, values, inner, depth + 1);
    }
  } else {
    const acc = collect(el.children!, values, depth + 1, { text: '', items: null });
    text = acc.text;
    if (acc.items) for (const it of acc.items) lines += it.kind === 'el' ? element(it.el, it.values, inner, depth + 1) : inner + it.text + '\n';
  }
  // the element's own text goes on the line of its start tag; child lines follow it
  if (lines === '') return text ? (fixed ? plan.start : open + '>') + text + plan.close : fixed ? plan.empty : open + '/>\n';
  return (text === '' ? (fixed ? plan.startLine : open + '>\n') : (fixed ? plan.start : open + '>') + text + '\n') + lines + plan.end;
}
