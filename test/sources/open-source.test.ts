import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { detectFormat, expandInputs, openSource, sniffFormat, SourceError } from '../../src/sources/open-source.js';
import type { EventSource } from '../../src/sources/types.js';
import { evtxReader } from '../../src/sources/evtx-source.js';
import { generateProxyLogs } from '../../src/generate/index.js';
import { DATA, readAll } from './helpers.js';

const REG = join(DATA, 'sigma-regression', 'registry_set_disable_system_restore', '5de03871-5d46-4539-a82d-3aa992a69a83.json');
const EVTX = join(DATA, 'sigma-regression', 'registry_set_disable_system_restore', '5de03871-5d46-4539-a82d-3aa992a69a83.evtx');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'quarry-sources-'));
}

test('sniffFormat looks at content only', () => {
  const b = (s: string) => Buffer.from(s, 'latin1');
  assert.equal(sniffFormat(b('  \n{"a":1}')), 'json');
  assert.equal(sniffFormat(b('\xef\xbb\xbf[{}]')), 'json');
  assert.equal(sniffFormat(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(' {', 'utf16le')])), 'json');
  assert.equal(sniffFormat(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from([0, 0x5b])])), 'json');
  assert.equal(sniffFormat(b('')), 'json');
  assert.equal(sniffFormat(b('ElfFile\0rest')), 'evtx');
  assert.equal(sniffFormat(b('#separator \\x09\n')), 'zeek-tsv');
  assert.equal(sniffFormat(b('title: a sigma rule')), undefined);
  assert.equal(sniffFormat(b('1588206738.09 10.0.0.1 TCP_MISS/200')), undefined);
});

