import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { closeSharedPools, expandEvtxInputs, readEvtx, readEvtxAll } from '../../src/sources/evtx/index.js';
import { evtxCommand } from '../../src/cli/evtx-command.js';
import { EVTX_DIR } from './helpers.js';

after(() => closeSharedPools());

const SECURITY = path.join(EVTX_DIR, 'evtx-crate/security.evtx');
const BAD_MAGIC = path.join(EVTX_DIR, 'evtx-crate/sample_with_a_bad_chunk_magic.evtx');

test('workers give the same items in the same order as in-thread parsing', async () => {
  for (const f of [SECURITY, BAD_MAGIC, path.join(EVTX_DIR, 'evtx-crate/CAPI2-binxml-substitution-pi-target.evtx')]) {
    const single = await readEvtxAll(f, { workers: 0, xml: true });
    const pooled = await readEvtxAll(f, { workers: 2, xml: true });
    const three = await readEvtxAll(f, { workers: 3, xml: true });
    assert.deepStrictEqual(pooled.records, single.records);
    assert.deepStrictEqual(three.records, single.records);
    assert.deepStrictEqual(pooled.errors, single.errors);
    assert.deepStrictEqual({ ...pooled.stats }, { ...single.stats });
  }
});

test('records come in file order with ISO timestamps', async () => {
  const { records, stats } = await readEvtxAll(SECURITY, { workers: 2 });
  assert.equal(records.length, 2261);
  for (let i = 1; i < records.length; i++) assert.ok(records[i]!.offset > records[i - 1]!.offset);
  assert.match(records[0]!.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(stats.chunks, 26);
  assert.equal(stats.header?.majorVersion, 3);
});

test('stats: bad chunk magic is a chunk error with its file offset; CRC mismatches are warnings', async () => {
  const reader = readEvtx(BAD_MAGIC, { workers: 0 });
  const items = [];
  for await (const it of reader) items.push(it);
  const s = reader.stats;
  assert.equal(s.recordsOk, 270);
  assert.equal(s.chunkErrors, 2);
  assert.deepEqual(s.errors.filter((e) => e.scope === 'chunk').map((e) => e.offset), [4096 + 6 * 65536, 4096 + 10 * 65536]);
  assert.ok(s.crcWarnings > 0);
  // errors are yielded in file order among the records
  const errIdx = items.findIndex((i) => i.kind === 'error');
  assert.ok(errIdx > 0 && items[errIdx - 1]!.offset < items[errIdx]!.offset);
});

test('expandEvtxInputs walks folders recursively and keeps files given directly', async () => {
  const all = await expandEvtxInputs([EVTX_DIR]);
  assert.equal(all.length, 32);
  assert.ok(all.every((f) => f.endsWith('.evtx')));
  const one = await expandEvtxInputs([SECURITY, path.join(EVTX_DIR, 'parser-hard')]);
  assert.equal(one.length, 6);
  assert.equal(one[0], SECURITY);
});

async function runCli(argv: string[]): Promise<{ code: number; out: string }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const code = await evtxCommand(argv, out);
  return { code, out: Buffer.concat(chunks).toString('utf8') };
}

test('cli: evtx dump jsonl / xml and evtx info', async () => {
  const f = path.join(EVTX_DIR, 'bits/mdec-security-4688-bitsadmin-transfer.evtx');
  const jsonl = await runCli(['dump', f]);
  assert.equal(jsonl.code, 0);
  const lines = jsonl.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.equal(lines[0].Event.System.EventID, 4688);
  const xml = await runCli(['dump', f, '--format', 'xml', '--workers', '0']);
  assert.equal(xml.code, 0);
  assert.equal(xml.out.match(/<Event xmlns=/g)?.length, 2);
  assert.match(xml.out, /<Data Name="NewProcessName">C:\\Windows\\System32\\bitsadmin.exe<\/Data>/);
  const info = await runCli(['info', BAD_MAGIC]);
  assert.equal(info.code, 0);
  assert.match(info.out, /records ok: 270/);
  assert.match(info.out, /chunk errors: 2/);
  assert.match(info.out, /header chunk count: 16/);
  assert.equal((await runCli(['frobnicate', f])).code, 2);
  assert.equal((await runCli(['dump', f, '--format', 'csv'])).code, 2);
  assert.equal((await runCli(['info', '/nonexistent/x.evtx'])).code, 1);
});
