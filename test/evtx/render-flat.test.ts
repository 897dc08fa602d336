// render-flat.ts against the definition it replaces, normalizeEvent(renderJson(nodes)), on records
// built as node trees: the usual Windows shapes and thousands of seeded mutations of them (renamed
// and repeated elements, names an object orders first, Data named Data, text in odd places, null,
// list and nested binary XML values, templates anywhere), and records beyond the render budget or
// the depth limit. Same flat event (keys in the same order, values exact), same hidden `Event`, or
// the same error. The EVTX samples are compared record by record in render-flat-samples.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeEvent } from '../../src/sources/flatten.js';
import { K_CDATA, K_CHARREF, K_ELEMENT, K_ENTITY, K_PI, K_SUBST, K_TEMPLATE, K_TEXT, type ElementNode, type Node, type Values } from '../../src/sources/evtx/nodes.js';
import { renderFlat, renderFlatStats } from '../../src/sources/evtx/render-flat.js';
import { renderJson } from '../../src/sources/evtx/render-json.js';
import type { LogEvent } from '../../src/sources/types.js';
import { rng } from '../seeded-random.js';

const exact = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));

/** Both ways on one record: the same event, or the same error. */
function assertSame(nodes: Node[], what: string): 'same' | 'error' {
  let want: LogEvent | undefined;
  let wantError: string | undefined;
  try {
    want = normalizeEvent(renderJson(nodes, null) as LogEvent);
  } catch (e) {
    wantError = (e as Error).message;
  }
  let got: ReturnType<typeof renderFlat> | undefined;
  let gotError: string | undefined;
  try {
    got = renderFlat(nodes);
  } catch (e) {
    gotError = (e as Error).message;
  }
  assert.equal(gotError, wantError, `${what}: error`);
  if (wantError !== undefined) return 'error';
  const flat = got!.flat;
  assert.equal(exact(flat), exact(want), `${what}: fields`);
  assert.deepStrictEqual(flat, want, `${what}: values`);
  assert.deepStrictEqual(Object.keys(flat), Object.keys(want!), `${what}: key order`);
  const hidden = Object.getOwnPropertyDescriptor(want, 'Event');
  assert.equal(got!.nested, hidden !== undefined && !hidden.enumerable, `${what}: nested`);
  // the old way keeps its nested form; the direct way leaves it to nested-event.ts
  const own = Object.getOwnPropertyDescriptor(flat, 'Event');
  if (own && !own.enumerable) assert.equal(exact(own.value), exact(hidden!.value), `${what}: nested Event`);
  return 'same';
}

// ---- records as small trees: elements, text, typed values, templates, nested binary XML ----

type Val =
  | ['str', string] | ['u8', number] | ['u16', number] | ['u32', number] | ['u64', bigint] | ['i8', number] | ['bool', boolean]
  | ['strs', string[]] | ['u16s', number[]] | ['null'] | ['guid'] | ['ft'] | ['f32', number] | ['sid'] | ['hex64'] | ['bin'] | ['oob'];
type Part = { t: string } | { v: Val } | { ref: number } | { ent: string };
type Item = El | Part | { tpl: Item[] } | { binxml: Item[] } | { pi: string } | { cdata: string };
interface El { el: string; attrs: Array<[string, Part[]]>; kids: Item[] | null }

class ValuesBuilder {
  readonly types: number[] = [];
  readonly offs: number[] = [];
  readonly sizes: number[] = [];
  readonly nested: Array<Node[] | undefined> = [];
  private readonly bytes: Buffer[] = [];
  private pos = 0;

  add(type: number, bytes: Buffer, nested?: Node[]): number {
    this.types.push(type);
    this.offs.push(this.pos);
    this.sizes.push(bytes.length);
    this.nested.push(nested);
    this.bytes.push(bytes);
    this.pos += bytes.length;
    return this.types.length - 1;
  }

  values(): Values {
    return { buf: Buffer.concat(this.bytes), types: this.types, offs: this.offs, sizes: this.sizes, nested: this.nested };
  }
}

