// The rule cache from the command line: on by default in the folder QUARRY_CACHE_DIR names (here a
// temporary one), the same output from a warm run, nothing written with --no-cache or QUARRY_CACHE=off;
// the memo of the patterns RE2 accepted (engine/regex-memo.ts) and the facts of prepared rules
// (engine/facts-store.ts) beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
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

test('hunt remembers the patterns RE2 accepted and the prepared rules\' facts beside the rule cache: the same detections and the same refusal from them; --no-cache writes none', () => {
  const rules = folder('quarry-cli-regex-rules-');
  const rule = (name: string, title: string, pattern: string) =>
    writeFileSync(join(rules, name), `title: ${title}\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        CommandLine|re: '${pattern}'\n    condition: sel\nlevel: high\n`);
  rule('encoded.yml', 'Encoded Command', '\\s[-\\u2013](e|en|enc)\\s+[A-Za-z0-9+/=]{16,}');
  rule('mimikatz.yml', 'Sekurlsa', 'sekurlsa::\\w+');
  rule('lookbehind.yml', 'Lookbehind', '(?<=m)\\.exe');
  const args = ['hunt', '--format', 'jsonl', '--rules', rules, join(REPO, 'examples', 'logs', 'sysmon-workstation.json')];
  const dir = cacheDir();
  const first = quarry({ QUARRY_CACHE_DIR: dir }, ...args);
  assert.ok(existsSync(join(dir, 'regex-accepted')), first.stderr);
  assert.equal(readdirSync(join(dir, 'facts')).length, 1, 'the facts of the prepared rules are kept (engine/facts-store.ts)');
  const titles = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l).rule.title as string);
  assert.deepEqual(titles(first.stdout).sort(), ['Encoded Command', 'Sekurlsa']);
  assert.match(first.stderr, /Lookbehind/, 'the rule RE2 refuses is reported');
  const second = quarry({ QUARRY_CACHE_DIR: dir }, ...args);
  assert.equal(second.stdout, first.stdout);
  assert.equal(second.stderr, first.stderr);
  assert.equal(second.status, first.status);
  const none = cacheDir();
  assert.equal(quarry({ QUARRY_CACHE_DIR: none }, 'hunt', '--no-cache', ...args.slice(1)).stdout, first.stdout);
  assert.ok(!existsSync(join(none, 'regex-accepted')));
  assert.ok(!existsSync(join(none, 'facts')));
});

test('hunt --workers 2 from a warm cache (the workers read the rule store and the facts, never write them): the one-thread detections, in order', () => {
  const rules = join(DATA, 'sigmahq', 'rules', 'windows', 'builtin', 'security');
  const args = ['hunt', '--format', 'jsonl', '--rules', rules, join(DATA, 'evtx')];
  const plain = quarry({ QUARRY_CACHE_DIR: cacheDir() }, ...args, '--workers', '1', '--no-cache');
  const lines = plain.stdout.trim().split('\n');
  assert.ok(lines.length > 50, `${lines.length} detections`);
  const dir = cacheDir();
  quarry({ QUARRY_CACHE_DIR: dir }, ...args, '--workers', '1');
  const facts = readdirSync(join(dir, 'facts'));
  const warm = quarry({ QUARRY_CACHE_DIR: dir }, ...args, '--workers', '2');
  assert.equal(warm.status, plain.status, warm.stderr);
  assert.equal(warm.stdout, plain.stdout);
  assert.deepEqual(readdirSync(join(dir, 'facts')), facts);
});
