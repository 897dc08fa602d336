// The rule cache from the command line: on by default in the folder QUARRY_CACHE_DIR names (here a
// temporary one), the same output from a warm run, nothing written with --no-cache or QUARRY_CACHE=off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DATA, REPO, tempFolders } from '../helpers.js';

const RULES = join(DATA, 'sigmahq', 'rules', 'windows', 'powershell');
const folder = tempFolders();
const cacheDir = () => folder('quarry-cli-cache-');
const quarry = (env: NodeJS.ProcessEnv, ...args: string[]) =>
  spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), ...args], { encoding: 'utf8', cwd: REPO, env: { ...process.env, QUARRY_CACHE: '', ...env } });
const stores = (dir: string) => (existsSync(join(dir, 'rules')) ? readdirSync(join(dir, 'rules')) : []);

test('validate keeps its parses in QUARRY_CACHE_DIR and prints the same from them', () => {
  const dir = cacheDir();
  const cold = quarry({ QUARRY_CACHE_DIR: dir }, 'validate', '--format', 'json', RULES);
  assert.equal(stores(dir).length, 1);
  const warm = quarry({ QUARRY_CACHE_DIR: dir }, 'validate', '--format', 'json', RULES);
  assert.ok(cold.stdout.split('\n').length > 100);
  assert.equal(warm.stdout, cold.stdout);
  assert.equal(warm.status, cold.status);
  assert.equal(quarry({ QUARRY_CACHE_DIR: dir }, 'validate', '--no-cache', '--format', 'json', RULES).stdout, cold.stdout);
});

test('--no-cache and QUARRY_CACHE=off write nothing; XDG_CACHE_HOME is used when QUARRY_CACHE_DIR is not set', () => {
  const dir = cacheDir();
  assert.equal(quarry({ QUARRY_CACHE_DIR: dir }, 'validate', '--no-cache', RULES).status, 0);
  assert.equal(quarry({ QUARRY_CACHE_DIR: dir, QUARRY_CACHE: 'off' }, 'validate', RULES).status, 0);
  assert.deepEqual(stores(dir), []);
  const xdg = cacheDir();
  assert.equal(quarry({ QUARRY_CACHE_DIR: '', XDG_CACHE_HOME: xdg }, 'validate', RULES).status, 0);
  assert.equal(stores(join(xdg, 'quarry')).length, 1);
});

test('stack --rules reads its rules through the cache too, with the same output; --no-cache writes nothing', () => {
  const dir = cacheDir();
  const args = ['stack', '--by', 'EventID', '--format', 'jsonl', '--rules', join(REPO, 'examples', 'rules'), join(REPO, 'examples', 'logs')];
  const cold = quarry({ QUARRY_CACHE_DIR: dir }, ...args);
  assert.equal(stores(dir).length, 1, cold.stderr);
  assert.ok(cold.stdout.split('\n').length > 3, 'the example rules select events to stack');
  const warm = quarry({ QUARRY_CACHE_DIR: dir }, ...args);
  assert.equal(warm.stdout, cold.stdout);
  assert.equal(warm.status, cold.status);
  const none = cacheDir();
  assert.equal(quarry({ QUARRY_CACHE_DIR: none }, ...args.slice(0, 1), '--no-cache', ...args.slice(1)).stdout, cold.stdout);
  assert.deepEqual(stores(none), []);
});