function valueBytes(v: Val): [number, Buffer] {
  const b = (n: number, w: (buf: Buffer) => void) => { const buf = Buffer.alloc(n); w(buf); return buf; };
  switch (v[0]) {
    case 'str': return [0x01, Buffer.from(v[1] + '\0', 'utf16le')];
    case 'u8': return [0x04, Buffer.from([v[1]])];
    case 'u16': { const x = v[1]; return [0x06, b(2, (buf) => buf.writeUInt16LE(x))]; }
    case 'u32': { const x = v[1]; return [0x08, b(4, (buf) => buf.writeUInt32LE(x))]; }
    case 'u64': { const x = v[1]; return [0x0a, b(8, (buf) => buf.writeBigUInt64LE(x))]; }
    case 'i8': { const x = v[1]; return [0x03, b(1, (buf) => buf.writeInt8(x))]; }
    case 'bool': return [0x0d, b(4, (buf) => buf.writeUInt32LE(v[1] ? 1 : 0))];
    case 'strs': return [0x81, Buffer.from(v[1].map((s) => s + '\0').join(''), 'utf16le')];
    case 'u16s': { const xs = v[1]; return [0x86, b(xs.length * 2, (buf) => xs.forEach((x, i) => buf.writeUInt16LE(x, i * 2)))]; }
    case 'null': return [0x00, Buffer.alloc(0)];
    case 'guid': return [0x0f, Buffer.from('33221100554477668899aabbccddeeff', 'hex')];
    case 'ft': return [0x11, Buffer.from('00c6d1a0d5a8d701', 'hex')];
    case 'f32': { const x = v[1]; return [0x0b, b(4, (buf) => buf.writeFloatLE(x))]; }
    case 'sid': return [0x13, Buffer.from('010500000000000515000000010000000200000003000000e9030000', 'hex')];
    case 'hex64': return [0x15, Buffer.from('0000000000000080', 'hex')];
    case 'bin': return [0x0e, Buffer.from('00ff10', 'hex')];
    case 'oob': return [0x01, Buffer.alloc(0)]; // not added: see compile
  }
}

function compile(items: Item[], vb: ValuesBuilder): Node[] {
  return items.map((it): Node => {
    if ('el' in it) {
      const el: ElementNode = {
        k: K_ELEMENT, name: it.el, attrs: it.attrs.map(([name, parts]) => ({ name, parts: compile(parts, vb) })),
        children: it.kids && compile(it.kids, vb), xml: undefined, flat: undefined,
      };
      return el;
    }
    if ('t' in it) return { k: K_TEXT, text: it.t };
    if ('cdata' in it) return { k: K_CDATA, text: it.cdata };
    if ('ref' in it) return { k: K_CHARREF, code: it.ref };
    if ('ent' in it) return { k: K_ENTITY, name: it.ent };
    if ('pi' in it) return { k: K_PI, target: it.pi, data: '' };
    if ('v' in it) {
      if (it.v[0] === 'oob') return { k: K_SUBST, index: 9999, type: 1, optional: false };
      const [type, bytes] = valueBytes(it.v);
      return { k: K_SUBST, index: vb.add(type, bytes), type, optional: false };
    }
    if ('binxml' in it) {
      const nested = compile(it.binxml, vb); // nested binary XML refers to the values of its instance
      return { k: K_SUBST, index: vb.add(0x21, Buffer.alloc(1), nested), type: 0x21, optional: false };
    }
    const inner = new ValuesBuilder();
    const nodes = compile(it.tpl, inner);
    return { k: K_TEMPLATE, template: { offset: 0, guid: '', nodes }, values: inner.values() };
  });
}

/** A record: one template instance holding the items, as Windows writes them. */
function record(items: Item[]): Node[] {
  return compile([{ tpl: items }], new ValuesBuilder());
}

const el = (name: string, attrs: Array<[string, Part[]]>, kids: Item[] | null): El => ({ el: name, attrs, kids });
const v = (x: Val): Part => ({ v: x });

