// A record's parsed binary XML straight to the flat event of a hunt: exactly what
// normalizeEvent(renderJson(nodes)) gives (flatten.ts), the same keys in the same order and the same
// values, without building the nested evtx_dump JSON first and taking it apart again (the two were
// two fifths of the time spent per record).
//
// The walk is renderJson's, node for node: the same nodes in the same order, the same values
// decoded, the same render budget spent, the same depth limit. Where renderJson makes an object that
// flatten.ts only takes apart (Event, System and its elements, EventData, UserData and its inner
// element, Data), the walk writes the flat fields at once, named by flatten.ts's own functions; an
// element whose JSON a field keeps whole (a payload element with attributes or child elements) is
// made by renderJson's elementJson.
//
// Every other shape is rendered the old way: a root that is not one <Event>, payload before <System>,
// text in <System>, names that an object orders before the others (array indexes), values that
// renderJson merges into lists, ... There the walk stops and renderFlat returns
// normalizeEvent(renderJson(nodes)), as it does for a record the walk cannot render (renderJson then
// reports it, or renders it after all). test/evtx/render-flat.test.ts compares both ways on every
// record of the EVTX samples and on hand-made records of the shapes the samples lack.
//
// The nested form is not made: the event comes without the hidden `Event` of flatten.ts, and
// nested-event.ts gives it one that is built on first access.
import {
  dataString, flattenPayload, isAttributesKey, isEmptySystemElement, normalizeEvent, payloadValue, put, putDataStrings,
  putSystemAttribute, putSystemValue, systemAttributeFields, type SystemAttributeFields,
} from '../flatten.js';
import { setOwn } from '../../json/parse-exact.js';
import type { EventValue, LogEvent } from '../types.js';
import {
  charRefChar, entityChar,
  K_CDATA, K_CHARREF, K_ELEMENT, K_ENTITY, K_SUBST, K_TEMPLATE, K_TEXT,
  RENDER_BUDGET, renderBudget, spend, type AttrNode, type ElementNode, type Node, type Values,
} from './nodes.js';
import { attrJson, elementJson, joinText, MAX_DEPTH, renderJson, walkContent, type ContentSink } from './render-json.js';
import { T_BINXML, T_NULL, valueJson } from './values.js';

export interface FlatRecord {
  flat: LogEvent;
  /**
   * Whether the nested form belongs to the event as its hidden `Event` (flatten.ts: every Windows
   * event whose own fields do not include one). When `flat` lacks it, nested-event.ts adds it.
   */
  nested: boolean;
}

/**
 * See ElementNode.flat: what the walk works out from an element's name and attribute names alone,
 * once per element of a template (a chunk's records are mostly a few templates, instantiated again
 * and again), for the role the element has: <System>, a child of it, or a <Data>.
 */
export type FlatPlan = SystemPlan | SystemChildPlan | DataPlan;

interface SystemPlan {
  role: 'system';
  /** its children are elements with distinct names: each is its own key, no _1 suffix to look for */
  distinct: boolean;
}

interface SystemChildPlan {
  role: 'system child';
  /** whether the walk follows it (see SystemSink) */
  ok: boolean;
  /** the fields of each attribute, when the element is its own key */
  fields: SystemAttributeFields[];
}

interface DataPlan {
  role: 'data';
  /** the field's name when the only attribute is a fixed Name="..." (attrJson returns it and spends nothing) */
  name: string | undefined;
  /** whether the walk follows a Data of that name (see PayloadSink.dataElement) */
  ok: boolean;
  /** whether that name is one flatten.ts reads as attributes, not a field (isAttributesKey) */
  attributes: boolean;
}

/** How many records took each way (for the tests: the old way must stay the exception). */
export const renderFlatStats = { direct: 0, old: 0 };

/** Thrown where the walk meets a shape it does not follow: renderFlat then renders the old way. */
const OTHER_SHAPE = new Error('a record shape render-flat does not follow');

