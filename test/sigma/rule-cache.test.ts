// The rule cache (src/sigma/rule-cache.ts) against the plain load: the same collection from a cache
// hit as from parsing, a damaged store ignored, a changed file parsed again, two processes at once.
// Every cache here lives in a temporary folder, never the user's.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSigmaPaths, parseSigmaPaths } from '../../src/sigma/load.js';
import { RuleCache, ruleCacheDir } from '../../src/sigma/rule-cache.js';
import { DATA, tempFolders } from '../helpers.js';

const SOURCE = join(DATA, 'sigmahq', 'rules', 'windows', 'process_creation');
const temp = tempFolders();

/** A rule folder of real SigmaHQ rules plus a legacy collection, a rejected rule and a non-UTF-8 file. */
function ruleFolder(): string {
  const dir = temp('quarry-cache-rules-');
  for (const f of readdirSync(SOURCE).filter((f) => f.endsWith('.yml')).slice(0, 120)) copyFileSync(join(SOURCE, f), join(dir, f));
  copyFileSync(join(DATA, 'sigmahq', 'unsupported', 'windows', 'win_remote_service.yml'), join(dir, 'legacy_collection.yml'));
  writeFileSync(join(dir, 'broken.yml'), 'title: Broken\nlogsource:\n    product: windows\ndetection:\n    sel:\n        Image|endswithh: x\n    condition: sel and missing\n');
  writeFileSync(join(dir, 'latin1.yml'), Buffer.concat([Buffer.from('title: Caf'), Buffer.from([0xe9]), Buffer.from('\nlogsource:\n    product: windows\ndetection:\n    sel:\n        Image: a\n    condition: sel\n')]));
  return dir;
}

const cacheDir = () => temp('quarry-cache-');

test('a cache hit gives the same collection as parsing, positions and diagnostics included', () => {
  const rules = ruleFolder();
  const dir = cacheDir();
  const plain = loadSigmaPaths([rules]);
  assert.ok(plain.rules.length > 100 && plain.rejected.length > 0 && plain.diagnostics.some((d) => d.code === 'not-utf8'));
  const filling = new RuleCache(dir, [rules]);
  assert.deepEqual(loadSigmaPaths([rules], { cache: filling }), plain);
  assert.deepEqual([filling.stats.state, filling.stats.hits, filling.stats.written], ['absent', 0, true]);
  const reading = new RuleCache(dir, [rules]);
  const cached = loadSigmaPaths([rules], { cache: reading });
  assert.deepEqual(cached, plain);
  assert.equal(reading.stats.state, 'used');
  assert.equal(reading.stats.hits, plain.files);
  assert.equal(reading.stats.misses, 0);
  assert.equal(reading.stats.written, false, 'nothing changed: the store is not rewritten');
  // Parsed files too: loaded files carry no YAML trees, with the cache or without.
  const plainFiles = parseSigmaPaths([rules]);
  assert.ok(plainFiles.every((f) => f.documents.every((d) => !('root' in d))), 'a loaded file keeps no YAML tree');
  assert.deepEqual(parseSigmaPaths([rules], { cache: new RuleCache(dir, [rules]) }), plainFiles);
});

test('a corrupted or truncated store is detected and ignored: the files are parsed again', () => {
  const rules = ruleFolder();
  const dir = cacheDir();
  const plain = loadSigmaPaths([rules]);
  const store = new RuleCache(dir, [rules]);
  loadSigmaPaths([rules], { cache: store });
  const good = readFileSync(store.path);
  // One byte changed in the middle of the payload (where a title or position is): the checksum catches it.
  const flipped = Buffer.from(good);
  flipped[Math.floor(good.length / 2)]! ^= 0x20;
  writeFileSync(store.path, flipped);
  let c = new RuleCache(dir, [rules]);
  assert.equal(c.stats.state, 'corrupt');
  assert.deepEqual(loadSigmaPaths([rules], { cache: c }), plain);
  assert.equal(c.stats.hits, 0);
  assert.equal(c.stats.written, true, 'the damaged store is replaced');
  assert.equal(new RuleCache(dir, [rules]).stats.state, 'used');
  // Cut short, as by a crash or a full disk; and cut inside the header.
  for (const length of [good.length - 1000, 10]) {
    truncateSync(store.path, length);
    c = new RuleCache(dir, [rules]);
    assert.equal(c.stats.state, 'corrupt');
    assert.deepEqual(loadSigmaPaths([rules], { cache: c }), plain);
  }
});

