// A gzip file whose only damage is its trailer (the CRC32 or length of the data) keeps every record
// and reports the trailer; a truncated one still says that the rest is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSource } from '../../src/sources/open-source.js';
import { generateProxyLogs } from '../../src/generate/index.js';
import { readAll } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'quarry-gzip-'));

function gz(name: string, text: string, damage: (b: Buffer) => void): string {
  const b = gzipSync(text);
  damage(b);
  const f = join(dir, name);
  writeFileSync(f, b);
  return f;
}

const ndjson = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ n: i, host: `h${i}.example.com`, pad: 'x'.repeat(i % 50) })).join('\n') + '\n';

const cases: Array<[string, string, number, (b: Buffer) => void, RegExp]> = [
  ['10,000 NDJSON records, bad CRC32', ndjson(10_000), 10_000, (b) => void (b[b.length - 8]! ^= 0xff), /incorrect CRC32/],
  ['10,000 NDJSON records, bad length', ndjson(10_000), 10_000, (b) => void (b[b.length - 1]! ^= 0x01), /incorrect length/],
  ['50 records (the whole file is within the sniffed head), bad CRC32', ndjson(50), 50, (b) => void (b[b.length - 5]! ^= 0xff), /incorrect CRC32/],
  ['5,000 Squid lines, bad CRC32', generateProxyLogs({ format: 'squid', lines: 5000, seed: 2 }).text, 5000, (b) => void (b[b.length - 7]! ^= 0x10), /incorrect CRC32/],
];

for (const [name, text, records, damage, reason] of cases) {
  test(`gzip trailer: ${name}: every record kept, the trailer reported`, async () => {
    const source = await openSource(gz(`${name.replace(/\W+/g, '-')}.gz`, text, damage));
    const { records: got, problems } = await readAll(source);
    assert.equal(got.length, records);
    assert.equal(source.problemCount, 1);
    assert.match(problems[0]!.message, /^gzip trailer check failed/);
    assert.match(problems[0]!.message, reason);
  });
}

test('gzip: an intact file has no problem; a truncated one reports that the rest is lost', async () => {
  const intact = await openSource(gz('intact.gz', ndjson(2000), () => {}));
  const a = await readAll(intact);
  assert.equal(a.records.length, 2000);
  assert.equal(intact.problemCount, 0);

  const whole = gzipSync(ndjson(20_000));
  const f = join(dir, 'truncated.gz');
  writeFileSync(f, whole.subarray(0, Math.floor(whole.length * 0.6)));
  const truncated = await openSource(f);
  const b = await readAll(truncated);
  assert.ok(b.records.length > 0 && b.records.length < 20_000);
  assert.ok(b.problems.some((p) => /read error, the rest of the input is lost: unexpected end of file/.test(p.message)), JSON.stringify(b.problems));
});
