import { test } from 'node:test';
import { V19_NAME_SOURCES, V19_TECHNIQUE_NAME_SOURCES, V19_TECHNIQUE_NAMES } from '../../src/catalog/v19-names.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA } from '../helpers.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { bundledAttack, resolveTags } from '../../src/catalog/attack.js';
import { attackDataSource, readSharedAttack, ATTACK_DATA_FILE } from '../../src/catalog/generate.js';

const attack = bundledAttack();
const SEED = join(DATA, 'sigmahq/rules/web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml');
const BITS = join(DATA, 'sigmahq/rules/windows/builtin/bits_client');

test('the embedded ATT&CK copy is a fresh generation from the shared data (regenerate with catalog/generate.ts)', () => {
  const { base, overlay } = readSharedAttack(join(DATA, 'attack'));
  assert.equal(readFileSync(ATTACK_DATA_FILE, 'utf8'), attackDataSource(base, overlay));
});

test('the MITRE license notice travels with the embedded copy', () => {
  const ours = readFileSync('src/catalog/ATTACK-LICENSE.txt', 'utf8');
  assert.equal(ours, readFileSync(join(DATA, 'LICENSES/mitre-cti-LICENSE.txt'), 'utf8'));
  assert.match(readFileSync(ATTACK_DATA_FILE, 'utf8'), /ATTACK-LICENSE\.txt/);
});

test('bundled tactics: v19 matrix order, Stealth and Defense Impairment in place of Defense Evasion', () => {
  const names = attack.tactics.map((t) => t.shortname);
  assert.deepEqual(names, [
    'reconnaissance', 'resource-development', 'initial-access', 'execution', 'persistence', 'privilege-escalation',
    'stealth', 'defense-impairment', 'credential-access', 'discovery', 'lateral-movement', 'collection',
    'command-and-control', 'exfiltration', 'impact',
  ]);
  assert.deepEqual(attack.tactics.map((t) => t.order), names.map((_, i) => i + 1));
  assert.equal(attack.tactics.find((t) => t.shortname === 'stealth')!.id, 'TA0005');
  assert.equal(attack.tactics.find((t) => t.shortname === 'defense-impairment')!.id, 'TA0112');
  assert.deepEqual(attack.retiredTactics['defense-evasion'], { id: 'TA0005', name: 'Defense Evasion', replacedBy: ['stealth', 'defense-impairment'] });
  // No technique is left under a tactic that is not a column.
  for (const t of Object.values(attack.techniques)) for (const x of t.tactics) assert.ok(names.includes(x), `${t.id}: ${x}`);
});

test('bundled techniques: v19 tactics from the overlay, new v19 ids named from v19-names.ts where the overlay has none, 18.1 names kept', () => {
  const overlay = JSON.parse(readFileSync(join(DATA, 'attack/v19-overlay.json'), 'utf8')) as { techniques: Array<{ id: string; name: string | null; tactics: string[] }> };
  for (const o of overlay.techniques) {
    const t = attack.techniques[o.id]!;
    assert.ok(t, o.id);
    assert.deepEqual([...t.tactics].sort(), [...o.tactics].sort(), o.id);
    assert.equal(t.name, o.name ?? V19_TECHNIQUE_NAMES[o.id] ?? null, o.id);
    assert.equal(t.inferredTactics, undefined);
  }
  assert.equal(attack.techniques['T1685']!.name, 'Disable or Modify Tools');
  assert.equal(attack.techniques['T1690']!.name, 'Prevent Command History Logging');
  // Every id new in v19 has a name (the overlay's or a recorded one), and every recorded name says where it was read.
  for (const o of overlay.techniques.filter((x) => (x as { new_in_v19?: boolean }).new_in_v19)) assert.ok(attack.techniques[o.id]!.name, `${o.id} has no name`);
  assert.equal(attack.techniques['T1685.002']!.name, 'Disable or Modify Cloud Log');
  assert.equal(attack.techniques['T1686.003']!.name, 'Windows Host Firewall');
  for (const [id, v] of Object.entries(V19_TECHNIQUE_NAME_SOURCES)) {
    assert.ok(v.sources.length > 0 && v.sources.every((s) => V19_NAME_SOURCES[s]), id);
    assert.ok(overlay.techniques.some((o) => o.id === id), `${id}: a name for an id the data does not hold`);
  }
  assert.deepEqual(attack.techniques['T1685']!.tactics, ['defense-impairment']);
  assert.equal(attack.techniques['T1071.001']!.name, 'Web Protocols');
  assert.equal(attack.techniques['T1071.001']!.parent, 'T1071');
  assert.equal(attack.techniques['T1071.001']!.url, 'https://attack.mitre.org/techniques/T1071/001');
  // An 18.1 Defense Evasion technique the overlay does not cover goes to Stealth, marked as inferred.
  assert.deepEqual(attack.techniques['T1027.006']!.tactics, ['stealth']);
  assert.equal(attack.techniques['T1027.006']!.inferredTactics, true);
  assert.equal(attack.groups['G0010']!.name, 'Turla');
  assert.equal(attack.software['S0190']!.name, 'BITSAdmin');
});