export function renderFlat(nodes: Node[]): FlatRecord {
  renderBudget.left = RENDER_BUDGET;
  const out: LogEvent = {};
  try {
    const root = new RootSink(out);
    for (const n of nodes) walkContent(n, null, 0, root);
    if (root.windows) {
      renderFlatStats.direct++;
      return { flat: out, nested: !Object.hasOwn(out, 'Event') };
    }
  } catch {
    // another shape, or a record that cannot be rendered: renderJson has the last word
  }
  renderFlatStats.old++;
  const flat = normalizeEvent(renderJson(nodes, null) as LogEvent);
  const hidden = Object.getOwnPropertyDescriptor(flat, 'Event');
  return { flat, nested: hidden !== undefined && !hidden.enumerable };
}

/** leafText's answers besides a text: the element has none, or it has child elements. */
const NO_TEXT = Symbol('no text');
const NOT_TEXT = Symbol('not text only');

/**
 * The text of an element at `depth` whose children are text only, as elementJson makes it (one piece
 * keeps its type); NOT_TEXT, with the budget given back, when a child is or may hold an element.
 */
function leafText(children: Node[] | null, values: Values | null, depth: number): unknown {
  if (children === null || depth > MAX_DEPTH) return NO_TEXT;
  const budget = renderBudget.left;
  let has = false;
  let text: unknown;
  for (const c of children) {
    spend();
    let v: unknown;
    switch (c.k) {
      case K_TEXT: v = c.text; break;
      case K_SUBST: {
        if (!values || c.index >= values.types.length) continue;
        const t = values.types[c.index]!;
        if (t === T_NULL) continue;
        if (t === T_BINXML) {
          if (values.nested?.[c.index]) {
            renderBudget.left = budget;
            return NOT_TEXT;
          }
          continue;
        }
        v = valueJson(values.buf, values.offs[c.index]!, values.sizes[c.index]!, t);
        break;
      }
      case K_CDATA: v = c.text; break;
      case K_CHARREF: v = charRefChar(c.code); break;
      case K_ENTITY: v = entityChar(c.name); break;
      case K_ELEMENT: case K_TEMPLATE:
        renderBudget.left = budget;
        return NOT_TEXT;
      default: continue;
    }
    if (has) text = joinText(text, v);
    else {
      text = v;
      has = true;
    }
  }
  return has ? text : NO_TEXT;
}

/**
 * Whether a JSON object keeps `name` in the order it was set: not an array index (those come first)
 * nor `#attributes` / `#text`, which renderJson sets itself.
 */
function ordinaryName(name: string): boolean {
  const c = name.charCodeAt(0);
  return !(c >= 48 && c <= 57) && c !== 35; // 0-9, #
}

/** renderJson's name for the next child `name` of an object whose keys so far are `keys` (repeats get _1, _2, ...). */
function uniqueKey(keys: string[], name: string): string {
  if (!keys.includes(name)) return name;
  for (let i = 1; ; i++) if (!keys.includes(`${name}_${i}`)) return `${name}_${i}`;
}

/** Evaluates an element's attributes as elementJson does; true when one has a value (the element is then an object). */
function anyAttribute(attrs: AttrNode[], values: Values | null, depth: number): boolean {
  let any = false;
  for (const a of attrs) if (attrJson(a.parts, values, depth) !== undefined) any = true;
  return any;
}

/** The document: one <Event> element, whose System is an object (isWindowsEventShape). */
class RootSink implements ContentSink {
  windows = false;
  private seen = false;

  constructor(private readonly out: LogEvent) {}

  addChild(el: ElementNode, values: Values | null, depth: number): void {
    if (el.name !== 'Event' || this.seen) throw OTHER_SHAPE; // flatten.ts keeps other root elements as fields
    this.seen = true;
    anyAttribute(el.attrs, values, depth); // xmlns: no field
    const sink = new EventSink(this.out);
    if (el.children) for (const c of el.children) walkContent(c, values, depth, sink);
    this.windows = sink.system;
  }

  addText(): void {
    throw OTHER_SHAPE;
  }
}

