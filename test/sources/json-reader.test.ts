import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readJsonEvents } from '../../src/sources/json-reader.js';
import { chunked, readAll, readText } from './helpers.js';
import { firstItems } from '../items.js';

const lines = (r: { records: { location: { line?: number } }[] }) => r.records.map((x) => x.location.line);

test('NDJSON: one record a line, blank lines and CRLF tolerated', async () => {
  const r = await readText('{"a":1}\r\n\r\n{"a":2}\n   {"a":3}  \n{"a":"é€😀"}');
  assert.deepEqual(r.records.map((x) => x.event.a), [1, 2, 3, 'é€😀']);
  assert.deepEqual(lines(r), [1, 3, 4, 5]);
  assert.deepEqual(r.records.map((x) => x.location.record), [1, 2, 3, 4]);
  assert.deepEqual(r.problems, []);
});

test('concatenated pretty-printed objects, and several on one line', async () => {
  const text = '{\n  "a": {\n    "b": [1, {"c": "}{"}]\n  }\n}\n{\n  "a": 2\n}{"a":3} {"a":4}\n\n{"a":\n5}';
  const r = await readText(text);
  assert.deepEqual(r.records.map((x) => x.event.a), [{ b: [1, { c: '}{' }] }, 2, 3, 4, 5]);
  assert.deepEqual(lines(r), [1, 6, 8, 8, 10]);
  assert.deepEqual(r.problems, []);
});

test('top-level arrays: compact, pretty, and two in a row', async () => {
  const compact = await readText('[{"a":1},{"a":2}, {"a":3}]');
  assert.deepEqual(compact.records.map((x) => x.event.a), [1, 2, 3]);
  assert.deepEqual(lines(compact), [1, 1, 1]);
  const pretty = await readText(JSON.stringify([{ a: 1 }, { a: { b: 2 } }, { a: 3 }], null, 2) + '\n[{"a":4}]');
  assert.deepEqual(pretty.records.map((x) => x.event.a), [1, { b: 2 }, 3, 4]);
  assert.deepEqual(lines(pretty), [2, 5, 10, 14]);
  assert.deepEqual(pretty.problems, []);
  const empty = await readText('[]\n[ ]');
  assert.equal(empty.records.length, 0);
  assert.deepEqual(empty.problems, []);
});

test('array elements that are not objects are reported, the rest read', async () => {
  const r = await readText('[{"a":1}, 2, "x", [3, {"b":4}], null, {"a":5}]');
  assert.deepEqual(r.records.map((x) => x.event.a), [1, 5]);
  assert.equal(r.problems.length, 4);
  assert.ok(r.problems.every((p) => p.message === 'array element is not an object'));
});

test('a malformed NDJSON line is counted with its line number; the rest parses', async () => {
  const text = ['{"n":1}', '{"n":2,}', '{"n":3}', 'not json at all', '{"n":"unterminated', '{"n":4', '{"n":5}', '{"n":6}}', '{"n":7}'].join('\n');
  const r = await readText(text);
  // line 8 holds a valid object followed by a stray '}': the object is kept, the '}' reported
  assert.deepEqual(r.records.map((x) => x.event.n), [1, 3, 5, 6, 7]);
  assert.deepEqual(lines(r), [1, 3, 7, 8, 9]);
  assert.deepEqual(
    r.problems.map((p) => p.location.line),
    [2, 4, 5, 6, 8],
  );
  assert.match(r.problems[0]!.message, /malformed JSON/);
  assert.match(r.problems[1]!.message, /unexpected "n"/);
  assert.match(r.problems[2]!.message, /unterminated string/);
  assert.match(r.problems[3]!.message, /unterminated object \(a new record starts at line 7\)/);
  assert.match(r.problems[4]!.message, /unexpected "}"/);
  assert.equal(r.count, 5);
});

test('a broken pretty-printed object costs only itself: resync at the next "{" in column 1', async () => {
  const good = (n: number) => JSON.stringify({ Event: { n, nested: { x: [1, 2] } } }, null, 2);
  const broken = '{\n  "Event": {\n    "n": 2,\n    "nested": {\n      "x": [1, 2\n  }\n';
  const brokenString = '{\n  "Event": {\n    "n": "3\n  }\n}';
  const parts = [good(1), broken, good(4), brokenString, good(5)];
  const starts: number[] = [];
  let line = 1;
  for (const p of parts) {
    starts.push(line);
    line += p.split('\n').length;
  }
  const r = await readText(parts.join('\n'));
  assert.deepEqual(r.records.map((x) => (x.event.Event as { n: number }).n), [1, 4, 5]);
  assert.deepEqual(lines(r), [starts[0], starts[2], starts[4]]);
  assert.deepEqual(
    r.problems.map((p) => [p.location.line, p.message]),
    [
      [starts[1], `unterminated object (a new record starts at line ${starts[2]})`],
      [starts[3], 'unterminated string (line break inside a string)'],
    ],
  );
});