function docTags(file: string): string[][] {
  const col = loadSigmaPaths([file]);
  assert.equal(col.rejected.length, 0);
  return col.rules.map((r) => r.tags);
}

test('resolveTags on the seed rule: tactics, technique, sub-technique with parent, software', () => {
  const [tags] = docTags(SEED);
  const r = resolveTags(tags!, attack);
  assert.equal(r.length, tags!.length, 'no tag dropped');
  const by = Object.fromEntries(r.map((x) => [x.tag, x]));
  assert.deepEqual(
    { kind: by['attack.t1197']!.kind, id: by['attack.t1197']!.id, name: by['attack.t1197']!.name, known: by['attack.t1197']!.known },
    { kind: 'technique', id: 'T1197', name: 'BITS Jobs', known: true },
  );
  assert.equal(by['attack.t1071.001']!.name, 'Web Protocols');
  assert.equal(by['attack.t1071.001']!.parent, 'T1071');
  assert.equal(by['attack.command-and-control']!.kind, 'tactic');
  assert.equal(by['attack.command-and-control']!.id, 'TA0011');
  assert.equal(by['attack.command-and-control']!.name, 'Command and Control');
  assert.deepEqual([by['attack.stealth']!.id, by['attack.stealth']!.name, by['attack.stealth']!.known], ['TA0005', 'Stealth', true]);
  assert.deepEqual([by['attack.s0190']!.kind, by['attack.s0190']!.name], ['software', 'BITSAdmin']);
});

test('resolveTags on the BITS client rules: every attack tag known', () => {
  const all = docTags(BITS);
  assert.equal(all.length, 7);
  for (const tags of all) {
    const r = resolveTags(tags, attack);
    assert.deepEqual(r.map((x) => x.tag), tags);
    for (const x of r) assert.ok(x.known && x.name, x.tag);
    assert.deepEqual(r.filter((x) => x.kind === 'technique').map((x) => x.name), ['BITS Jobs']);
  }
});

test('attack.defense-evasion: retired by v19, narrowed to the tactics of the rule techniques', () => {
  const [plain] = resolveTags(['attack.defense-evasion'], attack);
  assert.equal(plain!.kind, 'tactic');
  assert.equal(plain!.known, true);
  assert.deepEqual(plain!.current, ['stealth', 'defense-impairment']);
  assert.match(plain!.note!, /replaced by Stealth and Defense Impairment/);
  const withStealth = resolveTags(['attack.defense_evasion', 'attack.t1197'], attack)[0]!;
  assert.deepEqual(withStealth.current, ['stealth']);
  assert.match(withStealth.note!, /this rule's techniques belong to Stealth/);
  const withImpair = resolveTags(['attack.defense-evasion', 'attack.t1685'], attack)[0]!;
  assert.deepEqual(withImpair.current, ['defense-impairment']);
  // An inferred (18.1-only) technique does not narrow.
  assert.deepEqual(resolveTags(['attack.defense-evasion', 'attack.t1027.006'], attack)[0]!.current, ['stealth', 'defense-impairment']);
  const di = resolveTags(['attack.defense-impairment'], attack)[0]!;
  assert.deepEqual([di.id, di.name, di.current], ['TA0112', 'Defense Impairment', ['defense-impairment']]);
});

test('unknown and retired ids are kept, other namespaces are kind other', () => {
  const r = resolveTags(['attack.t1686.002', 'attack.t9999', 'attack.t1086', 'attack.g0010', 'attack.g9999', 'attack.ds0005', 'attack.bogus', 'cve.2021-44228', 'car.2013-05-004', 'detection.threat-hunting', 'tlp.white'], attack);
  assert.equal(r.length, 11);
  assert.deepEqual(r.map((x) => [x.kind, x.id, x.known]), [
    ['technique', 'T1686.002', false],
    ['technique', 'T9999', false],
    ['technique', 'T1086', true],
    ['group', 'G0010', true],
    ['group', 'G9999', false],
    ['other', 'DS0005', true],
    ['tactic', null, false],
    ['other', 'CVE-2021-44228', true],
    ['other', 'CAR-2013-05-004', true],
    ['other', null, true],
    ['other', null, true],
  ]);
  assert.equal(r[0]!.parent, 'T1686');
  assert.match(r[2]!.note!, /revoked .* replaced by T1059\.001/);
  assert.equal(r[2]!.name, 'PowerShell');
  assert.equal(r[7]!.url, 'https://nvd.nist.gov/vuln/detail/CVE-2021-44228');
});
