import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DATA, parseRule } from '../helpers.js';
import { loadSigmaPaths, parseSigmaText } from '../../src/sigma/load.js';
import { bundledAttack } from '../../src/catalog/attack.js';
import { catalogEntry, normalizeDate, ruleType, splitAuthors, uniqueKeys, MAX_VALUES } from '../../src/catalog/entry.js';
import { corpusEntries, RULE_FOLDERS, SIGMAHQ } from './corpus.js';

const attack = bundledAttack();
const RULES = join(DATA, 'sigmahq/rules');

test('the seed rule as a catalog entry', () => {
  const col = loadSigmaPaths([join(RULES, 'web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml')]);
  const e = catalogEntry(col.rules[0]!, { label: 'rules', dir: RULES }, attack);
  assert.deepEqual(e, {
    key: '9eb68894-7476-4cd6-8752-23b51f5883a7',
    id: '9eb68894-7476-4cd6-8752-23b51f5883a7',
    kind: 'rule',
    root: 'rules',
    path: 'web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml',
    docIndex: 0,
    title: 'Bitsadmin to Uncommon TLD',
    description: 'Detects Bitsadmin connections to domains with uncommon TLDs',
    level: 'high',
    status: 'test',
    type: 'detection',
    product: null,
    category: 'proxy',
    service: null,
    tactics: ['execution', 'persistence', 'stealth', 'command-and-control'],
    techniques: ['T1071.001', 'T1197'],
    techniqueNames: ['Web Protocols', 'Application Layer Protocol', 'BITS Jobs'],
    authors: ['Florian Roth (Nextron Systems)', 'Tim Shelton'],
    date: '2019-03-07',
    modified: '2023-05-17',
    tags: ['attack.command-and-control', 'attack.execution', 'attack.stealth', 'attack.t1071.001', 'attack.persistence', 'attack.t1197', 'attack.s0190'],
    fields: ['c-useragent', 'cs-host'],
    values: ['Microsoft BITS/*', '*.com', '*.net', '*.org', '*.scdn.co', '*.sfx.ms'],
    falsepositives: ['Rare programs that use Bitsadmin and update from regional TLDs e.g. .uk or .ca'],
  });
});

test('rule type from the corpus folder the root is, or the first folder under it; a user folder is detection', () => {
  assert.equal(ruleType(join(SIGMAHQ, 'rules-threat-hunting'), 'windows/x.yml'), 'threat-hunting');
  assert.equal(ruleType(join(SIGMAHQ, 'rules-emerging-threats') + '/', 'x.yml'), 'emerging-threats');
  assert.equal(ruleType(SIGMAHQ, 'rules-placeholder/windows/x.yml'), 'placeholder');
  assert.equal(ruleType(SIGMAHQ, 'deprecated/windows/x.yml'), 'deprecated');
  assert.equal(ruleType('/home/me/my-rules', 'rules/x.yml'), 'detection');
  assert.equal(ruleType('/home/me/my-rules', 'x.yml'), 'detection');
  // Every corpus folder maps to a type of its own.
  const types = new Set(RULE_FOLDERS.map((f) => ruleType(join(SIGMAHQ, f), 'a/b.yml')));
  assert.equal(types.size, RULE_FOLDERS.length);
});

test('authors are split on commas, and, & outside parentheses', () => {
  assert.deepEqual(splitAuthors('Florian Roth (Nextron Systems), Tim Shelton'), ['Florian Roth (Nextron Systems)', 'Tim Shelton']);
  assert.deepEqual(splitAuthors('Thomas Patzke and Florian Roth'), ['Thomas Patzke', 'Florian Roth']);
  assert.deepEqual(splitAuthors('A (Org, Team), B, and C & D'), ['A (Org, Team)', 'B', 'C', 'D']);
  assert.deepEqual(splitAuthors('Alexander Sandy'), ['Alexander Sandy']);
  assert.deepEqual(splitAuthors(undefined), []);
});

