// Exclusion suggestions from false-positive notes (domains, TLDs, programs, accounts) mapped to the
// rule's own fields, and from the fields its filters exclude on; prose never becomes a value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { stageView } from '../../src/server/stages.js';
import { suggestExclusions } from '../../src/server/suggestions.js';
import { DATA, parseRule, ruleWith } from '../helpers.js';

const rule = (rel: string) => loadSigmaPaths([join(DATA, 'sigmahq/rules', rel)]).rules[0]!;
const fromNotes = (r: ReturnType<typeof rule>) => suggestExclusions(r, stageView(r)).filter((s) => s.basis === 'falsepositives').map((s) => ({ field: s.field, modifier: s.modifier, values: s.values }));

test('a domain named in a note: an exclusion on the host field the rule tests', () => {
  const r = rule('windows/network_connection/net_connection_win_domain_dead_drop_resolvers.yml');
  assert.deepEqual(
    fromNotes(r).filter((s) => s.values.includes('githubusercontent.com')),
    [{ field: 'DestinationHostname', modifier: 'endswith', values: ['githubusercontent.com'] }],
  );
});

test('a program named in a note: Image ending with it', () => {
  const r = rule('windows/process_creation/proc_creation_win_net_view_share_and_sessions_enum.yml');
  assert.deepEqual(fromNotes(r), [{ field: 'Image', modifier: 'endswith', values: ['\\net.exe'] }]);
});

test('accounts: DOMAIN\\name and quoted or account-like names; plain prose about users is not one', () => {
  const { rule: r } = parseRule(
    ruleWith("selection:\n    User|endswith: 'admin'\ncondition: selection", `falsepositives:\n    - 'Backups run by CORP\\svc_backup from C:\\Program Files\\Veeam\\agent.exe'\n    - 'The account "scan-01" of the vulnerability scanner'\n    - Legitimate user activity.\n    - Verify whether the user identity, user agent, and/or hostname should be making changes\n`),
  );
  assert.ok(r);
  assert.deepEqual(fromNotes(r), [
    { field: 'Image', modifier: 'endswith', values: ['\\agent.exe'] },
    { field: 'User', modifier: undefined, values: ['CORP\\svc_backup'] },
    { field: 'User', modifier: undefined, values: ['scan-01'] },
  ]);
});

test('the fields a rule\'s filters use are proposed, with values seen in hunts when given', () => {
  const r = rule('web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml');
  const seen = (field: string) => (field === 'cs-host' ? ['files.example-mirror.de'] : []);
  const filters = suggestExclusions(r, stageView(r), seen).filter((s) => s.basis === 'filter');
  assert.deepEqual(filters.map((s) => [s.field, s.modifier, s.values]), [['cs-host', 'endswith', ['files.example-mirror.de']]]);
  assert.match(filters[0]!.reason, /already excludes on cs-host\|endswith \(falsepositives\)/);
});