test('gzip files are unpacked whatever their name; several gzip members in a row too', async () => {
  const dir = tempDir();
  try {
    const plain = readFileSync(REG);
    const gz = join(dir, 'events.log'); // no telling extension
    writeFileSync(gz, Buffer.concat([gzipSync(plain), gzipSync(Buffer.from('\n{"extra":true}\n'))]));
    assert.deepEqual(await detectFormat(gz), { format: 'json', compression: 'gzip' });
    const { records, problems } = await readAll(await openSource(gz));
    assert.deepEqual(problems, []);
    assert.equal(records.length, 5);
    assert.equal(records[3]!.event.TargetObject, 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SystemRestore\\DisableSR');
    assert.deepEqual(records[4]!.event, { extra: true });
    assert.equal(records[4]!.location.line, 210);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('EVTX is recognised (plain or gzip) and routed to the reader passed in', async () => {
  const dir = tempDir();
  try {
    assert.deepEqual(await detectFormat(EVTX), { format: 'evtx', compression: 'none' });
    const gz = join(dir, 'x.gz');
    writeFileSync(gz, gzipSync(readFileSync(EVTX)));
    assert.deepEqual(await detectFormat(gz), { format: 'evtx', compression: 'gzip' });

    await assert.rejects(openSource(EVTX), (e: unknown) => e instanceof SourceError && e.code === 'UNSUPPORTED_FORMAT' && e.format === 'evtx');
    const fake: EventSource = { name: EVTX, format: 'evtx', records: async function* () {}, problems: [], problemCount: 0 };
    const seen: unknown[] = [];
    const src = await openSource(EVTX, { readers: { evtx: (path, info) => (seen.push([path, info]), fake) } });
    assert.equal(src, fake);
    assert.deepEqual(seen, [[EVTX, { format: 'evtx', compression: 'none' }]]);

    // The EVTX reader seeks to chunks in the file itself: a compressed file is refused with the reason, not read as bytes with no signature.
    await assert.rejects(openSource(gz, { readers: { evtx: evtxReader() } }), (e: unknown) => e instanceof SourceError && e.code === 'UNSUPPORTED_FORMAT' && e.format === 'evtx' && /gzip-compressed EVTX.*decompress it first/.test(e.message));
    const plain = await openSource(EVTX, { readers: { evtx: evtxReader() } });
    assert.ok((await readAll(plain)).records.length > 0);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('unknown formats, missing files and folders get a clear error', async () => {
  const dir0 = tempDir();
  try {
    const odd = join(dir0, 'odd.txt');
    writeFileSync(odd, 'just some prose\nthat is no log format\n');
    await assert.rejects(openSource(odd), (e: unknown) => {
      assert.ok(e instanceof SourceError);
      assert.equal(e.code, 'UNKNOWN_FORMAT');
      assert.match(e.message, /odd\.txt: unknown log format \(content starting "just some prose/);
      return true;
    });
  } finally {
    rmSync(dir0, { recursive: true });
  }
  await assert.rejects(openSource(join(DATA, 'no-such-file.json')), (e: unknown) => e instanceof SourceError && e.code === 'UNREADABLE' && /ENOENT/.test(e.message));
  await assert.rejects(openSource(DATA), (e: unknown) => e instanceof SourceError && e.code === 'UNREADABLE' && /EISDIR/.test(e.message));
  const dir = tempDir();
  try {
    const bad = join(dir, 'bad.gz');
    writeFileSync(bad, Buffer.from([0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    await assert.rejects(openSource(bad), (e: unknown) => e instanceof SourceError && e.code === 'UNREADABLE' && /gzip/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

/** Runs openSource('-') in a child process with `input` on its stdin; returns what it printed. */
function readStdinInChild(input: Buffer): Promise<{ count: number; problems: unknown[]; first: unknown; format: string }> {
  const module = new URL('../../src/sources/open-source.js', import.meta.url).href;
  const script = `
    import { openSource } from ${JSON.stringify(module)};
    const src = await openSource('-');
    let count = 0, first;
    for await (const r of src.records()) { if (count++ === 0) first = r; }
    console.log(JSON.stringify({ count, problems: src.problems, first, format: src.format }));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}`))));
    child.stdin.end(input);
  });
}

test('stdin (-): plain and gzip, sniffed without losing the first bytes', async () => {
  const ndjson = Buffer.from(Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(50) })).join('\n'));
  const plain = await readStdinInChild(ndjson);
  assert.equal(plain.count, 5000);
  assert.deepEqual(plain.problems, []);
  assert.deepEqual(plain.first, { event: { i: 0, pad: 'x'.repeat(50) }, location: { file: '-', line: 1, record: 1 } });
  const gz = await readStdinInChild(gzipSync(readFileSync(REG)));
  assert.equal(gz.count, 4);
  assert.equal((gz.first as any).event.EventID, 13);
});

test('stdin (-): the line formats too, plain and gzip (more than the 64 KiB sniffed)', async () => {
  for (const format of ['w3c-iis', 'squid', 'zeek-tsv', 'zeek-json'] as const) {
    const { text } = generateProxyLogs({ seed: 9, lines: 2000, format });
    for (const input of [Buffer.from(text), gzipSync(Buffer.from(text))]) {
      const r = await readStdinInChild(input);
      assert.equal(r.count, 2000, format);
      assert.deepEqual(r.problems, []);
      assert.equal(r.format, format === 'w3c-iis' ? 'w3c' : format);
      assert.equal((r.first as any).location.file, '-');
    }
  }
});

test('expandInputs: files as given, folders sorted, recursion on request, problems listed', async () => {
  const dir = tempDir();
  try {
    mkdirSync(join(dir, 'b', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'z.json'), '{}');
    writeFileSync(join(dir, 'a.json'), '{}');
    writeFileSync(join(dir, 'b', 'c.log'), '{}');
    writeFileSync(join(dir, 'b', 'deep', 'd.json'), '{}');
    symlinkSync(join(dir, 'b'), join(dir, 'link-to-b'));
    symlinkSync(join(dir, 'a.json'), join(dir, 'link-to-a.json'));

    const flat = await expandInputs([join(dir, 'z.json'), dir, '-', join(dir, 'missing')]);
    assert.deepEqual(flat.files, [join(dir, 'z.json'), join(dir, 'a.json'), join(dir, 'link-to-a.json'), '-']);
    assert.deepEqual(
      flat.problems.map((p) => p.location.file),
      [join(dir, 'b'), join(dir, 'link-to-b'), join(dir, 'missing')],
    );
    assert.match(flat.problems[0]!.message, /use recursive/);
    assert.match(flat.problems[2]!.message, /ENOENT/);

    const deep = await expandInputs([dir], { recursive: true });
    assert.deepEqual(deep.files, [join(dir, 'a.json'), join(dir, 'b', 'c.log'), join(dir, 'b', 'deep', 'd.json'), join(dir, 'link-to-a.json'), join(dir, 'z.json')]);
    assert.deepEqual(deep.problems.map((p) => p.message), ['symbolic link to a folder: not followed']);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('UTF-16 JSON without a BOM is sniffed from its zero bytes and read (LE and BE, NDJSON and an array)', async () => {
  const dir = tempDir();
  try {
    const events = [{ EventID: 4688, CommandLine: 'cmd.exe /c whoami', User: 'CORP\\Jürgen' }, { EventID: 4624, LogonType: 3 }];
    const ndjson = events.map((e) => JSON.stringify(e)).join('\r\n') + '\r\n';
    const array = `[\r\n  ${events.map((e) => JSON.stringify(e)).join(',\r\n  ')}\r\n]`;
    const be = (s: string) => Buffer.from(s, 'utf16le').swap16();
    for (const [name, bytes] of [['le.ndjson', Buffer.from(ndjson, 'utf16le')], ['be.ndjson', be(ndjson)], ['le-array.json', Buffer.from(array, 'utf16le')], ['be-array.json', be(array)]] as const) {
      const f = join(dir, name);
      writeFileSync(f, bytes);
      assert.equal(sniffFormat(bytes), 'json', name);
      const source = await openSource(f);
      const { records } = await readAll(source);
      assert.deepEqual(records.map((r) => r.event), events, name);
      assert.equal(source.problemCount, 0, name);
    }
    // UTF-8 text is never taken for UTF-16
    assert.equal(sniffFormat(Buffer.from('{"a":1}\n')), 'json');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
