import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { listRuleFiles } from '../../src/sigma/load.js';
import { bundledAttack } from '../../src/catalog/attack.js';
import { coverageMatrix, navigatorLayer } from '../../src/catalog/coverage.js';
import { corpusEntries, RULE_FOLDERS, SIGMAHQ } from './corpus.js';

const attack = bundledAttack();
const { entries } = corpusEntries();

/** Straight from the YAML files, without the Sigma loader: technique id → number of documents tagging it. */
function rawTechniqueCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of listRuleFiles(RULE_FOLDERS.map((f) => join(SIGMAHQ, f))).files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const tags = (doc.toJS() as { tags?: unknown } | null)?.tags;
      if (!Array.isArray(tags)) continue;
      const ids = new Set(tags.map(String).filter((t) => /^attack\.t\d{4}(\.\d{3})?$/i.test(t)).map((t) => t.slice(7).toUpperCase()));
      for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

test('technique counts over the whole corpus equal an independent count from the raw tags', () => {
  const raw = rawTechniqueCounts();
  const m = coverageMatrix(entries, attack);
  const seen = new Set<string>();
  for (const tactic of m.tactics) {
    for (const t of tactic.techniques) {
      assert.equal(t.rules, raw.get(t.id) ?? 0, t.id);
      seen.add(t.id);
      for (const s of t.subtechniques ?? []) {
        assert.equal(s.count, raw.get(s.id), s.id);
        seen.add(s.id);
      }
    }
  }
  // Every tagged id is placed in the matrix or listed as not placeable: none is lost.
  for (const u of m.unknown) {
    assert.equal(u.count, raw.get(u.id), u.id);
    seen.add(u.id);
  }
  assert.deepEqual([...raw.keys()].filter((id) => !seen.has(id)), []);
  assert.deepEqual(m.unknown.map((u) => u.id), ['T1686.002']);
  // The rolled-up count of a technique: rules tagging it or one of its sub-techniques, each once.
  const t1071 = m.tactics.find((t) => t.shortname === 'command-and-control')!.techniques.find((t) => t.id === 'T1071')!;
  assert.equal(t1071.count, entries.filter((e) => e.techniques.some((x) => x === 'T1071' || x.startsWith('T1071.'))).length);
  assert.ok(t1071.count > t1071.rules!);
  assert.equal(m.max, Math.max(...m.tactics.flatMap((t) => t.techniques.map((x) => x.count))));
});

test('matrix: tactic columns in v19 order, a technique in every column of its tactics, uncovered techniques listed with 0', () => {
  const m = coverageMatrix(entries, attack);
  assert.deepEqual(m.tactics.map((t) => t.shortname), attack.tactics.map((t) => t.shortname));
  const stealth = m.tactics.find((t) => t.shortname === 'stealth')!;
  const persistence = m.tactics.find((t) => t.shortname === 'persistence')!;
  const bits = stealth.techniques.find((t) => t.id === 'T1197')!;
  assert.equal(bits.name, 'BITS Jobs');
  assert.deepEqual(persistence.techniques.find((t) => t.id === 'T1197'), bits);
  assert.ok(m.tactics.every((t) => t.techniques.every((x) => !x.id.includes('.'))), 'only top-level techniques as rows');
  assert.ok(m.tactics.some((t) => t.techniques.some((x) => x.count === 0)));
  // Following the entries given: only the BITS client rules.
  const bitsOnly = entries.filter((e) => e.path.startsWith('windows/builtin/bits_client/'));
  const small = coverageMatrix(bitsOnly, attack);
  assert.equal(small.max, 7);
  assert.deepEqual(small.tactics.flatMap((t) => t.techniques.filter((x) => x.count).map((x) => `${t.shortname}:${x.id}:${x.count}`)), ['persistence:T1197:7', 'stealth:T1197:7']);
});

test('Navigator layer: format 4.5 shape, one technique per tagged known id, scores = rules', () => {
  const seedRules = entries.filter((e) => e.techniques.includes('T1197') || e.techniques.includes('T1686.002'));
  const layer = navigatorLayer(seedRules, attack, { name: 'BITS', description: 'rules about BITS' }) as Record<string, any>;
  const roundTrip = JSON.parse(JSON.stringify(layer));
  assert.deepEqual(roundTrip, layer, 'plain JSON');
  assert.equal(layer.name, 'BITS');
  assert.equal(layer.description, 'rules about BITS');
  assert.equal(layer.domain, 'enterprise-attack');
  assert.deepEqual(layer.versions, { attack: '19', navigator: '5.2.0', layer: '4.5' });
  assert.ok(Array.isArray(layer.techniques) && layer.techniques.length > 0);
  const ids = layer.techniques.map((t: any) => t.techniqueID);
  assert.deepEqual(ids, [...ids].sort());
  for (const t of layer.techniques) {
    assert.match(t.techniqueID, /^T\d{4}(\.\d{3})?$/);
    assert.ok(attack.techniques[t.techniqueID], t.techniqueID);
    assert.equal(typeof t.score, 'number');
    assert.equal(t.score, seedRules.filter((e) => e.techniques.includes(t.techniqueID)).length);
    assert.equal(typeof t.comment, 'string');
    for (const md of t.metadata) assert.deepEqual(Object.keys(md).sort(), ['name', 'value']);
    assert.equal(t.tactic, undefined, 'scores hold under every tactic of the technique');
  }
  const bits = layer.techniques.find((t: any) => t.techniqueID === 'T1197');
  assert.equal(bits.score, seedRules.filter((e) => e.techniques.includes('T1197')).length);
  assert.match(bits.comment, /Bitsadmin to Uncommon TLD/);
  assert.equal(layer.gradient.colors.length, 2);
  assert.equal(layer.gradient.minValue, 0);
  assert.equal(layer.gradient.maxValue, Math.max(...layer.techniques.map((t: any) => t.score)));
  assert.ok(layer.legendItems.every((l: any) => typeof l.label === 'string' && /^#[0-9a-f]{6}$/i.test(l.color)));
  // Ids the data cannot place are named in the layer's metadata, not silently dropped.
  assert.ok(!ids.includes('T1686.002'));
  const n = seedRules.filter((e) => e.techniques.includes('T1686.002')).length;
  assert.ok(n > 0);
  assert.equal(layer.metadata.find((m: any) => m.name === 'tagged ids not in the ATT&CK data').value, `T1686.002 (${n})`);
});
