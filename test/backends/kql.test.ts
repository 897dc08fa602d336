// The KQL backend: the golden proxy rule, the BITS seed rule on Event and WindowsEvent, Sigma's
// semantics operator by operator, errors for what KQL cannot say, and the embedded data.
import { assertEmbedsFolder } from '../embeds.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { convertRule } from '../../src/backends/common/convert.js';
import { kqlBackend, listKqlPipelines, kqlPipeline } from '../../src/backends/kql/index.js';
import { KQL_PIPELINE_YAML } from '../../src/backends/kql/pipelines-data.js';
import { KQL_TABLE_COLUMNS } from '../../src/backends/kql/schema-data.js';
import { kqlIdent, kqlString } from '../../src/backends/kql/literals.js';
import { resolveConvertPipelines } from '../../src/backends/resolve-pipelines.js';
import { tableColumns } from '../../src/backends/kql/schema.js';
import { DATA, REPO, parseRule } from '../helpers.js';
import { kustoErrors } from '../../src/backends/kql/validate.js';

const KQL_DIR = join(REPO, 'src/backends/kql');

function convert(yaml: string, pipeline: string) {
  const { rule, diagnostics } = parseRule(yaml);
  if (!rule) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return convertRule(rule, kqlBackend, resolveConvertPipelines('kql', [pipeline]));
}
function query(yaml: string, pipeline = 'sentinel-asim'): string {
  const r = convert(yaml, pipeline);
  if (!r.ok) throw new Error(`${r.code}: ${r.error}`);
  assert.deepEqual(kustoErrors(r.query), [], r.query);
  return r.query;
}
/** The where clause of a one-where query. */
const where = (q: string) => q.split('\n| where ')[1]!;

const proxyRule = (detection: string, condition = 'selection') => `title: t
logsource:
    category: proxy
detection:
${detection
  .trim()
  .split('\n')
  .map((l) => '    ' + l)
  .join('\n')}
    condition: ${condition}
`;