function system(channel = 'Security'): El {
  return el('System', [], [
    el('Provider', [['Name', [{ t: 'Microsoft-Windows-Security-Auditing' }]], ['Guid', [v(['guid'])]]], null),
    el('EventID', [['Qualifiers', [v(['null'])]]], [v(['u16', 4688])]),
    el('Version', [], [v(['u8', 2])]),
    el('Level', [], [v(['u8', 0])]),
    el('Task', [], [v(['u16', 13312])]),
    el('Opcode', [], [v(['u8', 0])]),
    el('Keywords', [], [v(['hex64'])]),
    el('TimeCreated', [['SystemTime', [v(['ft'])]]], null),
    el('EventRecordID', [], [v(['u64', 1234n])]),
    el('Correlation', [['ActivityID', [v(['null'])]]], null),
    el('Execution', [['ProcessID', [v(['u32', 4])]], ['ThreadID', [v(['u32', 88])]]], null),
    el('Channel', [], [{ t: channel }]),
    el('Computer', [], [v(['str', 'host.example'])]),
    el('Security', [['UserID', [v(['sid'])]]], null),
  ]);
}

function eventData(): El {
  return el('EventData', [], [
    el('Data', [['Name', [{ t: 'SubjectUserName' }]]], [v(['str', 'alice  '])]),
    el('Data', [['Name', [{ t: 'NewProcessName' }]]], [v(['str', 'C:\\Windows\\cmd.exe'])]),
    el('Data', [['Name', [{ t: 'ProcessId' }]]], [v(['hex64'])]),
    el('Data', [['Name', [{ t: 'CommandLine' }]]], [v(['null'])]),
    el('Data', [], [v(['str', 'unnamed'])]),
    el('Data', [], [v(['u16', 7])]),
    el('Binary', [], [v(['bin'])]),
  ]);
}

