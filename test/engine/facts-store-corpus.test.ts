// The facts store over every rules* folder of SigmaHQ under the `windows` pipeline: a rule set built
// from kept facts equals the one prepared in full, fact for fact, IR for IR (made lazily), rule
// left out for rule left out; and a detector on it finds the same detections in the same order, with
// the prefilter and on its plain path, over the regression events and every record of the public
// EVTX samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { RuleCache } from '../../src/sigma/rule-cache.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { prepareRules, type PreparedRules } from '../../src/engine/rulebook.js';
import { factsBesideRuleCache, type FactsStore } from '../../src/engine/facts-store.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { Detector } from '../../src/engine/detector.js';
import { openEvtxSource } from '../../src/sources/evtx-source.js';
import { openSource } from '../../src/sources/open-source.js';
import { DATA, tempFolders } from '../helpers.js';

const FOLDERS = readdirSync(join(DATA, 'sigmahq'))
  .filter((d) => d.startsWith('rules'))
  .sort()
  .map((d) => join(DATA, 'sigmahq', d));
const dir = tempFolders()('quarry-facts-corpus-');
const pipelines = [builtinPipeline('windows')!];

/** The rules loaded through the rule cache and prepared with the facts store beside it (its stats too). */
function prepareWithFacts(): { prepared: PreparedRules; stats: FactsStore['stats'] } {
  const cache = new RuleCache(dir, FOLDERS);
  const col = loadSigmaPaths(FOLDERS, { cache });
  let store: FactsStore | null = null;
  const open = factsBesideRuleCache(cache, true);
  const prepared = prepareRules(col, { pipelines, regex: re2Regex, facts: (p) => (store = open(p)) });
  assert.ok(store, 'a store for the windows pipeline');
  return { prepared, stats: (store as FactsStore).stats };
}

const full = prepareRules(loadSigmaPaths(FOLDERS), { pipelines, regex: re2Regex });
const filling = prepareWithFacts();
const kept = prepareWithFacts();

test('the first run fills the store, the second takes every rule from it', () => {
  assert.ok(full.set.rules.length > 3700, `${full.set.rules.length} rules`);
  assert.equal(filling.stats.state, 'absent');
  assert.equal(filling.stats.written, true);
  assert.equal(filling.stats.misses, full.set.rules.length + full.set.notRunnable.length);
  assert.equal(kept.stats.state, 'used');
  assert.equal(kept.stats.misses, 0);
  assert.equal(kept.stats.hits, full.set.rules.length + full.set.notRunnable.length);
  assert.equal(kept.stats.written, false, 'nothing changed: not written again');
});

test('the rule set from kept facts is the rule set prepared in full', () => {
  for (const { prepared } of [filling, kept]) {
    const got = prepared.set;
    assert.deepEqual(
      got.rules.map((r) => r.facts),
      full.set.rules.map((r) => r.facts),
    );
    assert.deepEqual([...got.fields], [...full.set.fields]);
    assert.deepEqual(got.prefilter.anchored, full.set.prefilter.anchored);
    assert.deepEqual(got.index.windowsWide.map((r) => r.index), full.set.index.windowsWide.map((r) => r.index));
    assert.deepEqual(got.index.guarded.map((r) => r.index), full.set.index.guarded.map((r) => r.index));
    assert.deepEqual(got.notRunnable.map((n) => [n.ir.rule.file, n.at, n.reason]), full.set.notRunnable.map((n) => [n.ir.rule.file, n.at, n.reason]));
    assert.deepEqual(prepared.skipped.map((s) => [s.rule.file, s.kind, s.reason, s.at]), full.skipped.map((s) => [s.rule.file, s.kind, s.reason, s.at]));
    // Made when asked for, from the same rule down the same path (compared as text: a deep
    // comparison of 3,700 IRs, each holding its processed rule, takes minutes).
    assert.deepEqual(got.rules.map((r) => canonical(r.ir)), full.set.rules.map((r) => canonical(r.ir)));
  }
});

/**
 * An IR as exact text: Maps as their entries, undefined values kept, bigints as digits; a test's
 * origin item (shared by every value of its list: written out for each, the Emoji rules' texts would
 * be a million values long) as a hash of its own text, made once per item.
 */
function canonical(ir: unknown): string {
  return JSON.stringify(ir, (key, v: unknown) => {
    if (key === 'item' && v && typeof v === 'object') {
      let text = itemTexts.get(v);
      if (text === undefined) itemTexts.set(v, (text = createHash('sha256').update(canonical(v)).digest('base64')));
      return text;
    }
    return v instanceof Map ? { map: [...v] } : v === undefined ? '(undefined)' : typeof v === 'bigint' ? `${v}n` : v;
  });
}
const itemTexts = new WeakMap<object, string>();

async function events(root: string, ext: string, read: (file: string) => AsyncIterable<{ event: Record<string, unknown> }>): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (const sub of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort())
    for (const f of readdirSync(join(root, sub)).filter((f) => f.endsWith(ext)).sort()) for await (const r of read(join(root, sub, f))) out.push(r.event);
  return out;
}

test('a detector on kept facts finds the detections of the rules prepared in full, in order, with the prefilter and without', async () => {
  const regression = await events(join(DATA, 'sigma-regression'), '.json', async function* (f) {
    yield* (await openSource(f)).records();
  });
  const evtx = await events(join(DATA, 'evtx'), '.evtx', (f) => openEvtxSource(f).records());
  // A fresh run from the store: no rule's IR made yet.
  const fresh = prepareWithFacts().prepared.set;
  const detectors = {
    full: new Detector(full.set, { regex: re2Regex }),
    kept: new Detector(fresh, { regex: re2Regex }),
    keptPlain: new Detector(fresh, { regex: re2Regex, prefilter: false }),
  };
  let detections = 0;
  for (const e of [...regression, ...evtx]) {
    const want = detectors.full.next(structuredClone(e)).matches.map((m) => [m.rule.index, m.rule.ir.rule.title, m.matched]);
    for (const d of [detectors.kept, detectors.keptPlain]) assert.deepEqual(d.next(structuredClone(e)).matches.map((m) => [m.rule.index, m.rule.ir.rule.title, m.matched]), want, `${String(e.Channel)} ${String(e.EventRecordID)}`);
    detections += want.length;
  }
  assert.ok(regression.length > 100 && evtx.length > 10_000 && detections > 500, `${regression.length} + ${evtx.length} events, ${detections} detections`);
});