test('golden: the proxy seed rule with sentinel-asim, through the CLI', () => {
  const r = spawnSync(process.execPath, ['-e', `import('${join(REPO, 'dist/src/cli/convert-command.js')}').then(async (m) => { process.exitCode = await m.convertCommand(process.argv.slice(1)); })`, '--', '--target', 'kql', '--pipeline', 'sentinel-asim', join(DATA, 'sigmahq/rules/web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    'imWebSession\n| where HttpUserAgent startswith "Microsoft BITS/" and (not((HttpHost endswith ".com" or HttpHost endswith ".net" or HttpHost endswith ".org" or HttpHost endswith ".scdn.co" or HttpHost endswith ".sfx.ms")))\n',
  );
  assert.equal(r.stderr, '');
});

test('--format json: one object per rule, failures with their reason', () => {
  const r = spawnSync(process.execPath, ['-e', `import('${join(REPO, 'dist/src/cli/convert-command.js')}').then(async (m) => { process.exitCode = await m.convertCommand(process.argv.slice(1)); })`, '--', '--target', 'kql', '--pipeline', 'sentinel-asim', '--format', 'json', join(DATA, 'sigmahq/rules/web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml'), join(DATA, 'sigma-rules-bits/win_bits_client_new_transfer_via_uncommon_tld.yml')], { encoding: 'utf8' });
  assert.equal(r.status, 3); // one of the two converted: partial
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.deepEqual(Object.keys(lines[0]), ['path', 'id', 'target', 'ok', 'query', 'notes']);
  assert.deepEqual(lines[0].notes, []);
  assert.equal(lines[0].ok, true);
  assert.equal(lines[1].ok, false);
  assert.match(lines[1].error, /no table for log source product=windows,service=bits-client/);
});

const SEED = readFileSync(join(DATA, 'sigma-rules-bits/win_bits_client_new_transfer_via_uncommon_tld.yml'), 'utf8');
const SEED_FILTERS = ['.azureedge.net/', '.com/', '.sfx.ms/', 'download.mozilla.org/', 'cdn.onenote.net/', 'cdn.office.net/', 'tscdn.m365.static.microsoft/'];

test('seed rule on Event: channel, EventID 16403 and the RemoteName filter from the XML EventData', () => {
  const q = query(SEED, 'sentinel-event');
  const lines = q.split('\n');
  assert.equal(lines[0], 'Event');
  assert.equal(lines[1], '| where EventLog =~ "Microsoft-Windows-Bits-Client/Operational" and EventID == 16403');
  assert.match(q, /parse_xml\(EventData\)\.DataItem\.EventData\.Data/);
  assert.match(q, /\| extend RemoteName = tostring\(_EventData\.RemoteName\)/);
  assert.equal(lines.at(-2), `| where not((${SEED_FILTERS.map((f) => `RemoteName contains "${f}"`).join(' or ')}))`);
});

test('seed rule on WindowsEvent: RemoteName from the dynamic EventData', () => {
  assert.equal(
    query(SEED, 'sentinel-windowsevent'),
    [
      'WindowsEvent',
      '| where Channel =~ "Microsoft-Windows-Bits-Client/Operational" and EventID == 16403',
      '| extend RemoteName = tostring(EventData.RemoteName)',
      `| where not((${SEED_FILTERS.map((f) => `RemoteName contains "${f}"`).join(' or ')}))`,
    ].join('\n'),
  );
});

test('seed rule: no table in ASIM, SecurityEvent or Defender XDR is an error with the reason', () => {
  for (const p of ['sentinel-asim', 'sentinel-securityevent', 'defender-xdr']) {
    const r = convert(SEED, p);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, /no table for log source product=windows,service=bits-client/);
  }
});

test('strings: case-insensitive operators, cased ones with |cased, wildcards inside as a regex', () => {
  assert.equal(where(query(proxyRule("selection:\n    c-useragent: 'Mozilla'"))), 'HttpUserAgent =~ "Mozilla"');
  assert.equal(where(query(proxyRule("selection:\n    c-useragent|contains: 'zil'"))), 'HttpUserAgent contains "zil"');
  assert.equal(where(query(proxyRule("selection:\n    c-useragent|cased: 'Mozilla'"))), 'HttpUserAgent == "Mozilla"');
  assert.equal(where(query(proxyRule("selection:\n    c-useragent|contains|cased: 'zil'"))), 'HttpUserAgent contains_cs "zil"');
  assert.equal(where(query(proxyRule("selection:\n    c-useragent|startswith|cased: 'Moz'"))), 'HttpUserAgent startswith_cs "Moz"');
  assert.equal(where(query(proxyRule("selection:\n    c-useragent|endswith|cased: 'la'"))), 'HttpUserAgent endswith_cs "la"');
  assert.equal(where(query(proxyRule("selection:\n    c-uri: 'http://a*b?.exe'"))), 'Url matches regex "(?is)^http://a.*b.\\\\.exe$"');
  assert.equal(where(query(proxyRule("selection:\n    c-uri|cased: 'a*b'"))), 'Url matches regex "(?s)^a.*b$"');
  assert.equal(where(query(proxyRule("selection:\n    c-uri: '*'"))), 'isnotempty(Url)');
  assert.equal(where(query(proxyRule("selection:\n    c-uri: 'a\\*b'"))), 'Url =~ "a*b"');
});

test('escaping: quotes, backslashes and control characters in KQL strings; odd names bracket-quoted', () => {
  assert.equal(kqlString('a"b\\c\nd\u0001'), '"a\\"b\\\\c\\nd\\u0001"');
  assert.equal(kqlIdent('cs-host'), "['cs-host']");
  assert.equal(kqlIdent('HttpHost'), 'HttpHost');
  assert.equal(kqlIdent("it's"), "['it\\'s']");
  const q = query(proxyRule(`selection:\n    c-uri|contains: 'C:\\Windows\\"x"'`));
  assert.equal(where(q), 'Url contains "C:\\\\Windows\\\\\\"x\\""');
});

test('regular expressions: flags, and what RE2 cannot run is an error', () => {
  assert.equal(where(query(proxyRule("selection:\n    c-uri|re: '^a[0-9]+$'"))), 'Url matches regex "^a[0-9]+$"');
  assert.equal(where(query(proxyRule("selection:\n    c-uri|re|i|s: '^a.b'"))), 'Url matches regex "(?is)^a.b"');
  const r = convert(proxyRule("selection:\n    c-uri|re: 'a(?!b)'"), 'sentinel-asim');
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.code, 'regex-unsupported');
});

