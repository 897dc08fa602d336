// The rule cache over the whole SigmaHQ corpus (every folder, unsupported/ and other/ included, so
// that rejected documents, legacy collections and warnings are covered): a load from the cache equals
// the plain load, rule for rule, diagnostic for diagnostic, position for position; the rules compiled
// from it are the same; the explorer started from it serves the same catalog; and `quarry validate`
// prints the same bytes cold, while filling the cache and warm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadSigmaPaths, type SigmaCollection } from '../../src/sigma/load.js';
import { RuleCache } from '../../src/sigma/rule-cache.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { prepareRules } from '../../src/engine/rulebook.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { findAnchor } from '../../src/engine/prefilter.js';
import { loadExplorerState } from '../../src/server/explorer-state.js';
import { bundledAttack } from '../../src/catalog/attack.js';
import { DATA, REPO, tempFolders } from '../helpers.js';

const SIGMAHQ = join(DATA, 'sigmahq');
const FOLDERS = readdirSync(SIGMAHQ).map((f) => join(SIGMAHQ, f)).filter((p) => statSync(p).isDirectory());
const folder = tempFolders();
const temp = () => folder('quarry-cache-corpus-');

const dir = temp();
let plain: SigmaCollection;
let cached: SigmaCollection;

test('the whole corpus from the cache equals the plain load', () => {
  plain = loadSigmaPaths(FOLDERS);
  const filling = new RuleCache(dir, FOLDERS);
  assert.deepEqual(loadSigmaPaths(FOLDERS, { cache: filling }), plain);
  assert.equal(filling.stats.written, true);
  const reading = new RuleCache(dir, FOLDERS);
  cached = loadSigmaPaths(FOLDERS, { cache: reading });
  assert.equal(reading.stats.hits, plain.files);
  assert.ok(plain.rules.length > 3900 && plain.rejected.length > 50 && plain.diagnostics.length > 100, `${plain.rules.length} rules, ${plain.rejected.length} rejected, ${plain.diagnostics.length} diagnostics`);
  assert.deepEqual(cached, plain);
});

test('the rules compiled from the cached corpus are those compiled from the plain load', () => {
  const opts = { pipelines: [builtinPipeline('windows')!], regex: re2Regex };
  const a = prepareRules(plain, opts);
  const b = prepareRules(cached, opts);
  assert.ok(a.set.rules.length > 3800, `${a.set.rules.length} compiled`);
  // The matchers are closures: what they were compiled from, in order, and what the index and
  // prefilter read from it must be the same.
  assert.deepEqual(b.set.rules.map((r) => r.ir), a.set.rules.map((r) => r.ir));
  assert.deepEqual(b.set.rules.map((r) => findAnchor(r.ir.detection)), a.set.rules.map((r) => findAnchor(r.ir.detection)));
  assert.deepEqual(b.set.prefilter.anchored, a.set.prefilter.anchored);
  assert.deepEqual(b.set.notRunnable.map((n) => [n.ir.rule.file, n.reason]), a.set.notRunnable.map((n) => [n.ir.rule.file, n.reason]));
  assert.deepEqual(b.skipped.map((s) => [s.rule.file, s.kind, s.reason, s.at]), a.skipped.map((s) => [s.rule.file, s.kind, s.reason, s.at]));
  assert.deepEqual([b.filtered, b.filterNotes], [a.filtered, a.filterNotes]);
});

test('the explorer started from the cache has the same documents, keys and catalog entries', () => {
  const roots = FOLDERS.filter((f) => f.split('/').pop()!.startsWith('rules'));
  const attack = bundledAttack();
  const explorerDir = temp();
  const want = loadExplorerState(roots, attack);
  const filling = new RuleCache(explorerDir, roots);
  loadExplorerState(roots, attack, { cache: filling });
  const reading = new RuleCache(explorerDir, roots);
  const got = loadExplorerState(roots, attack, { cache: reading });
  assert.equal(reading.stats.state, 'used');
  assert.equal(reading.stats.misses, 0);
  assert.ok(want.documents.length > 3000);
  assert.deepEqual(got.col, want.col);
  assert.deepEqual(
    got.documents.map((d) => [d.key, d.path, d.root.label, d.entry]),
    want.documents.map((d) => [d.key, d.path, d.root.label, d.entry]),
  );
});

test('quarry validate on the corpus prints the same bytes without the cache, while filling it and from it', () => {
  const cacheDir = temp();
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), 'validate', ...args, ...FOLDERS], { encoding: 'utf8', cwd: REPO, env: { ...process.env, QUARRY_CACHE: '', QUARRY_CACHE_DIR: cacheDir }, maxBuffer: 64 << 20 });
    return [r.status, r.stdout, r.stderr];
  };
  for (const format of ['text', 'json']) {
    const cold = run('--no-cache', '--format', format);
    // Every folder: rejected documents and warnings are printed, with their positions.
    assert.equal(cold[0], 1);
    assert.match(cold[1] as string, format === 'json' ? /"line":\d+,"col":\d+/ : /\.yml:\d+:\d+: error \[/);
    assert.ok((cold[1] as string).length > 10_000, `validate printed ${(cold[1] as string).length} bytes`);
    assert.deepEqual(run('--format', format), cold, `${format}: filling the cache`);
    assert.deepEqual(run('--format', format), cold, `${format}: from the cache`);
  }
  assert.equal(readdirSync(join(cacheDir, 'rules')).length, 1);
});