test('a changed file is parsed again, and only that file', () => {
  const rules = ruleFolder();
  const dir = cacheDir();
  loadSigmaPaths([rules], { cache: new RuleCache(dir, [rules]) });
  const target = join(rules, readdirSync(rules).sort().find((f) => f.startsWith('proc_creation_'))!);
  const text = readFileSync(target, 'utf8');
  writeFileSync(target, text.replace(/^title: .*$/m, 'title: Changed Since The Last Run'));
  const c = new RuleCache(dir, [rules]);
  const col = loadSigmaPaths([rules], { cache: c });
  assert.equal(c.stats.misses, 1);
  assert.equal(c.stats.hits, col.files - 1);
  assert.deepEqual(col, loadSigmaPaths([rules]));
  assert.equal(col.rules.find((r) => r.file === target)?.title, 'Changed Since The Last Run');
  // A removed file leaves the store (rewritten), and the rest still hits.
  rmSync(target);
  const after = new RuleCache(dir, [rules]);
  assert.deepEqual(loadSigmaPaths([rules], { cache: after }), loadSigmaPaths([rules]));
  assert.equal(after.stats.written, true);
});

/** A clock an hour ahead: every file written now has settled by its time, so its status is trusted. */
const hourLater = () => Date.now() + 3_600_000;

test('a settled file whose status is unchanged is not read again; any write to it is seen', () => {
  const rules = ruleFolder();
  const dir = cacheDir();
  const plain = loadSigmaPaths([rules]);
  loadSigmaPaths([rules], { cache: new RuleCache(dir, [rules], hourLater) });
  const warm = new RuleCache(dir, [rules], hourLater);
  assert.deepEqual(loadSigmaPaths([rules], { cache: warm }), plain);
  assert.deepEqual([warm.stats.hits, warm.stats.unread, warm.stats.misses, warm.stats.written], [plain.files, plain.files, 0, false]);
  // The same number of bytes, the modification time put back as it was: the change time still moves.
  const target = join(rules, readdirSync(rules).sort().find((f) => f.startsWith('proc_creation_'))!);
  const before = statSync(target);
  const text = readFileSync(target, 'utf8');
  const title = /^title: (.*)$/m.exec(text)![1]!;
  const changed = 'X'.repeat(title.length);
  writeFileSync(target, text.replace(`title: ${title}`, `title: ${changed}`));
  utimesSync(target, before.atime, before.mtime);
  assert.equal(statSync(target).size, before.size);
  const after = new RuleCache(dir, [rules], hourLater);
  const col = loadSigmaPaths([rules], { cache: after });
  assert.equal(col.rules.find((r) => r.file === target)?.title, changed);
  assert.deepEqual([after.stats.misses, after.stats.unread], [1, plain.files - 1]);
  assert.deepEqual(col, loadSigmaPaths([rules]));
});

test('a file changed moments before it was read is read and hashed again on the next run, not trusted by its status', () => {
  const rules = ruleFolder(); // just written: not settled
  const dir = cacheDir();
  const plain = loadSigmaPaths([rules]);
  loadSigmaPaths([rules], { cache: new RuleCache(dir, [rules]) });
  const warm = new RuleCache(dir, [rules]);
  assert.deepEqual(loadSigmaPaths([rules], { cache: warm }), plain);
  assert.deepEqual([warm.stats.hits, warm.stats.unread, warm.stats.misses], [plain.files, 0, 0]);
  // Once settled, the status is learnt (the store rewritten) and trusted from the run after.
  const learning = new RuleCache(dir, [rules], hourLater);
  loadSigmaPaths([rules], { cache: learning });
  assert.deepEqual([learning.stats.unread, learning.stats.written], [0, true]);
  const trusting = new RuleCache(dir, [rules], hourLater);
  assert.deepEqual(loadSigmaPaths([rules], { cache: trusting }), plain);
  assert.equal(trusting.stats.unread, plain.files);
});

/**
 * Loads the rules in a child process with the given cache folder once `go` resolves; resolves to the
 * child's summary. The child says when its modules are loaded and waits for a byte on its input, so
 * that on a busy machine two children still open the store at the same moment (otherwise one may
 * start after the other has written it, and read it).
 */
function loadInChild(rules: string, dir: string, ready: () => void, go: Promise<void>): Promise<string> {
  const load = resolve('dist/src/sigma/load.js');
  const cache = resolve('dist/src/sigma/rule-cache.js');
  const script = `const { loadSigmaPaths } = await import(${JSON.stringify(load)}); const { RuleCache } = await import(${JSON.stringify(cache)});
const { readSync } = await import('node:fs'); process.stderr.write('ready\\n'); readSync(0, Buffer.alloc(1));
const c = new RuleCache(${JSON.stringify(dir)}, [${JSON.stringify(rules)}]); const col = loadSigmaPaths([${JSON.stringify(rules)}], { cache: c });
process.stdout.write(JSON.stringify({ rules: col.rules.length, state: c.stats.state, written: c.stats.written, writeError: c.stats.writeError ?? null }));`;
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let loaded = false;
    child.stdout.on('data', (b: Buffer) => (out += b));
    child.stderr.on('data', (b: Buffer) => {
      err += b;
      if (!loaded && err.startsWith('ready\n')) {
        loaded = true;
        ready();
      }
    });
    void go.then(() => child.stdin.end('g'));
    child.on('error', rej);
    child.on('close', (code) => {
      if (!loaded) ready(); // failed before it was ready: the other child must not wait for it for ever
      if (code === 0) res(out);
      else rej(new Error(`child exited ${code}: ${err}`));
    });
  });
}

