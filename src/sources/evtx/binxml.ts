// Binary XML token parser (libyal EVTX doc, "Binary XML"). Every read is checked against the bounds
// of the current range and nesting depth is capped, so corrupt input ends in a BinXmlError.
import {
  K_CDATA, K_CHARREF, K_ELEMENT, K_ENTITY, K_PI, K_SUBST, K_TEMPLATE, K_TEXT,
  type AttrNode, type ElementNode, type Node, type Template, type Values,
} from './nodes.js';
import { guid, scalarSize, T_BINXML, valueText } from './values.js';

export class BinXmlError extends Error {
  constructor(message: string, readonly offset: number) { super(message); }
}

const MAX_DEPTH = 64;

const TOK_EOF = 0x00;
const TOK_OPEN = 0x01;
const TOK_CLOSE_START = 0x02;
const TOK_CLOSE_EMPTY = 0x03;
const TOK_END = 0x04;
const TOK_VALUE = 0x05;
const TOK_ATTR = 0x06;
const TOK_CDATA = 0x07;
const TOK_CHARREF = 0x08;
const TOK_ENTITY = 0x09;
const TOK_PI_TARGET = 0x0a;
const TOK_PI_DATA = 0x0b;
const TOK_TEMPLATE = 0x0c;
const TOK_SUBST = 0x0d;
const TOK_OPT_SUBST = 0x0e;
const TOK_FRAGMENT = 0x0f;

/**
 * Parses the binary XML of one chunk. Names and templates are cached by their chunk offset, so a
 * parser lives exactly as long as its chunk. `buf` holds the chunk at offset 0.
 */
export class BinXmlParser {
  private pos = 0;
  private end = 0;
  private depth = 0;
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, Template>();
  private readonly compiling = new Set<number>();

  constructor(private readonly buf: Buffer) {}

  /** Parses a document (fragments, template instances, elements, PIs) in buf[start, end). */
  parseDocument(start: number, end: number): Node[] {
    const savePos = this.pos, saveEnd = this.end;
    this.pos = start;
    this.end = Math.min(end, this.buf.length);
    try {
      return this.document();
    } finally {
      this.pos = savePos;
      this.end = saveEnd;
    }
  }

  private fail(msg: string): never {
    throw new BinXmlError(msg, this.pos);
  }

  private need(n: number): void {
    if (this.pos + n > this.end) this.fail(`binary XML truncated (need ${n} bytes)`);
  }

  // `buf[i]!` below: every read is after need() or a `pos < end` test, and end <= buf.length
  private u8(): number { this.need(1); return this.buf[this.pos++]!; }
  private u16(): number { this.need(2); const v = this.buf.readUInt16LE(this.pos); this.pos += 2; return v; }
  private u32(): number { this.need(4); const v = this.buf.readUInt32LE(this.pos); this.pos += 4; return v; }

  private document(): Node[] {
    const nodes: Node[] = [];
    while (this.pos < this.end) {
      const tok = this.buf[this.pos]!;
      switch (tok & 0xbf) {
        case TOK_EOF: this.pos++; return nodes;
        case TOK_FRAGMENT: this.need(4); this.pos += 4; break;
        case TOK_OPEN: nodes.push(this.element()); break;
        case TOK_TEMPLATE: nodes.push(this.templateInstance()); break;
        case TOK_PI_TARGET: nodes.push(this.pi()); break;
        // text-like content at document level appears in some nested binary XML values
        case TOK_VALUE: case TOK_SUBST: case TOK_OPT_SUBST: case TOK_CHARREF: case TOK_ENTITY: case TOK_CDATA:
          nodes.push(this.content(tok)); break;
        default: this.fail(`unexpected token 0x${tok.toString(16)} at document level`);
      }
    }
    return nodes;
  }

