// The payload format of the rule cache's store: the same plain data v8.serialize keeps, written so
// that reading it back does little work per object. Node only.
//
// Why not v8.serialize: a warm load of SigmaHQ (3,951 rules) read a 19 MB payload of ~280k objects
// and ~326k strings, of which only ~64k are distinct and only 42 distinct key lists exist; v8's format
// writes every key and every string anew, and its reader internalizes each key and allocates each
// string: v8.deserialize took ~240 ms of CPU in a fresh process, a third to a half of it garbage
// collection. Here each distinct string is written and decoded once (a table; every use shares it),
// each distinct key list once (a shape), and an object of a shape used often is built by an object
// literal compiled for that shape, so V8 gives all of them one hidden class without a lookup per key.
// The same store is 11 MB in this format and decodes with 1.55-1.6× less CPU and half the collector's
// pauses (bench/store-decode.ts); a warm load of the corpus takes ~90 ms less. (Making v8's own format
// share empty arrays and turn positions into numbers made it slower: the count of objects is not what
// costs.) Writing costs more than v8's (~340-390 ms against ~110: the map of objects already met and
// the string table are JavaScript here), paid only by a run that changed the store.
//
// What it keeps: plain objects (key order exact, `undefined` values kept, a null prototype kept),
// dense arrays, Maps, strings (exact, lone surrogates included), numbers (-0, NaN, ±Infinity),
// booleans, null, undefined and bigints (a `cidr` value's network). An object met twice is one object
// again after decoding, as with v8 (positions are shared in parsed rules). What it refuses, by
// throwing from encodeStore so that the caller writes no store: a cycle (parsed rules have none, and
// the objects are built after their contents, so a cycle could not be rebuilt), class instances other
// than Map, sparse arrays or arrays with named properties, symbols, functions. decodeStore throws on
// any payload it did not write whole: a cut, a foreign or an altered payload never yields a value.

/** Starts every payload: a v8 payload or any other bytes are told apart before anything is read. */
const HEAD = Buffer.from('QSC1');

// One byte says what a value is; what follows depends on it.
const UNDEF = 0, NULL = 1, FALSE = 2, TRUE = 3, INT = 4, DOUBLE = 5, STR = 6, ARR = 7, OBJ = 8, MAP = 9, REF = 10, BIGINT = 11;
/** Added to an object's tag when it is met again later (REF then gives where its tag is). */
const SHARED = 0x10;
// How a string's bytes are written: latin1 (most: one byte a character, the cheapest to decode), UTF-8
// when it is well formed (Sigma texts with a few non-Latin characters), else UTF-16 (exact for anything).
const LATIN1 = 0, UTF8 = 1, UTF16 = 2;
/** A shape used at least this often gets a compiled literal; rarer ones (a rule's custom keys) are built key by key. */
const COMPILE_AT = 8;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const ONLY_LATIN1 = /^[\0-\xff]*$/;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** UTF-8 cannot carry half of a surrogate pair (it would come back as U+FFFD). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

