// A cache folder of stores stays bounded (src/sigma/store-file.ts): each write keeps the stores used
// most recently and removes the rest, those unused for a month, and temporary files left by writers
// that died; reading a store marks it used, so a store read every day is never removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPACT_PAYLOAD, readStore, STORE_MAX_AGE_MS, STORES_KEPT, writeStore, type StoreStats } from '../../src/sigma/store-file.js';
import { RuleCache } from '../../src/sigma/rule-cache.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { ruleWith, tempFolders } from '../helpers.js';

const temp = tempFolders();
const MAGIC = Buffer.from('QUARRY-TEST-STORE-1\n');
const DAY = 24 * 3600 * 1000;
const stats = (): StoreStats => ({ state: 'absent', written: false });

/** Writes a real store named `name` in `dir`, last used `daysAgo` days ago. */
function storeUsed(dir: string, name: string, daysAgo: number): string {
  const file = join(dir, name);
  writeStore(file, MAGIC, COMPACT_PAYLOAD, 'build', new Map([['k', name]]), stats());
  const when = new Date(Date.now() - daysAgo * DAY);
  utimesSync(file, when, when);
  return file;
}

test('a write keeps the most recently used stores and removes the rest, the old ones and dead writers\' temporary files', () => {
  const dir = temp('quarry-prune-');
  // More stores than are kept, each used a day before the next (s00 the most recent); one unused
  // for longer than the age limit among the recent ones' count.
  const names = Array.from({ length: STORES_KEPT + 5 }, (_, i) => `s${String(i).padStart(2, '0')}.bin`);
  names.forEach((n, i) => storeUsed(dir, n, i * 0.5));
  const stale = storeUsed(dir, 'stale.bin', STORE_MAX_AGE_MS / DAY + 1);
  const deadTmp = join(dir, 's00.bin.123.abcdef.tmp');
  const liveTmp = join(dir, 's01.bin.456.abcdef.tmp');
  writeFileSync(deadTmp, 'half a store');
  writeFileSync(liveTmp, 'being written');
  utimesSync(deadTmp, new Date(Date.now() - 2 * 3600 * 1000), new Date(Date.now() - 2 * 3600 * 1000));
  const other = join(dir, 'regex-accepted');
  writeFileSync(other, 'not a store of this folder');
  utimesSync(other, new Date(0), new Date(0));

  const written = storeUsed(dir, 'new.bin', 0);
  utimesSync(written, new Date(), new Date());
  const left = readdirSync(dir).sort();
  const stores = left.filter((n) => n.endsWith('.bin'));
  assert.equal(stores.length, STORES_KEPT, 'the written store and the most recently used others');
  assert.ok(stores.includes('new.bin'));
  // The newest STORES_KEPT - 1 of the others stay, in order of use; older ones go.
  assert.deepEqual(stores.filter((n) => n !== 'new.bin'), names.slice(0, STORES_KEPT - 1));
  assert.ok(!existsSync(stale), 'unused for longer than the age limit');
  assert.ok(!existsSync(deadTmp), 'a temporary file of a writer that died');
  assert.ok(existsSync(liveTmp), 'a temporary file being written now');
  assert.ok(existsSync(other), 'a file that is not a store');
});

test('reading a store marks it used: an old store read again is kept when others are written', () => {
  const dir = temp('quarry-prune-');
  const old = storeUsed(dir, 'old.bin', 20);
  const s = stats();
  assert.deepEqual(readStore(old, MAGIC, COMPACT_PAYLOAD, 'build', s), new Map([['k', 'old.bin']]));
  assert.equal(s.state, 'used');
  assert.ok(Date.now() - statSync(old).mtimeMs < DAY, 'its time is now the time it was read');
  for (let i = 0; i < STORES_KEPT; i++) storeUsed(dir, `n${i}.bin`, 1 + i * 0.01);
  assert.ok(existsSync(old), 'used more recently than the stores written since, it stays');
  storeUsed(dir, 'last.bin', 0);
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.bin')).length, STORES_KEPT);
});

test('the rule cache: one store per set of rule paths, no more than are kept', () => {
  const cacheDir = temp('quarry-prune-cache-');
  const rules = temp('quarry-prune-rules-');
  for (let i = 0; i < STORES_KEPT + 3; i++) {
    const folder = join(rules, `set${i}`);
    mkdirSync(folder);
    writeFileSync(join(folder, 'r.yml'), ruleWith(`sel:\n    Image|endswith: '\\\\tool${i}.exe'\ncondition: sel`));
    const cache = new RuleCache(cacheDir, [folder]);
    assert.equal(loadSigmaPaths([folder], { cache }).rules.length, 1);
  }
  assert.equal(readdirSync(join(cacheDir, 'rules')).filter((n) => n.endsWith('.bin')).length, STORES_KEPT);
  // The most recent set is read from its store.
  const last = join(rules, `set${STORES_KEPT + 2}`);
  const cache = new RuleCache(cacheDir, [last]);
  loadSigmaPaths([last], { cache });
  assert.equal(cache.stats.state, 'used');
  assert.equal(cache.stats.hits, 1);
});
