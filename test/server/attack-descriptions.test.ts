// The rule page's ATT&CK technique descriptions (issue 16, item 6): with an official-shaped STIX 2.1
// bundle given as `--attack` (test/fixtures/attack, written for this project) the hunting context has
// each tagged technique's text, a sub-technique's parent first, markup removed, with MITRE's copyright
// from the bundle; with the bundled ATT&CK copy, which has no descriptions, it says how to get them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExplorer, type Explorer } from '../../src/server/index.js';
import type { RuleDetail } from '../../src/server/api-types.js';
import { DATA, REPO } from '../helpers.js';
import { getJson } from './client.js';

const ATTACK_FIXTURE = join(REPO, 'test/fixtures/attack/enterprise-attack-19.0.json');
const SEED = join(DATA, 'sigmahq/rules/web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml');
const SEED_ID = '9eb68894-7476-4cd6-8752-23b51f5883a7';
const LOG_RULE_ID = '3f0c1f3e-5a8e-4d8b-9a57-6f2a1c0e7b14';
const LOG_RULE = `title: Audit Policy Cleared and Firewall Rule Removed
id: ${LOG_RULE_ID}
status: experimental
description: An audit policy cleared with auditpol in the same command line that deletes a firewall rule.
author: Quarry tests
date: 2026-05-02
tags:
    - attack.defense-impairment
    - attack.t1685.001
    - attack.t1686.003
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        CommandLine|contains|all:
            - 'auditpol /clear'
            - 'advfirewall firewall delete rule'
    condition: selection
level: high
`;

const tmp = mkdtempSync(join(tmpdir(), 'quarry-attack-text-'));
let withBundle: Explorer;
let bundled: Explorer;
before(async () => {
  mkdirSync(join(tmp, 'rules'));
  copyFileSync(SEED, join(tmp, 'rules/proxy_ua_bitsadmin_susp_tld.yml'));
  writeFileSync(join(tmp, 'rules/proc_creation_win_auditpol_firewall.yml'), LOG_RULE);
  const rules = [join(tmp, 'rules')];
  withBundle = await startExplorer({ rules, hunts: [], port: 0, demo: false, attackFile: ATTACK_FIXTURE, log: () => {} });
  bundled = await startExplorer({ rules, hunts: [], port: 0, demo: false, log: () => {} });
});
after(async () => {
  await withBundle?.close();
  await bundled?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const detail = async (ex: Explorer, id: string) => (await getJson<RuleDetail>(ex.url, `/api/rules/${id}`)).body;

test('--attack bundle with descriptions: each tagged technique, the parent before its sub-technique, plain text, with the copyright', async () => {
  const d = await detail(withBundle, SEED_ID);
  const text = d.hunting!.techniqueText!;
  // The rule tags t1071.001 then t1197: T1071 frames its sub-technique, so it comes first.
  assert.deepEqual(text.entries.map((e) => [e.id, e.name]), [
    ['T1071', 'Application Layer Protocol'],
    ['T1071.001', 'Web Protocols'],
    ['T1197', 'BITS Jobs'],
  ]);
  const bits = text.entries[2]!;
  assert.equal(bits.url, 'https://attack.mitre.org/techniques/T1197');
  // Citations dropped, a link keeps its words, tags their content, paragraphs kept.
  assert.match(bits.text!, /^Attackers can abuse the Windows Background Intelligent Transfer Service \(BITS\)/);
  assert.match(bits.text!, /fails\.\n\nBecause the transfers come from svchost\.exe and resemble/);
  assert.match(bits.text!, /Operators drive it with BITSAdmin or the BitsTransfer PowerShell cmdlets\.$/);
  assert.match(text.entries[1]!.text!, /the most permitted members of Application Layer Protocol, which almost/);
  for (const e of text.entries) assert.doesNotMatch(e.text!, /Citation:|<\/?code>|\]\(https?:/, e.id);
  assert.equal(
    text.attribution,
    'Technique descriptions: MITRE ATT&CK® 19.0, from the bundle given with --attack. Copyright 2015-2026, The MITRE Corporation. ' +
      'MITRE ATT&CK and ATT&CK are registered trademarks of The MITRE Corporation. Reproduced under the ATT&CK Terms of Use (https://attack.mitre.org/resources/legal-and-branding/terms-of-use/).',
  );
  assert.equal(text.note, null);
  // The catalog's ATT&CK data does not carry the prose to the browser.
  const { body: attack } = await getJson(withBundle.url, '/api/attack');
  assert.equal(attack.version, '19.0');
  assert.equal(attack.techniques.T1197.name, 'BITS Jobs');
  assert.equal(attack.descriptions, undefined);
});

test('--attack bundle without a tagged technique: the text it has, and which ids it does not describe', async () => {
  const text = (await detail(withBundle, LOG_RULE_ID)).hunting!.techniqueText!;
  assert.deepEqual(text.entries.map((e) => [e.id, e.text === null]), [
    ['T1685', false],
    ['T1685.001', false],
    ['T1686', true],
    ['T1686.003', true],
  ]);
  assert.match(text.entries[1]!.text!, /\(with auditpol, wevtutil or the registry\)/);
  assert.equal(text.note, 'ATT&CK 19.0 as loaded has no description of T1686, T1686.003.');
  assert.ok(text.attribution);
});

test('bundled ATT&CK data: no descriptions, and the page says how to get them instead of nothing', async () => {
  const d = await detail(bundled, SEED_ID);
  const text = d.hunting!.techniqueText!;
  assert.deepEqual(text.entries.map((e) => [e.id, e.name, e.text]), [
    ['T1071', 'Application Layer Protocol', null],
    ['T1071.001', 'Web Protocols', null],
    ['T1197', 'BITS Jobs', null],
  ]);
  assert.equal(text.attribution, null);
  assert.match(text.note!, /^ATT&CK 19\.1 \(partial: 18\.1 \+ v19 overlay\), the data in use, has no technique descriptions\. To read ATT&CK's description of T1071, T1071\.001, T1197 here, start the explorer with an official Enterprise ATT&CK bundle: quarry explore --attack enterprise-attack\.json \(from github\.com\/mitre-attack\/attack-stix-data/);
  // The v19 names reach the page too: the sub-technique is named, not a bare id.
  const log = (await detail(bundled, LOG_RULE_ID)).hunting!.techniqueText!;
  assert.deepEqual(log.entries.map((e) => e.name), ['Disable or Modify Tools', 'Disable or Modify Windows Event Log', 'Disable or Modify System Firewall', 'Windows Host Firewall']);
});
