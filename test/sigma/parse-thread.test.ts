// Loading on two threads (sigma/parse-thread.ts): the collection, the parses and the rule cache are
// what one thread makes of the same files, including files that are broken, not UTF-8, empty,
// pipelines or unreadable; a second thread that fails or goes silent loses no file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withoutYamlTrees } from '../../src/sigma/collection.js';
import { listRuleFiles, loadSigmaPaths, parseRuleListing, readRuleFile } from '../../src/sigma/load.js';
import { PARALLEL_MIN_FILES, parseOnTwoThreads, type ThreadParse } from '../../src/sigma/parse-thread.js';
import { RuleCache } from '../../src/sigma/rule-cache.js';
import { tempFolders } from '../helpers.js';

const folder = tempFolders();
const TWO_CORES = availableParallelism() >= 2;

/** A corpus big enough for two threads: rules of varied size, and every kind of bad file. */
function corpus(): string {
  const dir = folder('quarry-parse-thread-');
  for (let i = 0; i < PARALLEL_MIN_FILES + 60; i++) {
    const sub = join(dir, `group${i % 7}`);
    mkdirSync(sub, { recursive: true });
    const values = Array.from({ length: 1 + (i % 23) }, (_, j) => `      - '\\tool${i}_${j}.exe'`).join('\n');
    writeFileSync(
      join(sub, `rule_${String(i).padStart(4, '0')}.yml`),
      `title: Rule ${i}\nid: 5f0c3b9e-0000-4000-8000-${String(i).padStart(12, '0')}\nstatus: test\nlogsource:\n  category: process_creation\n  product: windows\n` +
        `detection:\n  selection:\n    Image|endswith:\n${values}\n  condition: selection\nlevel: ${['low', 'medium', 'high'][i % 3]}\n`,
    );
  }
  writeFileSync(join(dir, 'group1', 'broken.yml'), 'title: [unclosed\ndetection: {\n');
  writeFileSync(join(dir, 'group2', 'latin1.yml'), Buffer.concat([Buffer.from('title: Caf'), Buffer.from([0xe9]), Buffer.from('\nlogsource: {product: windows}\ndetection:\n  sel:\n    a: b\n  condition: sel\n')]));
  writeFileSync(join(dir, 'group3', 'empty.yml'), '');
  writeFileSync(join(dir, 'group4', 'pipeline.yml'), 'name: p\ntransformations:\n  - type: field_name_mapping\n    mapping:\n      a: b\n');
  writeFileSync(join(dir, 'group5', 'two-docs.yml'), 'title: A\nlogsource: {product: windows}\ndetection:\n  sel:\n    a: 1\n  condition: sel\n---\ntitle: B\nlogsource: {product: windows}\ndetection:\n  sel:\n    b: 2\n  condition: nope\n');
  mkdirSync(join(dir, 'group6', 'folder.yml'));
  return dir;
}

test('two threads parse each file once, into what one thread parses', { skip: !TWO_CORES && 'one processor' }, () => {
  const dir = corpus();
  const files = listRuleFiles([dir]).files;
  const seen = new Map<number, string>();
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const parsedThere = parseOnTwoThreads(
    files,
    (k) => {
      // Slower here than a real parse, so that the second thread gets files even on a busy machine, where it starts late.
      Atomics.wait(pause, 0, 0, 10);
      assert.ok(!seen.has(k), `file ${k} parsed twice`);
      seen.set(k, JSON.stringify(withoutYamlTrees(readRuleFile(files[k]!))));
    },
    (k, r: ThreadParse) => {
      assert.ok(!seen.has(k), `file ${k} parsed twice`);
      seen.set(k, JSON.stringify(r.parsed));
    },
  );
  assert.ok(parsedThere !== null && parsedThere > 0, `the second thread parsed ${parsedThere} files`);
  assert.equal(seen.size, files.length);
  for (const [k, got] of seen) assert.equal(got, JSON.stringify(withoutYamlTrees(readRuleFile(files[k]!))), files[k]);
});

test('a load on two threads is the load on one, and so is a rule cache it fills', () => {
  const dir = corpus();
  const plain = loadSigmaPaths([dir]);
  assert.ok(plain.rules.length >= PARALLEL_MIN_FILES && plain.rejected.length >= 2 && plain.diagnostics.length >= 2, `${plain.rules.length} rules, ${plain.rejected.length} rejected`);
  assert.deepEqual(loadSigmaPaths([dir], { parallel: true }), plain);
  const listing = listRuleFiles([dir]);
  assert.deepEqual(parseRuleListing(listing, { parallel: true }).map(withoutYamlTrees), parseRuleListing(listing).map(withoutYamlTrees));
  const cacheDir = folder('quarry-parse-thread-cache-');
  const filling = new RuleCache(cacheDir, [dir], () => Date.now() + 60_000);
  const progress: number[] = [];
  assert.deepEqual(loadSigmaPaths([dir], { cache: filling, parallel: true, onFile: (read) => progress.push(read) }), plain);
  assert.deepEqual(progress, Array.from({ length: listing.files.length }, (_, i) => i + 1), 'progress counts every file once, in order');
  assert.equal(filling.stats.written, true);
  const reading = new RuleCache(cacheDir, [dir]);
  assert.deepEqual(loadSigmaPaths([dir], { cache: reading, parallel: true }), plain);
  assert.equal(reading.stats.unread, listing.files.length, 'every file from the cache by its status');
});

for (const [name, script] of [['fails', 'parse-thread-workers/fails.js'], ['goes silent', 'parse-thread-workers/silent.js']] as const) {
  test(`a second thread that ${name} after taking files leaves them to this one`, { skip: !TWO_CORES && 'one processor' }, () => {
    const dir = corpus();
    const files = listRuleFiles([dir]).files;
    const parsedHere = new Set<number>();
    const parsedThere = parseOnTwoThreads(files, (k) => parsedHere.add(k), () => assert.fail('nothing comes from that thread'), { script: new URL(script, import.meta.url), stallMs: 300 });
    assert.equal(parsedThere, 0);
    assert.equal(parsedHere.size, files.length);
  });
}