test('cidr, null, exists, numbers and |all', () => {
  assert.equal(where(query(proxyRule("selection:\n    dst_ip|cidr: '10.0.0.0/8'"))), 'ipv4_is_in_range(DstIpAddr, "10.0.0.0/8")');
  assert.equal(where(query(proxyRule("selection:\n    dst_ip|cidr: 'fe80::/10'"))), 'ipv6_is_in_range(DstIpAddr, "fe80::/10")');
  // Under negation a function that can return null is made total, as Sigma's `not` holds for a missing value.
  assert.equal(where(query(proxyRule("selection:\n    dst_ip|cidr: '10.0.0.0/8'", 'not selection'))), 'not(coalesce(ipv4_is_in_range(DstIpAddr, "10.0.0.0/8"), false))');
  assert.equal(where(query(proxyRule('selection:\n    c-uri: null'))), 'isempty(Url)');
  assert.equal(where(query(proxyRule('selection:\n    c-uri|exists: true'))), 'isnotempty(Url)');
  assert.equal(where(query(proxyRule('selection:\n    c-uri|exists: false'))), 'isempty(Url)');
  assert.equal(where(query(proxyRule('selection:\n    sc-status: 404'))), 'HttpStatusCode == "404"');
  assert.equal(where(query(proxyRule("selection:\n    dst_ip|cidr: '10.0.0.0/8'\n    c-uri|contains|all: ['a', 'b']"))), 'ipv4_is_in_range(DstIpAddr, "10.0.0.0/8") and Url contains "a" and Url contains "b"');
  const net = `title: t\nlogsource:\n    category: network_connection\n    product: windows\ndetection:\n    selection:\n        DestinationPort: 443\n        SourcePort|lt: 1024\n    condition: selection\n`;
  assert.equal(where(query(net)), 'DstPortNumber == 443 and SrcPortNumber < 1024');
});

test('neq: the field is there and differs', () => {
  assert.equal(where(query(proxyRule("selection:\n    c-uri|neq: 'x'"))), '(isnotempty(Url) and not(Url =~ "x"))');
});

test('keywords: a substring of any column (* contains); a wildcard inside is an error', () => {
  assert.equal(where(query(proxyRule("keywords:\n    - 'evil.exe'", 'keywords'))), '* contains "evil.exe"');
  const r = convert(proxyRule("keywords:\n    - 'evil*.exe'", 'keywords'), 'sentinel-asim');
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.code, 'unsupported-keyword');
});

test('a field the table does not have is reported, not guessed', () => {
  const r = convert(proxyRule("selection:\n    cs-uri-query|contains: 'x'"), 'sentinel-asim');
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.code, 'unknown-field');
    assert.match(r.error, /'cs-uri-query' is not a column of imWebSession/);
  }
});

test('hyphenated names are bracket-quoted where they are columns (Event EventData member)', () => {
  const rule = `title: t\nlogsource:\n    product: windows\n    service: bits-client\ndetection:\n    selection:\n        cs-host: 'x'\n    condition: selection\n`;
  assert.match(query(rule, 'sentinel-windowsevent'), /\| extend \['cs-host'\] = tostring\(EventData\['cs-host'\]\)\n\| where \['cs-host'\] =~ "x"/);
});

test('SecurityEvent: columns by name, other fields from the XML EventData', () => {
  const rule = `title: t\nlogsource:\n    product: windows\n    service: security\ndetection:\n    selection:\n        EventID: 4688\n        NewProcessName|endswith: '\\cmd.exe'\n        AccessList|contains: '%%4416'\n    condition: selection\n`;
  const q = query(rule, 'sentinel-securityevent');
  assert.match(q, /^SecurityEvent\n\| where Channel =~ "Security" and EventID == 4688 and NewProcessName endswith "\\\\cmd.exe"/);
  assert.match(q, /tostring\(_EventData\.AccessList\)/);
});

test('every mapping of the KQL pipelines names a column of its table', () => {
  for (const name of listKqlPipelines()) {
    const p = kqlPipeline(name)!;
    const tables = p.items.filter((i) => i.type === 'set_state' && i.params.key === 'query_table').map((i) => String(i.params.val));
    for (const t of tables) assert.ok(tableColumns(t), `${name}: table ${t}`);
    for (const item of p.items.filter((i) => i.type === 'field_name_mapping')) {
      const table = tables.find((t) => item.ruleConditions.every(() => true) && [...Object.values(item.params.mapping as Record<string, string>)].every((c) => tableColumns(t)!.has(c)));
      assert.ok(table, `${name}: item ${item.id} maps to columns that no table of the pipeline has`);
    }
  }
});

test('the embedded pipelines are the files under src/backends/kql (written by build/embed-data.mjs)', () => {
  assertEmbedsFolder(KQL_PIPELINE_YAML, join(KQL_DIR, 'pipelines'));
  assert.equal(readFileSync(join(KQL_DIR, 'schemas/tables.json'), 'utf8'), readFileSync(join(DATA, 'kusto-schemas/tables.json'), 'utf8'));
  assert.ok(Object.keys(KQL_PIPELINE_YAML).length >= 5);
  assert.ok(KQL_TABLE_COLUMNS.imWebSession!.includes('HttpUserAgent:string'));
});
