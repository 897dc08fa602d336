// The parsed form of binary XML: a small tree that templates compile to once per chunk and that
// records instantiate with their substitution values. Renderers (JSON, XML) walk it.
import type { FlatPlan } from './render-flat.js';
import type { XmlPlan } from './render-xml.js';

export const K_ELEMENT = 1;
export const K_TEXT = 2;
export const K_SUBST = 3;
export const K_CHARREF = 4;
export const K_ENTITY = 5;
export const K_CDATA = 6;
export const K_PI = 7;
export const K_TEMPLATE = 8;

export interface ElementNode {
  k: 1;
  name: string;
  attrs: AttrNode[];
  children: Node[] | null;
  /**
   * The XML renderer's work on this element that no value changes (tags, fixed attributes, the
   * kind of content), made on its first rendering: an element of a template is rendered for every
   * record of its chunk. Always present (undefined until then) so that every element has one shape.
   */
  xml: XmlPlan | undefined;
  /** The same for the flat renderer (render-flat.ts), by the role the element has there. */
  flat: FlatPlan | undefined;
}
export interface AttrNode { name: string; parts: Node[] }
export interface TextNode { k: 2; text: string }
export interface SubstNode { k: 3; index: number; optional: boolean; type: number }
export interface CharRefNode { k: 4; code: number }
export interface EntityNode { k: 5; name: string }
export interface CDataNode { k: 6; text: string }
export interface PINode { k: 7; target: string; data: string }
export interface TemplateNode { k: 8; template: Template; values: Values }

export type Node = ElementNode | TextNode | SubstNode | CharRefNode | EntityNode | CDataNode | PINode | TemplateNode;

/** A template definition compiled once per chunk. */
export interface Template { offset: number; guid: string; nodes: Node[] }

/**
 * Substitution values of one template instance, as ranges of the chunk buffer. `types`, `offs` and
 * `sizes` have one entry for every value, so an index below `types.length` is valid in all three.
 */
export interface Values {
  buf: Buffer;
  types: number[];
  offs: number[];
  sizes: number[];
  /** parsed binary XML for values of type 0x21, by index */
  nested: Array<Node[] | undefined> | null;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The character an entity reference stands for (unknown names keep their reference form). */
export function entityChar(name: string): string {
  return ENTITIES[name] ?? `&${name};`;
}

/** A character reference as text; invalid code points render as U+FFFD. */
export function charRefChar(code: number): string {
  return code >= 0xd800 && code <= 0xdfff ? '\ufffd' : String.fromCharCode(code);
}

/**
 * Work budget for rendering one record. Templates and binary XML values can nest, so a hostile
 * chunk could describe an exponentially large document in a few bytes; rendering stops instead.
 */
export const renderBudget = { left: 0 };
export const RENDER_BUDGET = 200_000;

export function spend(): void {
  if (--renderBudget.left < 0) throw new Error('record expands beyond the render budget');
}