/**
 * <Event>'s children. flatten.ts reads the first System, EventData and UserData, in that order, so
 * they are written as they come when they come in that order; repeats and other elements are no field.
 */
class EventSink implements ContentSink {
  /** whether the first <System> is an object */
  system = false;
  /** 0: before <System>, 1: after it, 2: after <EventData>, 3: after <UserData> */
  private stage = 0;
  private eventData = false;
  private userData = false;

  constructor(private readonly out: LogEvent) {}

  addChild(el: ElementNode, values: Values | null, depth: number): void {
    switch (el.name) {
      case 'System':
        if (this.stage !== 0) break;
        this.stage = 1;
        this.system = flattenSystemElement(el, values, depth, this.out);
        return;
      case 'EventData':
        if (this.eventData) break;
        if (this.stage !== 1) throw OTHER_SHAPE;
        this.eventData = true;
        this.stage = 2;
        flattenEventData(el, values, depth, this.out);
        return;
      case 'UserData':
        if (this.userData) break;
        if (this.stage === 0) throw OTHER_SHAPE;
        this.userData = true;
        this.stage = 3;
        flattenUserData(el, values, depth, this.out);
        return;
      case 'Data':
        throw OTHER_SHAPE; // renderJson's Data rule would name it
    }
    elementJson(el, values, depth); // no field; rendered for the budget it spends
  }

  addText(): void {
    // Event's own text is no field
  }
}

/** <System>: its child elements become fields; true when it is an object (has an attribute or a child element). */
function flattenSystemElement(el: ElementNode, values: Values | null, depth: number, out: LogEvent): boolean {
  let plan = el.flat;
  if (plan?.role !== 'system') el.flat = plan = { role: 'system', distinct: distinctChildren(el.children) };
  const obj = anyAttribute(el.attrs, values, depth); // System's attributes are no field
  const sink = new SystemSink(out, plan.distinct);
  if (el.children) for (const c of el.children) walkContent(c, values, depth, sink);
  return obj || sink.elements;
}

function distinctChildren(children: Node[] | null): boolean {
  if (!children) return true;
  const names = new Set<string>();
  for (const c of children) {
    if (c.k !== K_ELEMENT || names.has(c.name)) return false;
    names.add(c.name);
  }
  return true;
}

function systemChildPlan(el: ElementNode): SystemChildPlan {
  const { name, attrs } = el;
  // Data would follow renderJson's Data rule; `X_attributes` is read as attributes by flatten.ts; a
  // repeated attribute keeps its first place and its last value in the JSON object
  const ok = name !== 'Data' && ordinaryName(name) && !name.endsWith('_attributes') && distinctNames(attrs) && attrs.every((a) => ordinaryName(a.name));
  return { role: 'system child', ok, fields: attrs.map((a) => systemAttributeFields(name, a.name)) };
}

class SystemSink implements ContentSink {
  elements = false;
  /** the keys so far, when they must be looked at for _1 suffixes (see SystemPlan) */
  private readonly keys: string[] | null;

  constructor(private readonly out: LogEvent, distinct: boolean) {
    this.keys = distinct ? null : [];
  }

  addChild(el: ElementNode, values: Values | null, depth: number): void {
    this.elements = true;
    let plan = el.flat;
    if (plan?.role !== 'system child') el.flat = plan = systemChildPlan(el);
    if (!plan.ok) throw OTHER_SHAPE;
    let key = el.name;
    if (this.keys) {
      key = uniqueKey(this.keys, key);
      this.keys.push(key);
    }
    const attrs = el.attrs;
    let obj = false;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i]!;
      const v = attrJson(a.parts, values, depth);
      if (v === undefined) continue;
      obj = true;
      putSystemAttribute(this.out, key === el.name ? plan.fields[i]! : systemAttributeFields(key, a.name), v as EventValue);
    }
    const text = leafText(el.children, values, depth);
    if (text === NOT_TEXT) throw OTHER_SHAPE;
    if (obj) {
      if (text !== NO_TEXT) putSystemValue(this.out, key, text as EventValue);
    } else {
      const v = text === NO_TEXT ? null : (text as EventValue);
      if (!isEmptySystemElement(key, v)) putSystemValue(this.out, key, v);
    }
  }

  addText(): void {
    throw OTHER_SHAPE; // flatten.ts would make a field "#text" of it
  }
}