test('a broken array element: resync at the next "{" in its column', async () => {
  const text = '[\n  {\n    "a": 1\n  },\n  {\n    "a": "oops\n  },\n  {\n    "a": 3\n  }\n]\n';
  const r = await readText(text);
  assert.deepEqual(r.records.map((x) => x.event.a), [1, 3]);
  assert.deepEqual(r.problems.map((p) => [p.location.line, p.message]), [[5, 'unterminated string (line break inside a string)']]);
});

test('unterminated input is reported at the line where the record starts', async () => {
  const r = await readText('{"a":1}\n{"a":\n  {"b": 2');
  assert.deepEqual(r.records.length, 1);
  assert.deepEqual(r.problems.map((p) => [p.location.line, p.message]), [[2, 'unterminated object at end of input']]);
  const arr = await readText('[{"a":1},\n{"a":2}');
  assert.equal(arr.records.length, 2);
  assert.deepEqual(arr.problems.map((p) => p.location.line), [1]);
  assert.match(arr.problems[0]!.message, /unterminated array/);
});

test('integers beyond 2^53 stay exact as bigint; safe ones and floats stay numbers', async () => {
  const text =
    '{"u64":18446744073709551615,"p":9007199254740993,"n":-9223372036854775808,"safe":9007199254740991,' +
    '"f":12345678901234567.5,"e":1e400,"s":"18446744073709551615","hex":"0x8000000000000000","arr":[1,18446744073709551615]}\n' +
    '{"small":42,"k":"0x8000000000000000"}';
  const r = await readText(text);
  const [first, second] = firstItems(r.records, 2);
  const e = first.event;
  assert.equal(e.u64, 18446744073709551615n);
  assert.equal(e.p, 9007199254740993n);
  assert.equal(e.n, -9223372036854775808n);
  assert.equal(e.safe, 9007199254740991);
  assert.equal(e.f, 12345678901234567.5);
  assert.equal(e.e, Infinity);
  assert.equal(e.s, '18446744073709551615');
  assert.equal(e.hex, '0x8000000000000000');
  assert.deepEqual(e.arr, [1, 18446744073709551615n]);
  assert.deepEqual(second.event, { small: 42, k: '0x8000000000000000' });
});

test('a huge line without newline is capped, reported and skipped; memory stays bounded', async () => {
  const maxRecordLength = 1 << 16;
  async function* input() {
    yield Buffer.from('{"a":1}\n{"big":"');
    const block = Buffer.alloc(1 << 16, 0x61);
    for (let i = 0; i < 1600; i++) yield block; // 100 MiB, no newline
    yield Buffer.from('"}\n{"a":2}\n');
  }
  const src = readJsonEvents('mem', input(), { maxRecordLength });
  const before = process.memoryUsage().rss;
  const r = await readAll(src);
  assert.deepEqual(r.records.map((x) => x.event.a), [1, 2]);
  assert.deepEqual(r.problems.map((p) => [p.location.line, p.message]), [[2, `record longer than ${maxRecordLength} characters`]]);
  assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'reading a 100 MiB line must not hold it');
});

test('a huge garbage line and a huge pretty record are skipped too', async () => {
  const garbage = 'x'.repeat(300_000);
  const r = await readText(`{"a":1}\n${garbage}\n{"a":2}\n{\n  "big": "${garbage}"\n}\n{"a":3}`, { maxRecordLength: 100_000 }, [4096, 1 << 20]);
  assert.deepEqual(r.records.map((x) => x.event.a), [1, 2, 3]);
  assert.deepEqual(r.problems.map((p) => p.location.line), [2, 4]);
});

test('deep nesting is capped, reported and skipped', async () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const r = await readText(`{"a":1}\n{"deep":${deep}}\n{"a":2}\n{"ok":[[[[1]]]]}`, { maxDepth: 64 }, [4096, 1 << 20]);
  assert.deepEqual(r.records.map((x) => x.event.a ?? 'ok'), [1, 2, 'ok']);
  assert.deepEqual(r.problems.map((p) => [p.location.line, p.message]), [[2, 'nested deeper than 64 levels']]);
  const bigDeep = `{"u":18446744073709551615,"d":${'['.repeat(70)}${']'.repeat(70)}}`;
  const r2 = await readText(bigDeep, { maxDepth: 64 });
  assert.equal(r2.records.length, 0);
  assert.equal(r2.problems.length, 1);
});