  /** Reads a name by chunk offset; when the name is stored inline (offset = here), skips over it. */
  private nameAt(offset: number): string {
    const inline = offset === this.pos;
    let name = this.names.get(offset);
    if (name === undefined) {
      if (offset + 8 > this.buf.length) this.fail(`name offset 0x${offset.toString(16)} out of chunk`);
      const count = this.buf.readUInt16LE(offset + 6);
      const endOff = offset + 8 + count * 2;
      if (endOff > this.buf.length) this.fail(`name at 0x${offset.toString(16)} runs past chunk`);
      name = this.buf.toString('utf16le', offset + 8, endOff);
      this.names.set(offset, name);
    }
    if (inline) {
      const size = 10 + this.buf.readUInt16LE(offset + 6) * 2;
      this.need(size);
      this.pos += size;
    }
    return name;
  }

  private plausibleName(offset: number, after: number): boolean {
    if (offset === after) return true;
    if (offset > after || offset < 128 || offset + 10 > this.buf.length) return false;
    if (this.names.has(offset)) return true;
    const count = this.buf.readUInt16LE(offset + 6);
    const e = offset + 8 + count * 2;
    return e + 2 <= this.buf.length && this.buf[e] === 0 && this.buf[e + 1] === 0;
  }

  private element(): ElementNode {
    if (++this.depth > MAX_DEPTH) this.fail('element nesting too deep');
    try {
      const tok = this.u8();
      // Element start: [dependency id u16] data size u32, name offset u32. The dependency id is
      // absent in some binary XML values (MS-EVEN6), so pick the layout whose name offset is sane.
      this.need(8);
      const p = this.pos;
      let nameOff: number;
      if (p + 10 <= this.end && this.plausibleName(this.buf.readUInt32LE(p + 6), p + 10)) {
        nameOff = this.buf.readUInt32LE(p + 6);
        this.pos = p + 10;
      } else if (this.plausibleName(this.buf.readUInt32LE(p + 4), p + 8)) {
        nameOff = this.buf.readUInt32LE(p + 4);
        this.pos = p + 8;
      } else {
        this.fail('element name offset out of range');
      }
      const name = this.nameAt(nameOff);
      const attrs: AttrNode[] = [];
      if (tok & 0x40) {
        this.u32(); // attribute list size: attributes are delimited by their tokens
        while (this.pos < this.end && (this.buf[this.pos]! & 0xbf) === TOK_ATTR) attrs.push(this.attribute());
      }
      const close = this.u8();
      if (close === TOK_CLOSE_EMPTY) return { k: K_ELEMENT, name, attrs, children: null, xml: undefined, flat: undefined };
      if (close !== TOK_CLOSE_START) this.fail(`expected close of start tag, got 0x${close.toString(16)}`);
      const children: Node[] = [];
      for (;;) {
        this.need(1);
        const t = this.buf[this.pos]!;
        if (t === TOK_END) { this.pos++; break; }
        if ((t & 0xbf) === TOK_OPEN) children.push(this.element());
        else if (t === TOK_PI_TARGET) children.push(this.pi());
        else if (t === TOK_TEMPLATE) children.push(this.templateInstance());
        else children.push(this.content(t));
      }
      return { k: K_ELEMENT, name, attrs, children, xml: undefined, flat: undefined };
    } finally {
      this.depth--;
    }
  }

  private attribute(): AttrNode {
    this.pos++;
    const name = this.nameAt(this.u32());
    const parts: Node[] = [];
    while (this.pos < this.end) {
      const tok = this.buf[this.pos]!;
      const t = tok & 0xbf;
      if (t !== TOK_VALUE && t !== TOK_SUBST && t !== TOK_OPT_SUBST && t !== TOK_CHARREF && t !== TOK_ENTITY) break;
      parts.push(this.content(tok));
    }
    return { name, parts };
  }