/** Two children that open the store at once: each signals when loaded, both go when both are. */
function twoChildren(rules: string, dir: string): Promise<string[]> {
  let release!: () => void;
  const go = new Promise<void>((r) => (release = r));
  let waiting = 2;
  const ready = () => {
    if (--waiting === 0) release();
  };
  return Promise.all([loadInChild(rules, dir, ready, go), loadInChild(rules, dir, ready, go)]);
}

test('two processes filling the same store at once leave a whole store, never a mixed one', async () => {
  const rules = ruleFolder();
  const dir = cacheDir();
  const plain = loadSigmaPaths([rules]);
  for (let round = 0; round < 3; round++) {
    rmSync(join(dir, 'rules'), { recursive: true, force: true });
    const results = (await twoChildren(rules, dir)).map((s) => JSON.parse(s));
    for (const r of results) assert.deepEqual(r, { rules: plain.rules.length, state: 'absent', written: true, writeError: null });
    const c = new RuleCache(dir, [rules]);
    assert.equal(c.stats.state, 'used');
    assert.deepEqual(loadSigmaPaths([rules], { cache: c }), plain);
    assert.equal(c.stats.hits, plain.files);
    assert.deepEqual(readdirSync(join(dir, 'rules')).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left behind');
  }
});

test('the cache folder: QUARRY_CACHE=off turns it off, then QUARRY_CACHE_DIR, XDG_CACHE_HOME, ~/.cache', () => {
  assert.equal(ruleCacheDir({ QUARRY_CACHE: 'off', QUARRY_CACHE_DIR: '/tmp/x' }), null);
  assert.equal(ruleCacheDir({ QUARRY_CACHE_DIR: '/tmp/x', XDG_CACHE_HOME: '/tmp/y' }), '/tmp/x');
  assert.equal(ruleCacheDir({ XDG_CACHE_HOME: '/tmp/y' }), '/tmp/y/quarry');
  assert.match(ruleCacheDir({})!, /\/\.cache\/quarry$/);
});

test('a store that cannot be written is no error: the load still gives the rules', () => {
  const rules = ruleFolder();
  const blocker = join(cacheDir(), 'file');
  writeFileSync(blocker, 'not a folder');
  const c = new RuleCache(blocker, [rules]);
  assert.deepEqual(loadSigmaPaths([rules], { cache: c }), loadSigmaPaths([rules]));
  assert.equal(c.stats.written, false);
  assert.match(c.stats.writeError ?? '', /ENOTDIR|EEXIST/);
  assert.ok(!existsSync(join(blocker, 'rules')));
});

test("the build stamp changes with any rebuilt code file of its rooms (by size or time), and with nothing else", async () => {
  const { codeStamp } = await import('../../src/sigma/store-file.js');
  const root = temp('quarry-stamp-');
  const src = join(root, 'dist', 'src');
  mkdirSync(join(src, 'sigma', 'nested'), { recursive: true });
  mkdirSync(join(src, 'engine'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ version: '1.2.3' }));
  writeFileSync(join(src, 'sigma', 'a.js'), 'export const a = 1;');
  writeFileSync(join(src, 'sigma', 'nested', 'b.js'), 'export const b = 2;');
  writeFileSync(join(src, 'sigma', 'notes.md'), 'not code');
  writeFileSync(join(src, 'engine', 'c.js'), 'export const c = 3;');
  const stamp = () => codeStamp(src, ['sigma']);
  const b = join(src, 'sigma', 'nested', 'b.js');
  utimesSync(b, 1_000_000, 1_000_000); // whole seconds, which utimes sets exactly
  const first = stamp();
  assert.equal(stamp(), first, 'the same code, the same stamp');
  utimesSync(b, 1_000_060, 1_000_000);
  assert.equal(stamp(), first, 'reading a file changes nothing');
  writeFileSync(join(src, 'sigma', 'notes.md'), 'other notes');
  writeFileSync(join(src, 'engine', 'c.js'), 'export const c = 4;');
  assert.equal(stamp(), first, 'files that are not code of the room change nothing');
  writeFileSync(b, 'export const b = 5;'); // the same size: a rebuild gives it a new time
  utimesSync(b, 1_000_060, 1_000_001);
  const rebuilt = stamp();
  assert.notEqual(rebuilt, first, 'a nested file rebuilt');
  writeFileSync(join(src, 'sigma', 'd.js'), '');
  assert.notEqual(stamp(), rebuilt, 'a new file');
  const withD = stamp();
  writeFileSync(join(root, 'package.json'), JSON.stringify({ version: '1.2.4' }));
  assert.notEqual(stamp(), withD, 'another version');
});