test('gzip is the caller’s business here, but UTF-8 BOM and UTF-16 are decoded', async () => {
  const bom = await readText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":"ü"}\n')]));
  assert.deepEqual(bom.records.map((x) => x.event), [{ a: 'ü' }]);
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('[{"a":"ü€"}]', 'utf16le')]);
  const r = await readAll(readJsonEvents('mem', chunked(utf16, 3), {}, 'utf-16le'));
  assert.deepEqual(r.records.map((x) => x.event), [{ a: 'ü€' }]);
});

test('UTF-8: raw and escaped non-ASCII, non-ASCII keys, invalid bytes become U+FFFD', async () => {
  const text = Buffer.concat([
    Buffer.from('{"raw":"Microsoft® Windows® é€😀","esc":"\\u00e9\\u20ac\\ud83d\\ude00","both":"é\\u00e9","clé":1}\n'),
    Buffer.from('{"bad":"'),
    Buffer.from([0xff, 0xc3]),
    Buffer.from('","after":"ü"}\n{\n  "pretty": "日本語",\n  "n": 18446744073709551615\n}\n'),
  ]);
  const r = await readText(text);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.records.map((x) => x.event), [
    { raw: 'Microsoft® Windows® é€😀', esc: 'é€😀', both: 'éé', clé: 1 },
    { bad: '\ufffd\ufffd', after: 'ü' },
    { pretty: '日本語', n: 18446744073709551615n },
  ]);
});

test('read errors (a truncated gzip) end the input with a problem, records before it kept', async () => {
  const { gunzip } = await import('../../src/sources/byte-input.js');
  const text = Array.from({ length: 10_000 }, (_, i) => JSON.stringify({ i, r: Math.sin(i).toString(36) })).join('\n');
  const full = gzipSync(Buffer.from(text));
  const truncated = full.subarray(0, full.length - 1000);
  const src = readJsonEvents('t.json.gz', gunzip(chunked(truncated, 1000)));
  const r = await readAll(src);
  assert.ok(r.records.length > 5000 && r.records.length < 10_000, `${r.records.length}`);
  assert.deepEqual(r.records.map((x) => x.event.i), r.records.map((_, i) => i));
  // the read error, then the record it cut in half
  assert.equal(r.problems.length, 2);
  assert.match(r.problems[0]!.message, /read error.*unexpected end of file/);
  assert.deepEqual(r.problems[1], { location: { file: 't.json.gz', line: r.records.length + 1 }, message: 'unterminated object at end of input' });
});

test('__proto__ keys stay plain fields (exact and fast paths)', async () => {
  const r = await readText('{"__proto__":{"polluted":1},"a":1}\n{"__proto__":{"polluted":2},"b":18446744073709551615}');
  for (const { event } of r.records) {
    assert.equal(Object.getPrototypeOf(event), Object.prototype);
    assert.ok(Object.hasOwn(event, '__proto__'));
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('problems are capped in memory but all counted', async () => {
  const text = 'junk\n'.repeat(50) + '{"a":1}';
  const src = readJsonEvents('mem', chunked(text, 64), { maxProblems: 10 });
  const r = await readAll(src);
  assert.equal(r.records.length, 1);
  assert.equal(src.problems.length, 10);
  assert.equal(src.problemCount, 50);
});

test('records() is single use', async () => {
  const src = readJsonEvents('mem', chunked('{}', 10));
  await readAll(src);
  await assert.rejects(async () => {
    for await (const _ of src.records());
  }, /only once/);
});

test('fuzz findings: a stray } in an array ends, a broken element does not swallow the records after it, debris of a broken record is one problem', async () => {
  // `[1}` once made the splitter start an element at the '}' again and again (a hang)
  const hang = await readText('[1}\n{"a":1}\n', {}, [1, 3, 4096]);
  assert.deepEqual(hang.records.map((x) => x.event.a), [1]);
  // an element with no ',' before the line break ran on over every later record
  const swallow = await readText('["x" junk, more junk\n{"a":1}\n{"a":2}\n', {}, [1, 3, 4096]);
  assert.deepEqual(swallow.records.map((x) => x.event.a), [1, 2]);
  assert.match(swallow.problems.at(-2)?.message ?? '', /unterminated array element \(a new record starts at line 2\)/);
  // a ']' for a '[' lost closes the record early: what is left of its line is the same problem
  const debris = await readText('{"a":1,"b":X"y"]}\n{"a":2}\n{"a":3,"b":{"c"]} tail\n{"a":4}\n', {}, [1, 3, 17, 4096]);
  assert.deepEqual(debris.records.map((x) => x.event.a), [2, 4]);
  assert.deepEqual(debris.problems.map((p) => p.location.line), [1, 3]);
  assert.equal(debris.count, 2);
});
