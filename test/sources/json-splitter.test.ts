// The splitter's byte path (pushUtf8) against its text path (push of the same bytes as latin1),
// which the byte path promises to equal: same records, same lines, same problems, however the bytes
// are cut. Cuts inside a line exercise the line carried over as bytes and its completion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createJsonSplitter } from '../../src/sources/json-splitter.js';
import type { LogEvent } from '../../src/sources/types.js';
import { rng } from '../seeded-random.js';

type Seen = Array<['record', number, LogEvent] | ['problem', number, string]>;

function splitter(seen: Seen) {
  return createJsonSplitter(
    { maxRecordLength: 1 << 20, maxDepth: 16, utf8AsLatin1: true },
    { record: (event, line) => seen.push(['record', line, event]), problem: (line, message) => seen.push(['problem', line, message]) },
  );
}

function byText(bytes: Buffer): Seen {
  const seen: Seen = [];
  const s = splitter(seen);
  s.push(bytes.toString('latin1'));
  s.end();
  return seen;
}

function byBytes(bytes: Buffer, cuts: number[]): Seen {
  const seen: Seen = [];
  const s = splitter(seen);
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    s.pushUtf8(bytes.subarray(at, cut));
    at = cut;
  }
  s.end();
  return seen;
}

/** Lines of every kind the splitter tells apart, NDJSON records most of all. */
function randomLines(r: () => number, count: number): string {
  const text = () => ['plain', 'é', 'Grüße 😀', '\\"quoted\\"', 'a\\\\b', '{ [ , ] }'][Math.floor(r() * 6)]!;
  const record = () => `{"n":${Math.floor(r() * 1000)},"t":"${text()}","big":${r() < 0.2 ? '18446744073709551615' : '1'},"o":{"a":[1,"${text()}",null]}}`;
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const k = r();
    if (k < 0.6) lines.push(record());
    else if (k < 0.65) lines.push(record() + '\r');
    else if (k < 0.7) lines.push(record().slice(0, 20)); // cut off: unterminated
    else if (k < 0.74) lines.push(`{"bad": ${text()}}`); // balanced, not JSON
    else if (k < 0.78) lines.push(`garbage ${text()}`);
    else if (k < 0.82) lines.push('');
    else if (k < 0.86) lines.push(`  ${record()}`); // indented
    else if (k < 0.9) lines.push(`{\n  "pretty": "${text()}",\n  "x": [1, 2]\n}`);
    else if (k < 0.93) lines.push(`[${record()},\n${record()}]`);
    else if (k < 0.96) lines.push(record() + record()); // concatenated on one line
    else lines.push(`{"long":"${'x'.repeat(70_000 + Math.floor(r() * 1000))}"}`); // longer than a 64 KiB piece
  }
  return lines.join('\n') + (r() < 0.5 ? '\n' : '');
}

test('pushUtf8 in any pieces finds what push of the latin1 text finds', () => {
  const r = rng(4);
  for (let round = 0; round < 60; round++) {
    const bytes = Buffer.from(randomLines(r, 40), 'utf8');
    const expected = byText(bytes);
    const small = Math.floor(1 + r() * 300);
    // (pieces of a few bytes through a 70 KB line cost quadratic time in the text path: skipped)
    for (const step of bytes.length < 20_000 ? [1, 7, small, 4096] : [small, 4096, 65536]) {
      const cuts: number[] = [];
      for (let at = step; at < bytes.length; at += Math.max(1, Math.floor(step * (0.5 + r())))) cuts.push(at);
      assert.deepEqual(byBytes(bytes, cuts), expected, `round ${round}, pieces of about ${step} bytes`);
    }
  }
});

test('a line carried over as bytes: completed when the next bytes end it, handed to the text path otherwise', () => {
  const line = '{"a":"é","b":[1,2]}';
  const bytes = Buffer.from(`${line}\n{"cut": tru\n${line}\n`, 'utf8');
  const expected = byText(bytes);
  assert.deepEqual(
    expected.map((x) => [x[0], x[1]]),
    [['record', 1], ['problem', 2], ['record', 3]],
  );
  // every cut point, so that each line is carried over at each of its bytes (and a multi-byte character split)
  for (let cut = 1; cut < bytes.length; cut++) assert.deepEqual(byBytes(bytes, [cut]), expected, `cut at ${cut}`);
  // a carried line whose end is not in the next bytes: the text path takes it over
  for (let cut = 1; cut < line.length; cut++) assert.deepEqual(byBytes(bytes, [cut, cut + 1, cut + 2]), expected, `cuts at ${cut}`);
});
