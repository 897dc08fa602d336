import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attackFromStixBundle, resolveTags } from '../../src/catalog/attack.js';
import { readAttackFile } from '../../src/catalog/attack-file.js';
import { catalogEntry } from '../../src/catalog/entry.js';
import { coverageMatrix, navigatorLayer } from '../../src/catalog/coverage.js';
import { parseRule } from '../helpers.js';

const ref = (id: string, kind: string) => [{ source_name: 'mitre-attack', external_id: id, url: `https://attack.mitre.org/${kind}/${id.replace('.', '/')}` }];
const tactic = (n: number, id: string, shortname: string, name: string, extra: object = {}) => ({
  type: 'x-mitre-tactic', spec_version: '2.1', id: `x-mitre-tactic--0000000${n}-0000-4000-8000-000000000000`, name, x_mitre_shortname: shortname, external_references: ref(id, 'tactics'), ...extra,
});
const pattern = (n: number, id: string, name: string, phases: string[], extra: object = {}) => ({
  type: 'attack-pattern', spec_version: '2.1', id: `attack-pattern--0000000${n}-0000-4000-8000-000000000000`, name,
  kill_chain_phases: phases.map((p) => ({ kill_chain_name: 'mitre-attack', phase_name: p })),
  external_references: [...ref(id, 'techniques'), { source_name: 'capec', external_id: 'CAPEC-1' }],
  x_mitre_is_subtechnique: id.includes('.'), x_mitre_domains: ['enterprise-attack'], ...extra,
});

/** A v19-shaped STIX 2.1 bundle (attack-stix-data): Stealth and Defense Impairment, no Defense Evasion. */
function v19Bundle() {
  const tactics = [
    tactic(1, 'TA0003', 'persistence', 'Persistence'),
    tactic(2, 'TA0005', 'stealth', 'Stealth'),
    tactic(3, 'TA0112', 'defense-impairment', 'Defense Impairment'),
    tactic(4, 'TA0011', 'command-and-control', 'Command and Control'),
  ];
  const t1197 = pattern(1, 'T1197', 'BITS Jobs', ['stealth', 'persistence']);
  const t1685 = pattern(2, 'T1685', 'Disable or Modify Tools', ['defense-impairment']);
  const t1071 = pattern(3, 'T1071', 'Application Layer Protocol', ['command-and-control']);
  const t1071001 = pattern(4, 'T1071.001', 'Web Protocols', ['command-and-control']);
  const t1086 = pattern(5, 'T1086', 'PowerShell', ['execution'], { revoked: true });
  const t1059001 = pattern(6, 'T1059.001', 'PowerShell', ['execution']);
  const t1043 = pattern(7, 'T1043', 'Commonly Used Port', ['command-and-control'], { x_mitre_deprecated: true });
  return {
    type: 'bundle', id: 'bundle--00000000-0000-4000-8000-000000000000', spec_version: '2.1',
    objects: [
      { type: 'x-mitre-collection', spec_version: '2.1', id: 'x-mitre-collection--1f5f1533-f617-4ca8-9ab4-6a02367fa019', name: 'Enterprise ATT&CK', x_mitre_version: '19.1' },
      // The matrix lists the tactics in column order; the objects above come in another order on purpose.
      { type: 'x-mitre-matrix', spec_version: '2.1', id: 'x-mitre-matrix--eafc1b4c-5e56-4965-bd4e-66a6a89c88cc', name: 'Enterprise ATT&CK', external_references: ref('enterprise-attack', 'matrices'), tactic_refs: tactics.map((t) => t.id) },
      ...[...tactics].reverse(),
      t1197, t1685, t1071001, t1071, t1086, t1059001, t1043,
      { type: 'relationship', spec_version: '2.1', id: 'relationship--1', relationship_type: 'revoked-by', source_ref: t1086.id, target_ref: t1059001.id },
      { type: 'relationship', spec_version: '2.1', id: 'relationship--2', relationship_type: 'subtechnique-of', source_ref: t1071001.id, target_ref: t1071.id },
      { type: 'intrusion-set', spec_version: '2.1', id: 'intrusion-set--1', name: 'Turla', external_references: ref('G0010', 'groups') },
      { type: 'malware', spec_version: '2.1', id: 'malware--1', name: 'Some Malware', external_references: ref('S0001', 'software') },
      { type: 'tool', spec_version: '2.1', id: 'tool--1', name: 'BITSAdmin', external_references: ref('S0190', 'software') },
      { type: 'tool', spec_version: '2.1', id: 'tool--2', name: 'Old Tool', revoked: true, external_references: ref('S0002', 'software') },
      { type: 'marking-definition', id: 'marking-definition--1', definition_type: 'statement', definition: { statement: 'Copyright 2015-2026, The MITRE Corporation.' } },
    ],
  };
}

