// The Sentinel rule formats of the KQL backend (--format sentinel-rule, sentinel-arm), parsed back:
// the seed proxy rule field by field, then every converted rule of the SigmaHQ corpus with every
// KQL pipeline must give one valid entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { DATA } from '../helpers.js';
import { loadSigmaPaths, type SigmaCollection } from '../../src/sigma/load.js';
import { convertCollection } from '../../src/backends/common/convert.js';
import { ruleMeta } from '../../src/backends/common/rule-meta.js';
import { kqlBackend } from '../../src/backends/kql/index.js';
import { TARGETS } from '../../src/backends/targets.js';
import { resolveConvertPipelines } from '../../src/backends/resolve-pipelines.js';
import { renderRuleFormat } from '../../src/backends/rule-formats.js';
import { SENTINEL_TACTICS, sentinelTactics } from '../../src/backends/kql/formats/sentinel.js';

const SEED = join(DATA, 'sigmahq/rules/web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SEVERITIES = ['Informational', 'Low', 'Medium', 'High'];
const TACTICS = new Set(Object.values(SENTINEL_TACTICS));

function convert(paths: string[] | SigmaCollection, pipeline: string) {
  const results = convertCollection(Array.isArray(paths) ? loadSigmaPaths(paths) : paths, kqlBackend, resolveConvertPipelines('kql', [pipeline]));
  return { results, ok: results.filter((r) => r.result.ok) };
}

test('the KQL target lists both Sentinel formats', () => {
  assert.deepEqual(Object.keys(TARGETS.kql!.backend.formats ?? {}).filter((f) => f.startsWith('sentinel')).sort(), ['sentinel-arm', 'sentinel-rule']);
});

test('the seed proxy rule as a Sentinel analytic rule (YAML) and an ARM template, parsed back', () => {
  const { results, ok } = convert([SEED], 'sentinel-asim');
  assert.equal(ok.length, 1);
  const query = ok[0]!.result.ok ? ok[0]!.result.query : '';
  assert.match(query, /^imWebSession\n\| where HttpUserAgent startswith "Microsoft BITS\/"/);

  const text = renderRuleFormat(kqlBackend, 'sentinel-rule', results);
  assert.match(text, /\nquery: \|-?\n {2}imWebSession\n/, 'the query is a literal block');
  const y = parse(text) as Record<string, unknown>;
  assert.equal(y.id, '9eb68894-7476-4cd6-8752-23b51f5883a7');
  assert.equal(y.name, 'Bitsadmin to Uncommon TLD');
  assert.equal(y.description, 'Detects Bitsadmin connections to domains with uncommon TLDs');
  assert.equal(y.severity, 'High');
  assert.deepEqual(y.requiredDataConnectors, []); // an ASIM parser: no single connector
  assert.equal(y.queryFrequency, '1h');
  assert.equal(y.queryPeriod, '1h');
  assert.equal(y.triggerOperator, 'gt');
  assert.equal(y.triggerThreshold, 0);
  const meta = ruleMeta(loadSigmaPaths([SEED]).rules[0]!);
  assert.deepEqual(y.tactics, sentinelTactics(meta).tactics);
  assert.ok((y.tactics as string[]).includes('CommandAndControl'));
  assert.deepEqual(y.relevantTechniques, meta.techniques);
  assert.ok((y.relevantTechniques as string[]).includes('T1197'));
  assert.equal(y.query, query);
  assert.equal(y.version, '1.0.0');
  assert.equal(y.kind, 'Scheduled');

  const arm = JSON.parse(renderRuleFormat(kqlBackend, 'sentinel-arm', results)) as { parameters: Record<string, { type: string }>; resources: Array<Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(arm.parameters.workspace!.type, 'string');
  assert.equal(arm.resources.length, 1);
  const r = arm.resources[0]!;
  assert.equal(r.type, 'Microsoft.OperationalInsights/workspaces/providers/alertRules');
  assert.equal(r.kind, 'Scheduled');
  assert.equal(r.name, "[concat(parameters('workspace'), '/Microsoft.SecurityInsights/', '9eb68894-7476-4cd6-8752-23b51f5883a7')]");
  const p = r.properties;
  assert.equal(p.displayName, 'Bitsadmin to Uncommon TLD');
  assert.equal(p.severity, 'High');
  assert.equal(p.enabled, true);
  assert.equal(p.query, query);
  assert.equal(p.queryFrequency, 'PT1H');
  assert.equal(p.queryPeriod, 'PT1H');
  assert.equal(p.triggerOperator, 'GreaterThan');
  assert.equal(p.triggerThreshold, 0);
  assert.deepEqual(p.tactics, y.tactics);
  assert.deepEqual(p.techniques, ['T1071', 'T1197']);
  assert.deepEqual(p.subTechniques, ['T1071.001']);
});

test('a critical rule is High in Sentinel; a rule without a GUID id gets a stable one', async () => {
  const { parseRule, ruleWith } = await import('../helpers.js');
  const rule = parseRule(ruleWith(`selection:\n    Image|endswith: '\\x.exe'\ncondition: selection`).replace(/^id: .*\n/m, '') + 'level: critical\ntags:\n    - attack.stealth\n    - attack.defense-impairment\n    - attack.t1562.001\n').rule!;
  const meta = ruleMeta(rule);
  const fr = { meta, query: 'SecurityEvent | take 1', state: { query_table: 'SecurityEvent' }, pipelines: [] };
  const a = parse(kqlBackend.formats!['sentinel-rule']!.render([fr])) as Record<string, unknown>;
  const b = parse(kqlBackend.formats!['sentinel-rule']!.render([fr])) as Record<string, unknown>;
  assert.equal(a.severity, 'High');
  assert.match(String(a.id), GUID);
  assert.equal(a.id, b.id);
  assert.deepEqual(a.tactics, ['DefenseEvasion']);
  assert.deepEqual(a.requiredDataConnectors, [{ connectorId: 'SecurityEvents', dataTypes: ['SecurityEvent'] }]);
});

test('every converted rule of the SigmaHQ corpus gives one valid entry in both formats, with every KQL pipeline', () => {
  const col = loadSigmaPaths(['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => join(DATA, 'sigmahq', d)));
  const counts: Record<string, number> = {};
  for (const pipeline of TARGETS.kql!.listPipelines()) {
    const { results, ok } = convert(col, pipeline);
    const queries = ok.map((r) => (r.result.ok ? r.result.query : ''));
    const docs = parseAllDocuments(renderRuleFormat(kqlBackend, 'sentinel-rule', results));
    assert.ok(Array.isArray(docs));
    assert.equal(docs.length, ok.length, pipeline);
    const problems: string[] = [];
    const ids = new Set<string>();
    docs.forEach((d, i) => {
      if (d.errors.length) problems.push(`${i}: ${d.errors[0]!.message}`);
      const y = d.toJS() as Record<string, unknown>;
      const file = ok[i]!.document.file;
      const meta = ok[i]!.document.kind === 'rule' ? ruleMeta(ok[i]!.document as never) : null;
      if (!GUID.test(String(y.id))) problems.push(`${file}: id ${String(y.id)}`);
      ids.add(String(y.id));
      if (typeof y.name !== 'string' || !y.name) problems.push(`${file}: name`);
      if (typeof y.description !== 'string' || !y.description) problems.push(`${file}: description`);
      if (!SEVERITIES.includes(String(y.severity))) problems.push(`${file}: severity ${String(y.severity)}`);
      if (!Array.isArray(y.requiredDataConnectors)) problems.push(`${file}: requiredDataConnectors`);
      if (!(y.tactics as string[]).every((t) => TACTICS.has(t))) problems.push(`${file}: tactics ${String(y.tactics)}`);
      if (meta && sentinelTactics(meta).unmapped.length) problems.push(`${file}: tactics without a Sentinel name: ${sentinelTactics(meta).unmapped.join(', ')}`);
      if (!(y.relevantTechniques as string[]).every((t) => /^T\d{4}(\.\d{3})?$/.test(t))) problems.push(`${file}: techniques ${String(y.relevantTechniques)}`);
      if (y.query !== queries[i]) problems.push(`${file}: the query does not read back`);
      if (y.kind !== 'Scheduled' || y.triggerOperator !== 'gt' || y.triggerThreshold !== 0) problems.push(`${file}: schedule`);
    });
    const arm = JSON.parse(renderRuleFormat(kqlBackend, 'sentinel-arm', results)) as { resources: Array<{ name: string; properties: Record<string, unknown> }> };
    assert.equal(arm.resources.length, ok.length, pipeline);
    arm.resources.forEach((r, i) => {
      const p = r.properties;
      if (armRead(p.query as string) !== queries[i] || armRead(p.displayName as string) !== ok[i]!.document.title) problems.push(`${ok[i]!.document.file}: ARM query or title`);
      if (!SEVERITIES.includes(String(p.severity)) || !(p.techniques as string[]).every((t) => /^T\d{4}$/.test(t))) problems.push(`${ok[i]!.document.file}: ARM severity/techniques`);
    });
    assert.equal(new Set(arm.resources.map((r) => r.name)).size, ids.size, `${pipeline}: resource names as unique as the ids`);
    assert.deepEqual(problems.slice(0, 10), [], pipeline);
    counts[pipeline] = ok.length;
  }
  process.stdout.write(`sentinel formats: entries per KQL pipeline ${JSON.stringify(counts)}\n`);
  assert.ok(counts['sentinel-asim']! > 500);
});

/** A string of an ARM template as Azure Resource Manager reads it: literal, or the text of an `[[` escape. */
function armRead(s: string): string {
  if (!(s.startsWith('[') && s.endsWith(']'))) return s;
  assert.ok(s.startsWith('[['), `'${s.slice(0, 60)}' would be evaluated as a template expression`);
  return s.slice(1);
}

test('sentinel-arm: strings that ARM would evaluate (start with [ and end with ]) are escaped as [[; other strings stay as they are', async () => {
  const { parseRule } = await import('../helpers.js');
  const rule = parseRule(`title: '[Lab] Encoded PowerShell [T1059]'
id: 0f6c4a0e-4e55-4d40-8f5a-8a5e2b0c7d11
status: test
description: "[concat('a', 'b')]"
references:
    - '[1] https://example.org/'
tags:
    - attack.execution
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        CommandLine|contains: '-enc'
    condition: selection
`).rule!;
  const meta = ruleMeta(rule);
  // A query is escaped the same way; a table name that needs quoting starts it with [.
  const query = "['Custom-Table']";
  const text = kqlBackend.formats!['sentinel-arm']!.render([{ meta, query, state: {}, pipelines: [] }]);
  const p = (JSON.parse(text) as { resources: Array<{ name: string; properties: Record<string, unknown> }> }).resources[0]!.properties;
  assert.equal(p.displayName, '[[Lab] Encoded PowerShell [T1059]');
  assert.equal(p.description, "[[concat('a', 'b')]");
  assert.equal(p.query, "[['Custom-Table']");
  assert.equal(armRead(p.displayName as string), meta.title);
  assert.equal(armRead(p.description as string), meta.description);
  assert.equal(armRead(p.query as string), query);
  // Not an expression (does not end with ]): doubling its [ would keep both brackets.
  const other = kqlBackend.formats!['sentinel-arm']!.render([{ meta: { ...meta, title: '[Lab] encoded PowerShell', description: '' }, query: "['Custom-Table']\n| take 1", state: {}, pipelines: [] }]);
  const q = (JSON.parse(other) as { resources: Array<{ properties: Record<string, unknown> }> }).resources[0]!.properties;
  assert.deepEqual([q.displayName, q.description, q.query], ['[Lab] encoded PowerShell', '[Lab] encoded PowerShell', "['Custom-Table']\n| take 1"]);
});