test('dates are normalised to YYYY-MM-DD', () => {
  assert.equal(normalizeDate('2019/03/07'), '2019-03-07');
  assert.equal(normalizeDate('2019-3-7'), '2019-03-07');
  assert.equal(normalizeDate('soon'), null);
});

test('fields and values come from nested detections; keyword lists, numbers and encodings as text', () => {
  const { rule } = parseRule(`title: t
id: 6f1e2b7a-1b2c-4d3e-8f90-0a1b2c3d4e5f
logsource: { product: windows, category: process_creation }
detection:
    sel:
        - Image|endswith: '\\\\bitsadmin.exe'
          CommandLine|contains|all: [' /transfer ', 'http']
        - EventID: 4688
    enc:
        CommandLine|wide|base64offset|contains: 'IEX'
    kw:
        - 'Invoke-Mimikatz'
    condition: sel or enc or kw
`);
  assert.ok(rule);
  const e = catalogEntry(rule!, { label: 'mine', dir: '.' }, attack);
  assert.deepEqual(e.fields, ['Image', 'CommandLine', 'EventID']);
  assert.ok(e.values.includes('*\\bitsadmin.exe'));
  assert.ok(e.values.includes('* /transfer *'));
  assert.ok(e.values.includes('4688'));
  assert.ok(e.values.includes('Invoke-Mimikatz'));
  assert.ok(e.values.some((v) => /^\*[A-Za-z0-9+/]+\*$/.test(v)), 'base64 forms kept as searchable text');
  assert.equal(e.type, 'detection');
  assert.equal(e.key, '6f1e2b7a-1b2c-4d3e-8f90-0a1b2c3d4e5f');
});

test('a rule without id or with a repeated id is keyed by its location', () => {
  const text = `title: one
logsource: { category: proxy }
detection: { sel: { c-uri|contains: a }, condition: sel }
---
title: two
id: 0c1e2b7a-1b2c-4d3e-8f90-0a1b2c3d4e5f
logsource: { category: proxy }
detection: { sel: { c-uri|contains: b }, condition: sel }
---
title: three
id: 0c1e2b7a-1b2c-4d3e-8f90-0a1b2c3d4e5f
logsource: { category: proxy }
detection: { sel: { c-uri|contains: c }, condition: sel }
`;
  const docs = parseSigmaText(text, '/x/mine/sub/r.yml').documents.map((d) => d.document!);
  const entries = docs.map((d) => catalogEntry(d, { label: 'mine', dir: '/x/mine' }, attack));
  assert.equal(entries[0]!.key, 'mine/sub/r.yml#0');
  assert.equal(uniqueKeys(entries), 2);
  assert.deepEqual(entries.map((e) => e.key), ['mine/sub/r.yml#0', 'mine/sub/r.yml#1', 'mine/sub/r.yml#2']);
});

test('the whole corpus: every document an entry, unique keys, types per folder, values capped', () => {
  const { entries, rejected } = corpusEntries();
  assert.equal(rejected, 0);
  assert.equal(entries.length, 3780);
  assert.equal(new Set(entries.map((e) => e.key)).size, entries.length);
  const byType = new Map<string, number>();
  for (const e of entries) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(byType), { detection: 3141, compliance: 3, 'emerging-threats': 473, placeholder: 23, 'threat-hunting': 140 });
  for (const e of entries) {
    assert.ok(e.values.length <= MAX_VALUES);
    assert.ok(!e.path.startsWith('/') && !e.path.includes('\\'), e.path);
    for (const t of e.tactics) assert.ok(attack.tactics.some((x) => x.shortname === t), `${e.path}: ${t}`);
    for (const t of e.techniques) assert.match(t, /^T\d{4}(\.\d{3})?$/);
    if (e.date) assert.match(e.date, /^\d{4}-\d{2}-\d{2}$/);
  }
});
