// Hand-built binary XML exercising every token and every substitution value type, so support
// does not depend on what the sample files happen to contain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChunk } from '../../src/sources/evtx/index.js';
import { crc32 } from '../../src/sources/evtx/crc32.js';

/** Writes binary XML at chunk offset `base`; names are stored inline, as Windows does the first time. */
class W {
  bytes: number[] = [];
  constructor(readonly base: number) {}
  get pos(): number { return this.base + this.bytes.length; }
  u8(...v: number[]) { this.bytes.push(...v.map((x) => x & 0xff)); return this; }
  u16(v: number) { return this.u8(v, v >> 8); }
  u32(v: number) { return this.u8(v, v >> 8, v >> 16, v >>> 24); }
  raw(b: Buffer | number[]) { this.bytes.push(...b); return this; }
  str(s: string) { return this.u16(s.length).raw(Buffer.from(s, 'utf16le')); }
  name(s: string) { this.u32(this.pos + 4); return this.u32(0).u16(0).str(s).u16(0); }
  open(name: string, attrs = false) { return this.u8(attrs ? 0x41 : 0x01).u16(0xffff).u32(0).name(name); }
  attr(name: string, more = false) { return this.u8(more ? 0x46 : 0x06).name(name); }
  text(s: string) { return this.u8(0x05, 0x01).str(s); }
  sub(i: number, type: number, optional = false) { return this.u8(optional ? 0x0e : 0x0d).u16(i).u8(type); }
}

const FT = Buffer.from('00c6d1a0d5a8d701', 'hex'); // 2021-09-... FILETIME
function chunkWith(record: (w: W) => void): Buffer {
  const buf = Buffer.alloc(65536);
  buf.write('ElfChnk\0', 0, 'latin1');
  const w = new W(512 + 24);
  record(w);
  const size = 24 + w.bytes.length + 4;
  buf.writeUInt32LE(0x2a2a, 512);
  buf.writeUInt32LE(size, 516);
  buf.writeBigUInt64LE(7n, 520);
  FT.copy(buf, 528);
  Buffer.from(w.bytes).copy(buf, 536);
  buf.writeUInt32LE(size, 512 + size - 4);
  buf.writeUInt32LE(512, 44);
  buf.writeUInt32LE(512 + size, 48);
  buf.writeUInt32LE(crc32(buf, 512, 512 + size), 52);
  buf.writeUInt32LE(crc32(buf, 128, 512, crc32(buf, 0, 120)), 124);
  return buf;
}

function parse(buf: Buffer) {
  const r = parseChunk(buf, { file: 't', chunk: 0, offset: 4096, expected: true, json: true, xml: true });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.records.length, 1);
  return r.records[0]!;
}