function dataPlan(el: ElementNode): DataPlan {
  const attrs = el.attrs;
  const only = attrs.length === 1 && attrs[0]!.name === 'Name' && attrs[0]!.parts.length === 1 ? attrs[0]!.parts[0]! : null;
  if (only?.k !== K_TEXT) return { role: 'data', name: undefined, ok: true, attributes: false };
  // a field named Data takes the Data key from the unnamed ones
  return { role: 'data', name: only.text, ok: only.text !== 'Data' && ordinaryName(only.text), attributes: isAttributesKey(only.text) };
}

function distinctNames(attrs: AttrNode[]): boolean {
  for (let i = 1; i < attrs.length; i++) for (let j = 0; j < i; j++) if (attrs[i]!.name === attrs[j]!.name) return false;
  return true;
}

/** <EventData>: its fields (flattenPayload of its JSON). */
function flattenEventData(el: ElementNode, values: Values | null, depth: number, out: LogEvent): void {
  const sink = new PayloadSink(out);
  const obj = sink.fill(el, values, depth);
  if (!sink.hasText) return;
  if (obj) put(out, '#text', payloadValue(sink.textValue as EventValue));
  else flattenPayload(sink.textValue as EventValue, out); // text only: Data strings
}

/** <UserData>: the fields of each inner element (flattenWindowsEvent's UserData loop). */
function flattenUserData(el: ElementNode, values: Values | null, depth: number, out: LogEvent): void {
  const obj = anyAttribute(el.attrs, values, depth);
  const sink = new UserDataSink(out);
  if (el.children) for (const c of el.children) walkContent(c, values, depth, sink);
  if ((obj || sink.elements) && sink.hasText) put(out, '#text', sink.textValue as EventValue);
}

class UserDataSink implements ContentSink {
  elements = false;
  hasText = false;
  textValue: unknown;
  private readonly keys: string[] = [];

  constructor(private readonly out: LogEvent) {}

  addChild(el: ElementNode, values: Values | null, depth: number): void {
    this.elements = true;
    const name = el.name;
    if (name === 'Data' || !ordinaryName(name)) throw OTHER_SHAPE;
    const key = uniqueKey(this.keys, name);
    this.keys.push(key);
    if (isAttributesKey(key)) {
      elementJson(el, values, depth); // no field; rendered for the budget it spends
      return;
    }
    const inner = new PayloadSink(this.out);
    if (inner.fill(el, values, depth)) {
      if (inner.hasText) put(this.out, '#text', payloadValue(inner.textValue as EventValue));
    } else put(this.out, key, inner.hasText ? (inner.textValue as EventValue) : null);
  }

  addText(v: unknown): void {
    if (this.hasText) this.textValue = joinText(this.textValue, v);
    else {
      this.textValue = v;
      this.hasText = true;
    }
  }
}

/**
 * The children of a payload element (EventData, or UserData's inner element) as flattenPayload makes
 * fields of its JSON object: named <Data> and other elements by their (renderJson) key, unnamed
 * <Data> as Data strings. Its own text is left to the caller (where it goes depends on whether the
 * element is an object).
 */
class PayloadSink implements ContentSink {
  elements = false;
  hasText = false;
  textValue: unknown;
  /** the keys of the payload's JSON object so far, for renderJson's _1 suffixes */
  private readonly keys: string[] = [];
  /** where the strings of unnamed <Data> go once the first has made the key Data (null: nowhere) */
  private data: string[] | null = null;
  private dataKey = false;

  constructor(private readonly out: LogEvent) {}