test('attackFromStixBundle: tactics in matrix order, techniques with tactics, parents, urls; groups and software', () => {
  const a = attackFromStixBundle(v19Bundle());
  assert.equal(a.version, '19.1');
  assert.deepEqual(a.tactics.map((t) => [t.order, t.id, t.shortname, t.name]), [
    [1, 'TA0003', 'persistence', 'Persistence'],
    [2, 'TA0005', 'stealth', 'Stealth'],
    [3, 'TA0112', 'defense-impairment', 'Defense Impairment'],
    [4, 'TA0011', 'command-and-control', 'Command and Control'],
  ]);
  assert.deepEqual(a.techniques['T1197'], { id: 'T1197', name: 'BITS Jobs', tactics: ['persistence', 'stealth'], parent: null, url: 'https://attack.mitre.org/techniques/T1197' });
  assert.deepEqual(a.techniques['T1071.001']!.parent, 'T1071');
  assert.equal(a.techniques['T1086'], undefined, 'revoked: not a current technique');
  assert.deepEqual(a.retired!['T1086'], { id: 'T1086', type: 'technique', name: 'PowerShell', revoked: true, replacedBy: 'T1059.001' });
  assert.deepEqual(a.retired!['T1043'], { id: 'T1043', type: 'technique', name: 'Commonly Used Port', revoked: false, replacedBy: null });
  // A tactic the matrix does not have (execution here) is not invented.
  assert.deepEqual(a.techniques['T1059.001']!.tactics, []);
  assert.equal(a.groups['G0010']!.name, 'Turla');
  assert.deepEqual(Object.keys(a.software).sort(), ['S0001', 'S0190']);
  assert.equal(a.retired!['S0002']!.type, 'software');
  // The v19 split is known even though the bundle has no Defense Evasion object.
  assert.deepEqual(a.retiredTactics['defense-evasion']!.replacedBy, ['stealth', 'defense-impairment']);
});

test('a loaded bundle drives resolution, entries, coverage and the layer version', () => {
  const a = attackFromStixBundle(v19Bundle());
  const r = resolveTags(['attack.defense-evasion', 'attack.t1685', 'attack.t1086', 'attack.s0190', 'attack.t1562.001'], a);
  assert.deepEqual(r[0]!.current, ['defense-impairment']);
  assert.equal(r[1]!.name, 'Disable or Modify Tools');
  assert.match(r[2]!.note!, /revoked .*T1059\.001/);
  assert.equal(r[3]!.name, 'BITSAdmin');
  assert.equal(r[4]!.known, false);
  const { rule } = parseRule(`title: x
id: 1a1e2b7a-1b2c-4d3e-8f90-0a1b2c3d4e5f
tags: [attack.defense-evasion, attack.t1685, attack.persistence]
logsource: { product: windows, category: process_creation }
detection: { sel: { Image|endswith: '\\\\x.exe' }, condition: sel }
`);
  const e = catalogEntry(rule!, { label: 'mine', dir: '.' }, a);
  assert.deepEqual(e.tactics, ['persistence', 'defense-impairment']);
  const m = coverageMatrix([e], a);
  assert.deepEqual(m.tactics.find((t) => t.shortname === 'defense-impairment')!.techniques.map((t) => [t.id, t.count]), [['T1685', 1]]);
  assert.equal((navigatorLayer([e], a, { name: 'x' }) as { versions: { attack: string } }).versions.attack, '19');
});

