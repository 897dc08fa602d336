// The conversion cache (src/backends/convert-cache.ts) against converting afresh: the same results
// from a filled store, a changed rule converted again (and only it), another pipeline or target in a
// store of its own, a damaged store or one of another build ignored, and `quarry convert` printing
// the same bytes with it as without. Every cache here lives in a temporary folder, never the user's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { createHash } from 'node:crypto';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { convertCollection } from '../../src/backends/common/convert.js';
import { openConvertCache, type ConvertCache } from '../../src/backends/convert-cache.js';
import { TARGETS } from '../../src/backends/targets.js';
import { resolveConvertPipelines } from '../../src/backends/resolve-pipelines.js';
import { DATA, REPO, tempFolders } from '../helpers.js';

const temp = tempFolders();

/** Real SigmaHQ rules of several log sources (converted, refused for no table, failed), and the examples' correlation with its base rules. */
function ruleFolder(): string {
  const dir = temp('quarry-convert-cache-rules-');
  for (const sub of ['process_creation', 'registry/registry_set', 'builtin/security']) {
    const from = join(DATA, 'sigmahq/rules/windows', sub);
    for (const f of readdirSync(from).filter((f) => f.endsWith('.yml')).slice(0, 40)) copyFileSync(join(from, f), join(dir, `${sub.replace(/\//g, '_')}_${f}`));
  }
  for (const sub of ['rules', 'correlations']) for (const f of readdirSync(join(REPO, 'examples', sub)).filter((f) => f.endsWith('.yml') && !f.endsWith('.test.yml'))) copyFileSync(join(REPO, 'examples', sub, f), join(dir, f));
  return dir;
}

const env = (dir: string): NodeJS.ProcessEnv => ({ QUARRY_CACHE_DIR: dir });
function convertWith(rules: string, dir: string, target = 'kql', pipeline = 'sentinel-asim') {
  const col = loadSigmaPaths([rules]);
  const pipelines = resolveConvertPipelines(target, [pipeline]);
  const backend = TARGETS[target]!.backend;
  const cache = openConvertCache(target, backend, pipelines, col.filters, env(dir))!;
  const results = convertCollection(col, backend, pipelines, { cache });
  cache.save();
  return { results, cache, plain: convertCollection(col, backend, pipelines) };
}
const outcomes = (r: ReturnType<typeof convertWith>['results']) => r.map((x) => [x.document.file, x.result.ok ? 'ok' : x.result.code]);

test('a filled store gives the same results as converting afresh, and is not rewritten', () => {
  const rules = ruleFolder();
  const dir = temp('quarry-convert-cache-');
  const first = convertWith(rules, dir);
  assert.deepEqual(first.results, first.plain);
  const codes = new Set(first.results.map((r) => (r.result.ok ? 'ok' : r.result.code)));
  assert.ok(['ok', 'no-table', 'pipeline-failure', 'correlation-base'].every((c) => codes.has(c)), [...codes].join(', '));
  assert.deepEqual([first.cache.stats.state, first.cache.stats.hits, first.cache.stats.written], ['absent', 0, true]);
  const second = convertWith(rules, dir);
  assert.deepEqual(second.results, second.plain);
  assert.equal(second.cache.stats.state, 'used');
  assert.equal(second.cache.stats.misses, 0);
  // Every rule but the correlation's base rules (decided before the cache) came from the store.
  assert.equal(second.cache.stats.hits, first.cache.stats.misses);
  assert.equal(second.cache.stats.written, false);
});

test('a changed rule is converted again, and only it; a removed one leaves the store', () => {
  const rules = ruleFolder();
  const dir = temp('quarry-convert-cache-');
  const first = convertWith(rules, dir);
  const file = readdirSync(rules).find((f) => f.startsWith('process_creation_'))!;
  const text = readFileSync(join(rules, file), 'utf8');
  // The same rule for another log source: no ASIM table for it any more.
  writeFileSync(join(rules, file), text.replace(/category: process_creation/, 'category: image_load'));
  const second = convertWith(rules, dir);
  assert.deepEqual(second.results, second.plain);
  assert.deepEqual([second.cache.stats.hits, second.cache.stats.misses], [first.cache.stats.misses - 1, 1]);
  const changed = second.results.find((r) => r.document.file.endsWith(file))!;
  assert.equal(!changed.result.ok && changed.result.code, 'no-table');
  rmSync(join(rules, file));
  const third = convertWith(rules, dir);
  assert.deepEqual(third.results, third.plain);
  assert.equal(third.cache.stats.written, true, 'a rule gone: the store is rewritten without it');
});