  /** Value text, substitutions, references and CDATA. */
  private content(tok: number): Node {
    this.pos++;
    switch (tok & 0xbf) {
      case TOK_VALUE: {
        const type = this.u8();
        if (type === 0x01) return { k: K_TEXT, text: this.utf16String() };
        const size = scalarSize(type);
        if (size === 0 || type & 0x80) this.fail(`unsupported value token type 0x${type.toString(16)}`);
        this.need(size);
        const text = valueText(this.buf, this.pos, size, type);
        this.pos += size;
        return { k: K_TEXT, text };
      }
      case TOK_SUBST: case TOK_OPT_SUBST: {
        const index = this.u16();
        const type = this.u8();
        return { k: K_SUBST, index, type, optional: (tok & 0xbf) === TOK_OPT_SUBST };
      }
      case TOK_CHARREF: return { k: K_CHARREF, code: this.u16() };
      case TOK_ENTITY: return { k: K_ENTITY, name: this.nameAt(this.u32()) };
      case TOK_CDATA: return { k: K_CDATA, text: this.utf16String() };
      default:
        this.pos--;
        return this.fail(`unexpected token 0x${tok.toString(16)} in content`);
    }
  }

  private pi(): Node {
    this.pos++;
    const target = this.nameAt(this.u32());
    let data = '';
    if (this.pos < this.end && this.buf[this.pos] === TOK_PI_DATA) {
      this.pos++;
      data = this.utf16String();
    }
    return { k: K_PI, target, data };
  }

  private utf16String(): string {
    const count = this.u16();
    this.need(count * 2);
    const s = this.buf.toString('utf16le', this.pos, this.pos + count * 2);
    this.pos += count * 2;
    return s;
  }

  private templateInstance(): Node {
    if (++this.depth > MAX_DEPTH) this.fail('template nesting too deep');
    try {
      this.pos++;
      this.need(9);
      this.pos += 5; // unknown byte, template id
      const defOff = this.u32();
      if (defOff === this.pos) {
        // definition stored inline: next offset u32, GUID, data size u32, body
        this.need(24);
        const size = this.buf.readUInt32LE(this.pos + 20);
        this.need(24 + size);
        this.pos += 24 + size;
      }
      const template = this.template(defOff);
      const values = this.instanceValues();
      return { k: K_TEMPLATE, template, values };
    } finally {
      this.depth--;
    }
  }

  private template(defOff: number): Template {
    const cached = this.templates.get(defOff);
    if (cached) return cached;
    if (defOff < 128 || defOff + 24 > this.buf.length) this.fail(`template offset 0x${defOff.toString(16)} out of chunk`);
    if (this.compiling.has(defOff)) this.fail('template refers to itself');
    const size = this.buf.readUInt32LE(defOff + 20);
    const bodyEnd = defOff + 24 + size;
    if (bodyEnd > this.buf.length) this.fail(`template at 0x${defOff.toString(16)} runs past chunk`);
    this.compiling.add(defOff);
    try {
      const nodes = this.parseDocument(defOff + 24, bodyEnd);
      const t: Template = { offset: defOff, guid: guid(this.buf, defOff + 4), nodes };
      this.templates.set(defOff, t);
      return t;
    } finally {
      this.compiling.delete(defOff);
    }
  }

  private instanceValues(): Values {
    const count = this.u32();
    if (count * 4 > this.end - this.pos) this.fail(`template value count ${count} exceeds data`);
    // plain arrays: allocating three typed arrays per record cost more than the whole value walk
    const types: number[] = new Array(count);
    const offs: number[] = new Array(count);
    const sizes: number[] = new Array(count);
    let p = this.pos + count * 4;
    let nested: Array<Node[] | undefined> | null = null;
    for (let i = 0; i < count; i++) {
      const d = this.pos + i * 4;
      const size = this.buf.readUInt16LE(d);
      types[i] = this.buf[d + 2]!; // d + 4 <= this.pos + count * 4 <= this.end
      sizes[i] = size;
      offs[i] = p;
      p += size;
    }
    if (p > this.end) this.fail('template values run past record');
    this.pos = p;
    for (let i = 0; i < count; i++) {
      const size = sizes[i]!; // the three arrays were filled for every i < count above
      if (types[i] === T_BINXML && size > 0) {
        const off = offs[i]!;
        nested ??= [];
        nested[i] = this.parseDocument(off, off + size);
      }
    }
    return { buf: this.buf, types, offs, sizes, nested };
  }
}