test('a STIX 2.0 bundle (mitre/cti shape): no collection object, version unknown, Defense Evasion current', () => {
  const b = {
    type: 'bundle', id: 'bundle--2', spec_version: '2.0',
    objects: [
      { type: 'x-mitre-matrix', id: 'x-mitre-matrix--1', name: 'Enterprise ATT&CK', external_references: ref('enterprise-attack', 'matrices'), tactic_refs: ['x-mitre-tactic--a', 'x-mitre-tactic--b'] },
      { type: 'x-mitre-tactic', id: 'x-mitre-tactic--a', name: 'Persistence', x_mitre_shortname: 'persistence', external_references: ref('TA0003', 'tactics') },
      { type: 'x-mitre-tactic', id: 'x-mitre-tactic--b', name: 'Defense Evasion', x_mitre_shortname: 'defense-evasion', external_references: ref('TA0005', 'tactics') },
      { type: 'attack-pattern', id: 'attack-pattern--x', name: 'BITS Jobs', kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'defense-evasion' }, { kill_chain_name: 'mitre-attack', phase_name: 'persistence' }], external_references: ref('T1197', 'techniques') },
    ],
  };
  const a = attackFromStixBundle(b);
  assert.equal(a.version, 'unknown');
  assert.deepEqual(a.techniques['T1197']!.tactics, ['persistence', 'defense-evasion']);
  assert.deepEqual(a.retiredTactics, {});
  const r = resolveTags(['attack.defense-evasion', 'attack.stealth'], a);
  assert.deepEqual([r[0]!.kind, r[0]!.id, r[0]!.known], ['tactic', 'TA0005', true]);
  assert.equal(r[1]!.known, false, 'stealth does not exist before v19');
  assert.equal('attack' in (navigatorLayer([], a, { name: 'x' }) as { versions: object }).versions, false);
});

test('bad bundles and files: clear errors naming the file and the reason', () => {
  assert.throws(() => attackFromStixBundle({ foo: 1 }), /ATT&CK bundle: expected a STIX bundle/);
  assert.throws(() => attackFromStixBundle({ objects: [] }), /no x-mitre-matrix/);
  const bad = v19Bundle();
  (bad.objects[1] as { tactic_refs: string[] }).tactic_refs.push('x-mitre-tactic--missing');
  assert.throws(() => attackFromStixBundle(bad), /tactic_ref x-mitre-tactic--missing/);
  const dir = mkdtempSync(join(tmpdir(), 'quarry-attack-'));
  const good = join(dir, 'enterprise-attack.json');
  writeFileSync(good, JSON.stringify(v19Bundle()));
  assert.equal(readAttackFile(good).techniques['T1197']!.name, 'BITS Jobs');
  const notJson = join(dir, 'bad.json');
  writeFileSync(notJson, '{ "objects": [');
  assert.throws(() => readAttackFile(notJson), (e: Error) => e.message.startsWith(`${notJson}: not JSON`));
  assert.throws(() => readAttackFile(join(dir, 'missing.json')), /missing\.json: cannot read/);
});

test('a STIX 2.1 bundle in the official shape (test/fixtures/attack): version, v19 matrix, descriptions made plain, copyright, revocation', () => {
  const a = readAttackFile(join(process.cwd(), 'test/fixtures/attack/enterprise-attack-19.0.json'));
  assert.equal(a.version, '19.0');
  assert.equal(a.tactics.length, 15);
  assert.deepEqual(a.retiredTactics['defense-evasion'], { id: 'TA0005', name: 'Defense Evasion', replacedBy: ['stealth', 'defense-impairment'] });
  assert.deepEqual(Object.keys(a.descriptions!).sort(), ['T1059', 'T1071', 'T1071.001', 'T1197', 'T1685', 'T1685.001']);
  assert.equal(a.descriptions!['T1685.001'], 'Adversaries can switch off or reconfigure Windows event logging or its audit policy (with auditpol, wevtutil or the registry) so that the events defenders depend on are never written.');
  assert.match(a.copyright!, /^Copyright 2015-2026, The MITRE Corporation\./);
  // A revoked technique has no description kept: it is in `retired`, pointing to its replacement.
  assert.deepEqual(a.retired!['T1562.001'], { id: 'T1562.001', type: 'technique', name: 'Disable or Modify Tools', revoked: true, replacedBy: 'T1685' });
  assert.equal(a.descriptions!['T1562.001'], undefined);
});