test('another pipeline or target has a store of its own', () => {
  const rules = ruleFolder();
  const dir = temp('quarry-convert-cache-');
  convertWith(rules, dir);
  const event = convertWith(rules, dir, 'kql', 'sentinel-event');
  assert.deepEqual([event.cache.stats.state, event.cache.stats.hits], ['absent', 0]);
  assert.notDeepEqual(outcomes(event.results), outcomes(convertWith(rules, dir).results));
  const spl = convertWith(rules, dir, 'spl', 'splunk-windows');
  assert.deepEqual([spl.cache.stats.state, spl.cache.stats.hits], ['absent', 0]);
  assert.deepEqual(spl.results, spl.plain);
  assert.equal(readdirSync(join(dir, 'convert')).filter((f) => f.endsWith('.bin')).length, 3);
});

test('a damaged store, one of another build or format, is ignored and the rules converted again', () => {
  const rules = ruleFolder();
  const dir = temp('quarry-convert-cache-');
  const { cache } = convertWith(rules, dir);
  const path = (cache as ConvertCache).path;
  const good = readFileSync(path);
  const flipped = Buffer.from(good);
  flipped[flipped.length - 100]! ^= 0xff;
  const magic = good.subarray(0, good.indexOf(0x0a) + 1);
  const payload = serialize({ build: 'another build', entries: new Map() });
  const otherBuild = Buffer.concat([magic, createHash('sha256').update(payload).digest(), payload]);
  for (const [bytes, state] of [
    [flipped, 'corrupt'],
    [good.subarray(0, 20), 'corrupt'],
    [Buffer.from('not a store at all'), 'corrupt'],
    [otherBuild, 'other-build'],
  ] as const) {
    writeFileSync(path, bytes);
    const again = convertWith(rules, dir);
    assert.equal(again.cache.stats.state, state);
    assert.equal(again.cache.stats.hits, 0);
    assert.deepEqual(again.results, again.plain);
    assert.equal(again.cache.stats.written, true, 'the store is written anew');
  }
  assert.equal(convertWith(rules, dir).cache.stats.state, 'used');
});

test('QUARRY_CONVERT_CACHE=off and QUARRY_CACHE=off turn it off', () => {
  const backend = TARGETS.kql!.backend;
  const pipelines = resolveConvertPipelines('kql', ['sentinel-asim']);
  assert.equal(openConvertCache('kql', backend, pipelines, [], { QUARRY_CACHE_DIR: '/tmp/x', QUARRY_CONVERT_CACHE: 'off' }), null);
  assert.equal(openConvertCache('kql', backend, pipelines, [], { QUARRY_CACHE: 'off' }), null);
  assert.ok(openConvertCache('kql', backend, pipelines, [], { QUARRY_CACHE_DIR: '/tmp/x' }));
});

test('quarry convert prints the same bytes and exit status from the store as converting afresh', () => {
  const rules = ruleFolder();
  const dir = temp('quarry-convert-cache-');
  const run = (extra: NodeJS.ProcessEnv, ...args: string[]) => {
    const r = spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), 'convert', '--target', 'kql', '--pipeline', 'sentinel-asim', ...args, rules], { env: { ...process.env, QUARRY_CACHE_DIR: dir, ...extra }, encoding: 'utf8' });
    return [r.status, r.stdout, r.stderr];
  };
  for (const format of ['text', 'json']) {
    const fresh = run({ QUARRY_CONVERT_CACHE: 'off' }, '--format', format);
    assert.equal(fresh[0], 3);
    assert.deepEqual(run({}, '--format', format), fresh, `${format}: filling the store`);
    assert.deepEqual(run({}, '--format', format), fresh, `${format}: from the store`);
  }
  assert.equal(readdirSync(join(dir, 'convert')).length, 1, 'one store for the target and pipeline, whatever the format');
});