  /** Evaluates `el`'s attributes and walks its children; true when its JSON is an object. */
  fill(el: ElementNode, values: Values | null, depth: number): boolean {
    const obj = anyAttribute(el.attrs, values, depth); // "#attributes": no field
    if (el.children) for (const c of el.children) walkContent(c, values, depth, this);
    return obj || this.elements;
  }

  addChild(el: ElementNode, values: Values | null, depth: number): void {
    this.elements = true;
    if (el.name === 'Data') {
      this.dataElement(el, values, depth);
      return;
    }
    if (!ordinaryName(el.name)) throw OTHER_SHAPE;
    const key = this.key(el.name);
    let v: unknown;
    if (el.attrs.length === 0) {
      const text = leafText(el.children, values, depth);
      v = text === NOT_TEXT ? elementJson(el, values, depth) : text === NO_TEXT ? null : text;
    } else v = elementJson(el, values, depth);
    if (!isAttributesKey(key)) put(this.out, key, payloadValue(v as EventValue));
  }

  /** renderJson's Data rule: `<Data Name="X">v</Data>` is the field X; unnamed ones are collected under Data. */
  private dataElement(el: ElementNode, values: Values | null, depth: number): void {
    let plan = el.flat;
    if (plan?.role !== 'data') el.flat = plan = dataPlan(el);
    if (plan.name !== undefined) {
      // the common case, a fixed name
      if (!plan.ok) throw OTHER_SHAPE;
      const text = leafText(el.children, values, depth);
      if (text === NOT_TEXT) throw OTHER_SHAPE;
      const value = text === NO_TEXT ? null : (text as EventValue);
      const name = plan.name;
      if (!plan.attributes && !Object.hasOwn(this.out, name)) {
        // a name new to the event is new to the payload too (see key), and the field is this one's
        this.keys.push(name);
        setOwn(this.out, name, value);
        return;
      }
      const key = this.key(name);
      if (!isAttributesKey(key)) put(this.out, key, value);
      return;
    }
    let name: unknown;
    let named = false;
    let other = false;
    for (const a of el.attrs) {
      const v = attrJson(a.parts, values, depth);
      if (v === undefined) continue;
      if (a.name === 'Name') {
        name = v; // a repeated Name: the JSON object keeps the last
        named = true;
      } else other = true;
    }
    const text = leafText(el.children, values, depth);
    if (text === NOT_TEXT) throw OTHER_SHAPE;
    if (named) {
      const field = String(name);
      // a field named Data takes the Data key from the unnamed ones
      if (field === 'Data' || !ordinaryName(field)) throw OTHER_SHAPE;
      const key = this.key(field);
      if (!isAttributesKey(key)) put(this.out, key, text === NO_TEXT ? null : (text as EventValue));
      return;
    }
    if (other) throw OTHER_SHAPE; // an object in the Data list
    const item = (text === NO_TEXT ? '' : text) as EventValue;
    if (this.dataKey) {
      this.data?.push(dataString(item));
      return;
    }
    // The first: a list value (an array substitution) is the Data list itself, renderJson appends
    // the later ones to it. Empty, it would make no Data until a later one came, in this key's place.
    let strings: string[];
    if (!Array.isArray(item)) strings = [dataString(item)];
    else if (item.length > 0) strings = item.map(dataString);
    else throw OTHER_SHAPE;
    this.dataKey = true;
    this.keys.push('Data');
    this.data = putDataStrings(this.out, strings);
  }

  /**
   * renderJson's key for the next child named `name`. Every key so far that does not name attributes
   * is a field of `out` (written here, or its name taken by an earlier writer), so a name `out` lacks
   * is new here too and the list is searched only when it is not.
   */
  private key(name: string): string {
    const key = Object.hasOwn(this.out, name) || isAttributesKey(name) ? uniqueKey(this.keys, name) : name;
    this.keys.push(key);
    return key;
  }

  addText(v: unknown): void {
    if (this.hasText) this.textValue = joinText(this.textValue, v);
    else {
      this.textValue = v;
      this.hasText = true;
    }
  }
}