test('tokens: attributes, text, char/entity refs, CDATA, PI, nested and empty elements', () => {
  const rec = parse(chunkWith((w) => {
    w.u8(0x0f, 1, 1, 0);
    w.open('Event', true).u32(0).attr('a', true).text('x').u8(0x48).u16(0x41).attr('b').u8(0x09).name('amp');
    w.u8(0x02);
    w.open('T').u8(0x02).u8(0x45, 0x01).str('1 ').u8(0x48).u16(60).u8(0x49).name('gt').text(' 2').u8(0x04);
    w.open('C').u8(0x02).u8(0x07).str('<raw>').u8(0x04);
    w.u8(0x0a).name('pi-target').u8(0x0b).str('some data');
    w.open('Empty').u8(0x03);
    w.u8(0x04, 0x00);
  }));
  assert.equal(rec.recordId, 7);
  assert.match(rec.timestamp, /^2021-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.deepStrictEqual(rec.event, { Event: { '#attributes': { a: 'xA', b: '&' }, T: '1 <> 2', C: '<raw>', Empty: null } });
  assert.equal(rec.xml,
    '<Event a="x&#65;" b="&amp;">\n  <T>1 &#60;&gt; 2</T>\n  <C><![CDATA[<raw>]]></C>\n  <?pi-target some data?>\n  <Empty/>\n</Event>\n');
});

test('substitutions: every value type, arrays, NULL optional values and nested binary XML', () => {
  const guid = Buffer.from('33221100554477668899aabbccddeeff', 'hex');
  const sid = Buffer.from('0105000000000005150000000100000002000000', 'hex');
  const st = Buffer.alloc(16);
  [2020, 7, 3, 15, 19, 39, 14, 477].forEach((v, i) => st.writeUInt16LE(v, i * 2));
  const f32 = Buffer.alloc(4); f32.writeFloatLE(0.1);
  const f64 = Buffer.alloc(8); f64.writeDoubleLE(-2.5);
  const i64 = Buffer.alloc(8); i64.writeBigInt64LE(-5n);
  const u64 = Buffer.alloc(8); u64.writeBigUInt64LE(1234567890123n);
  const values: Array<[string, number, Buffer]> = [
    ['S', 0x01, Buffer.from('hi  \0', 'utf16le')],
    ['A', 0x02, Buffer.from('ansi\0', 'latin1')],
    ['I8', 0x03, Buffer.from([0xfe])],
    ['U8', 0x04, Buffer.from([0xfe])],
    ['I16', 0x05, Buffer.from([0xfe, 0xff])],
    ['U16', 0x06, Buffer.from([0xfe, 0xff])],
    ['I32', 0x07, Buffer.from([0xfe, 0xff, 0xff, 0xff])],
    ['U32', 0x08, Buffer.from([0xfe, 0xff, 0xff, 0xff])],
    ['I64', 0x09, i64],
    ['U64', 0x0a, u64],
    ['F32', 0x0b, f32],
    ['F64', 0x0c, f64],
    ['Bool', 0x0d, Buffer.from([2, 0, 0, 0])],
    ['Bin', 0x0e, Buffer.from([0xde, 0xad, 0x01])],
    ['Guid', 0x0f, guid],
    ['Size', 0x10, Buffer.from([0x10, 0x27, 0, 0, 0, 0, 0, 0])],
    ['FT', 0x11, FT],
    ['ST', 0x12, st],
    ['Sid', 0x13, sid],
    ['H32', 0x14, Buffer.from([0xe7, 0x03, 0, 0])],
    ['H64', 0x15, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80])],
    ['SArr', 0x81, Buffer.from('a\0bc\0', 'utf16le')],
    ['U16Arr', 0x86, Buffer.from([1, 0, 2, 0])],
    ['Null', 0x00, Buffer.alloc(0)],
  ];
  const rec = parse(chunkWith((w) => {
    w.u8(0x0f, 1, 1, 0);
    w.u8(0x0c, 0x01).u32(1).u32(w.pos + 4);
    const body = new W(w.pos + 24);
    body.u8(0x0f, 1, 1, 0).open('Event').u8(0x02).open('EventData').u8(0x02);
    values.forEach(([n, t], i) => {
      body.open('Data', true).u32(0).attr('Name').text(n).u8(0x02).sub(i, t, n === 'Null').u8(0x04);
    });
    body.u8(0x04); // </EventData>
    body.open('X').u8(0x02).sub(values.length, 0x21).u8(0x04);
    body.u8(0x04, 0x00);
    w.u32(0).raw(Buffer.alloc(16, 0xab)).u32(body.bytes.length).raw(body.bytes);
    // the nested binary XML value: an element without a dependency id (MS-EVEN6 layout)
    const count = values.length + 1;
    const dataStart = w.pos + 4 + count * 4;
    const sizes = values.map(([, , b]) => b.length);
    const nestedAt = dataStart + sizes.reduce((a, b) => a + b, 0);
    const inner = new W(nestedAt);
    inner.u8(0x01).u32(0).name('Inner').u8(0x02).text('deep').u8(0x04, 0x00);
    w.u32(count);
    values.forEach(([, t, b]) => w.u16(b.length).u8(t, 0));
    w.u16(inner.bytes.length).u8(0x21, 0);
    values.forEach(([, , b]) => w.raw(b));
    w.raw(inner.bytes);
    w.u8(0x00);
  }));
  const ed = (rec.event.Event as Record<string, Record<string, unknown>>).EventData;
  assert.deepStrictEqual(ed, {
    S: 'hi', A: 'ansi', I8: -2, U8: 254, I16: -2, U16: 65534, I32: -2, U32: 4294967294,
    I64: -5, U64: 1234567890123, F32: 0.1, F64: -2.5, Bool: true, Bin: 'DEAD01',
    Guid: '00112233-4455-6677-8899-AABBCCDDEEFF', Size: '0x2710', FT: rec.timestamp,
    ST: '2020-07-15T19:39:14.477Z', Sid: 'S-1-5-21-1-2', H32: '0x3e7', H64: '0x8000000000000000',
    SArr: ['a', 'bc'], U16Arr: [1, 2], Null: null,
  });
  assert.deepStrictEqual((rec.event.Event as Record<string, unknown>).X, { Inner: 'deep' });
  const xml = rec.xml!;
  assert.match(xml, /<Data Name="S">hi  <\/Data>/);
  assert.match(xml, /<Data Name="Guid">\{00112233-4455-6677-8899-AABBCCDDEEFF\}<\/Data>/);
  assert.match(xml, /<Data Name="SArr">a<\/Data>\n\s*<Data Name="SArr">bc<\/Data>/);
  assert.match(xml, /<Data Name="Bool">true<\/Data>/);
  assert.match(xml, /<Data Name="U64">1234567890123<\/Data>/);
  assert.doesNotMatch(xml, /Name="Null"/); // optional substitution with a NULL value: not created
  assert.match(xml, /<X>\n\s*<Inner>deep<\/Inner>\n\s*<\/X>/);
});