function userData(): El {
  return el('UserData', [], [
    el('LogFileCleared', [['xmlns', [{ t: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog' }]]], [
      el('SubjectUserSid', [], [v(['sid'])]),
      el('SubjectUserName', [], [v(['str', 'bob'])]),
      el('Channel', [], [{ t: 'Security' }]),
      el('Nested', [], [el('Deeper', [['a', [{ t: '1' }]]], [{ t: 'x' }])]),
    ]),
  ]);
}

function usual(rand: () => number): El {
  const kids: Item[] = [system()];
  const r = rand();
  if (r < 0.6) kids.push(eventData());
  else if (r < 0.9) kids.push(userData());
  else kids.push(eventData(), userData());
  if (rand() < 0.2) kids.push(el('RenderingInfo', [['Culture', [{ t: 'en-US' }]]], [el('Message', [], [{ t: 'text' }])]));
  return el('Event', [['xmlns', [{ t: 'http://schemas.microsoft.com/win/2004/08/events/event' }]]], kids);
}

const NAMES = ['Event', 'System', 'EventData', 'UserData', 'Data', 'Provider', 'EventID', 'Correlation', 'Security', 'Execution', 'TimeCreated',
  'Channel', 'Name', 'X', 'Y', '1a', '7', '#text', '#attributes', '__proto__', 'X_attributes', 'Data_1', 'EventRecordID', 'Binary', 'RenderingInfo', 'Event_1'];
const ATTRS = ['Name', 'Name', 'Qualifiers', 'SystemTime', 'ProcessID', 'ThreadID', 'UserID', 'ActivityID', 'a', '1', '__proto__', 'xmlns'];
const FIELD_NAMES = ['X', 'Y', 'Data', '1', '#text', '__proto__', 'X_attributes', 'Channel', 'EventID', 'X_1', 'Event', 'Provider_Name', ''];

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

function randomValue(rand: () => number): Val {
  const vals: Val[] = [
    ['str', pick(rand, FIELD_NAMES)], ['str', ''], ['str', 'a b  '], ['u8', 5], ['u16', 4624], ['u64', 2n ** 60n], ['u64', 9n], ['i8', -3],
    ['bool', true], ['strs', ['a', 'b']], ['strs', []], ['u16s', [1, 2]], ['null'], ['guid'], ['ft'], ['f32', 0.1], ['sid'], ['hex64'], ['bin'], ['oob'],
  ];
  return pick(rand, vals);
}

function randomParts(rand: () => number): Part[] {
  const one = (): Part => {
    const r = rand();
    if (r < 0.4) return { t: pick(rand, FIELD_NAMES) };
    if (r < 0.85) return v(randomValue(rand));
    if (r < 0.93) return { ref: 65 };
    return { ent: 'amp' };
  };
  return rand() < 0.8 ? [one()] : [one(), one()];
}

function randomItem(rand: () => number, depth: number): Item {
  const r = rand();
  if (r < 0.25) return { t: pick(rand, FIELD_NAMES) };
  if (r < 0.5) return v(randomValue(rand));
  if (r < 0.55) return { cdata: 'c' };
  if (r < 0.58) return { pi: 'p' };
  if (depth > 2) return v(['str', 'leaf']);
  const e = el(pick(rand, NAMES), rand() < 0.3 ? [[pick(rand, ATTRS), randomParts(rand)]] : [], rand() < 0.2 ? null : [randomItem(rand, depth + 1)]);
  if (r < 0.85) return e;
  if (r < 0.93) return { tpl: [e] };
  return { binxml: [e] };
}

/** Every element of the tree, with its parent's child list (for the mutations). */
function elements(items: Item[], out: Array<{ el: El; list: Item[]; at: number }> = []): Array<{ el: El; list: Item[]; at: number }> {
  items.forEach((it, at) => {
    if ('el' in it) {
      out.push({ el: it, list: items, at });
      if (it.kids) elements(it.kids, out);
    } else if ('tpl' in it) elements(it.tpl, out);
    else if ('binxml' in it) elements(it.binxml, out);
  });
  return out;
}

function mutate(root: Item[], rand: () => number): void {
  const all = elements(root);
  const { el: e, list, at } = pick(rand, all);
  switch (Math.floor(rand() * 13)) {
    case 0: e.el = pick(rand, NAMES); break;
    case 1: e.attrs.push([pick(rand, ATTRS), randomParts(rand)]); break;
    case 2: e.attrs.splice(Math.floor(rand() * e.attrs.length), 1); break;
    case 3: if (e.attrs.length) pick(rand, e.attrs)[1] = [v(['null'])]; break;
    case 4: (e.kids ??= []).splice(Math.floor(rand() * (e.kids.length + 1)), 0, randomItem(rand, 0)); break;
    case 5: e.kids?.splice(Math.floor(rand() * e.kids.length), 1); break;
    case 6: list.splice(at + 1, 0, structuredClone(e)); break;
    case 7: if (e.kids && e.kids.length > 1) e.kids.reverse(); break;
    case 8: list[at] = { tpl: [e] }; break;
    case 9: list[at] = { binxml: [e] }; break;
    case 10: if (e.kids?.length) e.kids[Math.floor(rand() * e.kids.length)] = v(randomValue(rand)); break;
    case 11: e.kids = rand() < 0.5 ? null : []; break;
    default: e.attrs.push(['Name', [v(randomValue(rand))]]); break;
  }
}

test('the usual shapes: the same flat event as normalizeEvent(renderJson(...)), written directly', () => {
  const before = { ...renderFlatStats };
  const rand = rng(7);
  for (let i = 0; i < 40; i++) assert.equal(assertSame(record([usual(rand)]), `usual ${i}`), 'same');
  // an Event element found through a template and through nested binary XML
  assertSame(record([{ tpl: [{ binxml: [usual(rand)] }] }]), 'nested');
  assert.equal(renderFlatStats.direct - before.direct, 41, 'all written directly');
  assert.equal(renderFlatStats.old, before.old);
});

test('seeded mutations of the usual shapes: the same flat event, or the same error', { timeout: 120_000 }, () => {
  const rand = rng(0xf1a7);
  const before = { ...renderFlatStats };
  let errors = 0;
  for (let i = 0; i < 6000; i++) {
    const root: Item[] = [usual(rand)];
    const n = 1 + Math.floor(rand() * 4);
    for (let k = 0; k < n; k++) mutate(root, rand);
    if (assertSame(record(root), `seed 0xf1a7 record ${i}`) === 'error') errors++;
  }
  const direct = renderFlatStats.direct - before.direct;
  // most mutations leave a shape the walk follows; the others are rendered the old way
  assert.ok(direct > 3000, `only ${direct} of 6000 written directly`);
  assert.ok(renderFlatStats.old - before.old > 500, 'the old way was exercised');
  assert.equal(errors, 0);
});

test('an element shared by records in different roles (templates are reused): each role its own plan', () => {
  const shared = compile([el('Channel', [['Name', [{ t: 'N' }]]], [{ t: 'x' }])], new ValuesBuilder())[0]!;
  const sys = compile([system()], new ValuesBuilder())[0] as ElementNode;
  const data = compile([eventData()], new ValuesBuilder())[0] as ElementNode;
  sys.children!.push(shared);
  data.children!.push(shared);
  const ev = (kids: Node[]): Node[] => [{ k: K_ELEMENT, name: 'Event', attrs: [], children: kids, xml: undefined, flat: undefined }];
  for (let i = 0; i < 2; i++) {
    assertSame(ev([sys, data]), `System and EventData ${i}`);
    assertSame(ev([sys]), `System ${i}`);
  }
});

/** A template instance that renders as `fan ** levels` text nodes (templates nest without copying). */
function fanOut(fan: number, levels: number): Node {
  let n: Node = { k: K_TEXT, text: 'a' };
  const values: Values = { buf: Buffer.alloc(0), types: [], offs: [], sizes: [], nested: null };
  for (let i = 0; i < levels; i++) n = { k: K_TEMPLATE, template: { offset: 0, guid: '', nodes: new Array<Node>(fan).fill(n) }, values };
  return n;
}

/** A chain of `levels` templates, one inside the other, around `inner`. */
function deep(levels: number, inner: Node): Node {
  let n = inner;
  const values: Values = { buf: Buffer.alloc(0), types: [], offs: [], sizes: [], nested: null };
  for (let i = 0; i < levels; i++) n = { k: K_TEMPLATE, template: { offset: 0, guid: '', nodes: [n] }, values };
  return n;
}

test('the render budget and the depth limit: reached in the same places, with the same outcome', () => {
  const element = (name: string, children: Node[]): ElementNode => ({ k: K_ELEMENT, name, attrs: [], children, xml: undefined, flat: undefined });
  const named = (name: string, children: Node[]): ElementNode =>
    ({ k: K_ELEMENT, name: 'Data', attrs: [{ name: 'Name', parts: [{ k: K_TEXT, text: name }] }], children, xml: undefined, flat: undefined });
  /** <Event><System>..</System> + payload, with `systemExtra` appended to System's children */
  const event = (payload: Node[], systemExtra: Node[] = []): Node[] => {
    const sys = compile([system()], new ValuesBuilder())[0] as ElementNode;
    sys.children!.push(...systemExtra);
    return [element('Event', [sys, ...payload])];
  };
  const text: Node = { k: K_TEXT, text: 'x' };
  const cases: Array<[string, Node[], 'same' | 'error']> = [
    ['over budget in an element that is no field', event([element('RenderingInfo', [fanOut(10, 6)])]), 'error'],
    ['over budget in a System element', event([], [element('Extra', [fanOut(10, 6)])]), 'error'],
    ['over budget in a Data element', event([element('EventData', [named('X', [fanOut(10, 6)])])]), 'error'],
    ['just under budget, in an element that is no field', event([element('RenderingInfo', [fanOut(10, 5)])]), 'same'],
    ['under budget twice: over', event([element('RenderingInfo', [fanOut(10, 5), fanOut(10, 5)])]), 'error'],
    ['under budget as text of a field', event([element('EventData', [named('X', [fanOut(10, 5)])])]), 'same'],
    ['deeper than the depth limit: dropped', event([element('EventData', [named('Y', [text]), deep(130, named('X', [text]))])]), 'same'],
    ['just within the depth limit', event([element('EventData', [named('Y', [text]), deep(120, named('X', [text]))])]), 'same'],
    ['deep text of a System element', event([], [element('Deep', [deep(126, text)])]), 'same'],
  ];
  for (const [what, nodes, outcome] of cases) assert.equal(assertSame(nodes, what), outcome, what);
  // renderJson's depth limit is where the direct walk stops too (not one level off either way)
  for (let levels = 118; levels <= 128; levels++) {
    const flat: LogEvent = renderFlat(event([element('EventData', [named('Y', [text]), deep(levels, named('X', [text]))])])).flat;
    assertSame(event([element('EventData', [named('Y', [text]), deep(levels, named('X', [text]))])]), `depth ${levels}`);
    if (levels === 118) assert.equal(flat.X, 'x');
    if (levels === 128) assert.equal(flat.X, undefined);
  }
});

test('the render budget to the node: a field read first as text, then as an object, spends what renderJson spends', () => {
  const element = (name: string, children: Node[]): ElementNode => ({ k: K_ELEMENT, name, attrs: [], children, xml: undefined, flat: undefined });
  const text: Node = { k: K_TEXT, text: 'x' };
  const values: Values = { buf: Buffer.alloc(0), types: [], offs: [], sizes: [], nested: null };
  // a payload field whose first children are text: the walk reads them as text, then meets the element
  const field = element('Field', [text, text, text, element('Inner', [text])]);
  const withFiller = (n: number): Node[] => {
    const sys = compile([system()], new ValuesBuilder())[0] as ElementNode;
    const filler: Node = { k: K_TEMPLATE, template: { offset: 0, guid: '', nodes: new Array<Node>(n).fill(text) }, values };
    return [element('Event', [sys, element('EventData', [field]), element('RenderingInfo', [filler])])];
  };
  const fits = (n: number) => {
    try {
      renderJson(withFiller(n), null);
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0, hi = 200_000; // fits(lo), not fits(hi)
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  // A walk that spent less would render records renderJson cannot; one that spent more would send
  // them the old way (same event, more time): the last record that fits is still written directly.
  const direct = renderFlatStats.direct;
  assert.equal(assertSame(withFiller(lo), `${lo} filler nodes`), 'same');
  assert.equal(renderFlatStats.direct, direct + 1, 'written directly');
  assert.equal(assertSame(withFiller(hi), `${hi} filler nodes`), 'error');
});

test('unnamed Data values that are lists: the first is the Data list, the later ones its items', () => {
  const data = (...vals: Val[]): El => el('EventData', [], vals.map((x) => el('Data', [], [v(x)])));
  const cases: Array<[string, El]> = [
    ['a list first', data(['strs', ['a', 'b']], ['str', 'c'], ['u16s', [1, 2]])],
    ['a list later', data(['str', 'c'], ['strs', ['a', 'b']], ['str', 'd'])],
    ['an empty list first', data(['strs', []], ['str', 'c'])],
    ['an empty list alone', data(['strs', []])],
    ['an empty list then named', el('EventData', [], [el('Data', [], [v(['strs', []])]), el('Data', [['Name', [{ t: 'N' }]]], [{ t: 'n' }]), el('Data', [], [{ t: 'm' }])])],
    ['no value', data(['null'], ['null'])],
  ];
  for (const [what, payload] of cases) {
    assertSame(record([el('Event', [], [system(), payload])]), what);
    // and after an EventData that made Data: UserData's unnamed Data go to the same list
    assertSame(record([el('Event', [], [system(), data(['str', 'z']), el('UserData', [], [el('Inner', [], payload.kids)])])]), `${what}, in UserData`);
  }
});