class Writer {
  buf = Buffer.allocUnsafe(1 << 20);
  at = 0;
  room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }
  byte(b: number): void {
    this.room(1);
    this.buf[this.at++] = b;
  }
  /** An unsigned integer (up to 2^53), seven bits a byte, low bits first. */
  uint(n: number): void {
    this.room(8);
    while (n >= 0x80) {
      this.buf[this.at++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.at++] = n;
  }
  double(n: number): void {
    this.room(8);
    this.buf.writeDoubleLE(n, this.at);
    this.at += 8;
  }
  text(s: string, encoding: BufferEncoding, bytes: number): void {
    this.room(bytes);
    this.at += this.buf.write(s, this.at, bytes, encoding);
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

/** Why `value` cannot be encoded, as the error encodeStore throws. */
const refuse = (what: string): never => {
  throw new TypeError(`store codec: cannot encode ${what}`);
};

function kindOf(o: object): 'array' | 'map' | 'object' | 'null-object' {
  const proto = Object.getPrototypeOf(o);
  if (proto === Array.prototype && Array.isArray(o)) return 'array';
  if (proto === Map.prototype && o instanceof Map) return 'map';
  if (proto === Object.prototype) return 'object';
  if (proto === null) return 'null-object';
  const made = (proto as { constructor?: { name?: string; prototype?: unknown } }).constructor;
  // A class's instance, or an object whose prototype was set to another object (a YAML key `__proto__`).
  return refuse(made && made.prototype === proto ? `an instance of ${made.name || 'a class'}` : 'an object whose prototype is another object');
}

/** Encodes `value` (see the top of this file for what it may hold); throws on anything else. */
export function encodeStore(value: unknown): Buffer {
  const strings = new Map<string, number>();
  const shapes: Array<{ keys: string[]; nullProto: boolean; uses: number }> = [];
  /** Shapes by their keys, one key a level (a joined string could confuse keys holding the separator); END marks an id. */
  const shapeTree = { object: new Map<unknown, unknown>(), 'null-object': new Map<unknown, unknown>() };
  const END = {};
  /** Where each object met so far starts in `out`: met again, it is written as a reference to there. */
  const where = new Map<object, number>();
  /** The objects being written, outermost first: meeting one of them again inside itself is a cycle. */
  const open: object[] = [];
  const out = new Writer();

  const str = (s: string) => {
    let i = strings.get(s);
    if (i === undefined) strings.set(s, (i = strings.size));
    return i;
  };
  const shapeOf = (keys: string[], kind: 'object' | 'null-object') => {
    let node = shapeTree[kind];
    for (const k of keys) {
      let child = node.get(k) as Map<unknown, unknown> | undefined;
      if (!child) node.set(k, (child = new Map()));
      node = child;
    }
    let id = node.get(END) as number | undefined;
    if (id === undefined) {
      node.set(END, (id = shapes.length));
      shapes.push({ keys, nullProto: kind === 'null-object', uses: 0 });
      for (const k of keys) str(k); // into the table, which is written before the shapes
    }
    shapes[id]!.uses++;
    return id;
  };

  const write = (v: unknown): void => {
    switch (typeof v) {
      case 'string':
        out.byte(STR);
        return out.uint(str(v));
      case 'number':
        if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff && !Object.is(v, -0)) {
          out.byte(INT);
          return out.uint(v >= 0 ? v * 2 : -v * 2 - 1);
        }
        out.byte(DOUBLE);
        return out.double(v);
      case 'boolean':
        return out.byte(v ? TRUE : FALSE);
      case 'undefined':
        return out.byte(UNDEF);
      case 'bigint':
        out.byte(BIGINT);
        return out.uint(str(v.toString()));
      case 'object':
        if (v === null) return out.byte(NULL);
        return writeObject(v);
      default:
        return refuse(`a ${typeof v}`);
    }
  };
  const writeObject = (o: object): void => {
    const start = where.get(o);
    if (start !== undefined) {
      if (open.includes(o)) refuse('a cycle');
      // The first copy's tag is marked afterwards: the reader keeps only the objects so marked.
      out.buf[start] = out.buf[start]! | SHARED;
      out.byte(REF);
      return out.uint(start);
    }
    where.set(o, out.at);
    open.push(o);
    const kind = kindOf(o);
    if (kind === 'array') {
      const a = o as unknown[];
      // A hole would come back as undefined, a named property not at all; with both, the count of
      // keys could still match the length, hence the check of each undefined item too.
      if (Object.keys(a).length !== a.length) refuse('an array with named properties or holes');
      out.byte(ARR);
      out.uint(a.length);
      for (let i = 0; i < a.length; i++) {
        const x = a[i];
        if (x === undefined && !Object.hasOwn(a, i)) refuse('an array with holes');
        write(x);
      }
    } else if (kind === 'map') {
      const m = o as Map<unknown, unknown>;
      if (Object.keys(m).length > 0) refuse('a Map with properties');
      out.byte(MAP);
      out.uint(m.size);
      for (const [k, x] of m) {
        write(k);
        write(x);
      }
    } else {
      if (Object.getOwnPropertySymbols(o).length > 0) refuse('an object with symbol keys');
      const keys = Object.keys(o);
      out.byte(OBJ);
      out.uint(shapeOf(keys, kind));
      for (const k of keys) write((o as Record<string, unknown>)[k]);
    }
    open.pop();
  };
  write(value);

  const head = new Writer();
  head.text(HEAD.toString('latin1'), 'latin1', HEAD.length);
  // The strings: their count, each block's length, each string's length and kind (32 bits each, so
  // that the reader takes them as one typed array), then the bytes of all latin1 strings, of all UTF-8
  // ones and of all UTF-16 ones, each kind in one block: the reader decodes a block at once and slices it.
  const blocks: Array<{ encoding: BufferEncoding; texts: string[]; chars: number; bytes: number }> = [
    { encoding: 'latin1', texts: [], chars: 0, bytes: 0 },
    { encoding: 'utf8', texts: [], chars: 0, bytes: 0 },
    { encoding: 'utf16le', texts: [], chars: 0, bytes: 0 },
  ];
  const lengths = Buffer.allocUnsafe(strings.size * 4);
  let i = 0;
  for (const s of strings.keys()) {
    const kind = ONLY_LATIN1.test(s) ? LATIN1 : LONE_SURROGATE.test(s) ? UTF16 : UTF8;
    const block = blocks[kind]!;
    block.texts.push(s);
    block.chars += s.length;
    block.bytes += kind === UTF8 ? Buffer.byteLength(s, 'utf8') : kind === UTF16 ? s.length * 2 : s.length;
    if (s.length >= 2 ** 30) refuse('a string of a billion characters');
    lengths.writeUInt32LE(s.length * 3 + kind, 4 * i++);
  }
  head.uint(strings.size);
  for (const block of blocks) head.uint(block.chars);
  head.uint(blocks[UTF8]!.bytes);
  head.room(lengths.length + blocks.reduce((n, b) => n + b.bytes, 0) + (1 << 16)); // and the shapes, mostly: no doubling of 9 MB
  head.at += lengths.copy(head.buf, head.at);
  // Each string straight into the buffer: joined first, they were one more copy of the 9 MB of text.
  for (const { encoding, texts } of blocks) for (const t of texts) head.at += head.buf.write(t, head.at, encoding);
  head.uint(shapes.length);
  for (const { keys, nullProto, uses } of shapes) {
    head.uint(nullProto ? 1 : 0);
    head.uint(uses);
    head.uint(keys.length);
    for (const k of keys) head.uint(str(k));
  }
  return Buffer.concat([head.bytes(), out.bytes()]);
}

type Build = (read: () => unknown) => object;
/** Compiled literals by their keys (identifiers, joined by a comma no identifier holds): one compile a shape a process. */
const literals = new Map<string, Build>();

/** Builds objects of one shape: a compiled literal when worth it and safe, else key by key. */
function builder(keys: string[], nullProto: boolean, uses: number): Build {
  if (!nullProto && uses >= COMPILE_AT && keys.every((k) => IDENTIFIER.test(k) && k !== '__proto__')) {
    const name = keys.join(',');
    let build = literals.get(name);
    if (!build) {
      // The source holds nothing but identifiers checked above and calls: a store cannot inject code.
      // A literal's properties are evaluated in order, so `read` is called in the keys' order.
      build = new Function('read', `return { ${keys.map((k) => `${k}: read()`).join(', ')} };`) as Build;
      literals.set(name, build);
    }
    return build;
  }
  // Integer-like keys and `__proto__` stay exact: assigning `__proto__` would set the prototype.
  return (read) => {
    const o: Record<string, unknown> = nullProto ? Object.create(null) : {};
    for (const k of keys) {
      if (k === '__proto__') Object.defineProperty(o, k, { value: read(), writable: true, enumerable: true, configurable: true });
      else o[k] = read();
    }
    return o;
  };
}

/** The value `bytes` were encoded from by encodeStore; throws on anything else (cut, altered or foreign bytes). */
export function decodeStore(bytes: Uint8Array): unknown {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = buf.length;
  const fail = (why: string): never => {
    throw new Error(`store codec: not a whole payload (${why})`);
  };
  if (end < HEAD.length || !buf.subarray(0, HEAD.length).equals(HEAD)) fail('no header');
  let at = HEAD.length;
  const uint = (): number => {
    let b = buf[at++]!;
    if (b < 0x80) return b; // most: string and shape numbers, positions
    let n = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (b === undefined || i === 8) fail('cut short');
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
      b = buf[at++]!;
    }
  };
  /** A count of things each at least one byte long: more than the bytes left is a damaged payload, not a reason to loop. */
  const count = (): number => {
    const n = uint();
    return n > end - at ? fail('count past the end') : n;
  };

  // Each kind of string is one block decoded at once (see encodeStore) and each string a slice of it:
  // a slice of 13 characters or more is a small object pointing into the block, which is allocated
  // outside the young generation. Decoded one by one, the strings (8.8 MB of SigmaHQ's text) were
  // copied by every scavenge while the objects were being built. The loop over the 64k strings runs
  // before V8 has optimized it: few operations a string (lengths as one typed array) saved 8%. A slice
  // keeps its whole block alive; the parsed rules hold nearly all of it for as long anyway.
  const total = count();
  const chars = [uint(), uint(), uint()];
  const sizes = [chars[LATIN1]!, uint(), chars[UTF16]! * 2];
  if (total * 4 > end - at) fail('strings past the end');
  const lengths = new Uint32Array(total);
  if (LITTLE_ENDIAN) new Uint8Array(lengths.buffer).set(buf.subarray(at, at + total * 4));
  else for (let i = 0; i < total; i++) lengths[i] = buf.readUInt32LE(at + i * 4);
  at += total * 4;
  const [latin1, utf8, utf16] = (['latin1', 'utf8', 'utf16le'] as const).map((encoding, kind) => {
    if (sizes[kind]! > end - at) fail('strings past the end');
    const text = buf.toString(encoding, at, (at += sizes[kind]!));
    return text.length === chars[kind] ? text : fail('strings altered');
  }) as [string, string, string];
  const strings = new Array<string>(total);
  let in1 = 0;
  let in8 = 0;
  let in16 = 0;
  for (let i = 0; i < total; i++) {
    const h = lengths[i]!;
    const size = (h / 3) | 0;
    const kind = h - size * 3;
    strings[i] = kind === LATIN1 ? latin1.substring(in1, (in1 += size)) : kind === UTF8 ? utf8.substring(in8, (in8 += size)) : utf16.substring(in16, (in16 += size));
  }
  // substring stops at the end of its block: a length too long shows here.
  if (in1 !== latin1.length || in8 !== utf8.length || in16 !== utf16.length) fail('strings altered');
  const string = (): string => strings[uint()] ?? fail('no such string');

  const shapes: Build[] = [];
  for (let i = count(); i > 0; i--) {
    const flags = uint();
    const uses = uint();
    const keys: string[] = [];
    for (let j = count(); j > 0; j--) keys.push(string());
    if (flags > 1 || new Set(keys).size !== keys.length) fail('bad shape');
    shapes.push(builder(keys, flags === 1, uses));
  }

  /** Objects marked SHARED by where their tag is (from the values' start), for the REFs that follow. */
  const shared = new Map<number, object>();
  const base = at;
  /** Items of the longer arrays being read (nested ones above their parents'), copied out when complete. */
  const stack: unknown[] = [];
  let top = 0;
  const readArray = (): unknown[] => {
    // Exactly as long as it is: an array grown by push keeps room for 16 or more items, which for
    // SigmaHQ's 125k arrays (most of one to three items) was half the heap built.
    const n = count();
    if (n === 0) return [];
    if (n === 1) return [read()];
    if (n === 2) return [read(), read()];
    if (n === 3) return [read(), read(), read()];
    const from = top;
    for (let i = 0; i < n; i++) stack[top++] = read();
    const a = stack.slice(from, top);
    top = from;
    return a;
  };
  const readMap = (): Map<unknown, unknown> => {
    const n = count();
    const m = new Map<unknown, unknown>();
    for (let i = 0; i < n; i++) {
      const k = read();
      m.set(k, read());
    }
    return m.size === n ? m : fail('repeated Map key');
  };
  const readObject = (): object => (shapes[uint()] ?? fail('no such shape'))(read);
  const read = (): unknown => {
    switch (buf[at++]) {
      case STR:
        return string();
      case OBJ:
        return readObject();
      case ARR:
        return readArray();
      case MAP:
        return readMap();
      case OBJ | SHARED:
      case ARR | SHARED:
      case MAP | SHARED: {
        const start = at - 1;
        const tag = buf[start]! & ~SHARED;
        const o = tag === OBJ ? readObject() : tag === ARR ? readArray() : readMap();
        shared.set(start - base, o);
        return o;
      }
      case REF:
        return shared.get(uint()) ?? fail('no such shared object');
      case INT: {
        const z = uint();
        if (z > 0xffffffff) fail('integer out of range');
        return z & 1 ? -(z >>> 1) - 1 : z >>> 1;
      }
      case UNDEF:
        return undefined;
      case NULL:
        return null;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case DOUBLE: {
        if (at + 8 > end) fail('cut short');
        const d = buf.readDoubleLE(at);
        at += 8;
        return d;
      }
      case BIGINT: {
        const s = string();
        return /^-?\d+$/.test(s) ? BigInt(s) : fail('bad bigint');
      }
      default:
        return fail('unknown tag or cut short');
    }
  };
  const value = read();
  if (at !== end) fail('bytes after the value');
  return value;
}
