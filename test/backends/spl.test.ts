// The SPL backend: the two BITS seed rules with each pipeline, Sigma's semantics modifier by
// modifier (exact queries), what SPL or tstats cannot say is refused with a reason, the structural
// validator on hand-made broken queries, the savedsearches.conf format read back, embedded data.
import { assertEmbedsFolder } from '../embeds.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { convertRule } from '../../src/backends/common/convert.js';
import { splBackend, listSplPipelines } from '../../src/backends/spl/index.js';
import { SPL_PIPELINE_YAML } from '../../src/backends/spl/pipelines-data.js';
import { validateSpl } from '../../src/backends/spl/validate.js';
import { confValue } from '../../src/backends/spl/savedsearches.js';
import { resolveConvertPipelines } from '../../src/backends/resolve-pipelines.js';
import { renderRuleFormat } from '../../src/backends/rule-formats.js';
import { convertCollection } from '../../src/backends/common/convert.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { VALIDATORS } from '../../src/backends/validators.js';
import { TARGETS } from '../../src/backends/targets.js';
import { DATA, REPO, parseRule } from '../helpers.js';

const PROXY_SEED = join(DATA, 'sigmahq/rules/web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml');
const BITS_SHARING = join(DATA, 'sigmahq/rules/windows/builtin/bits_client/win_bits_client_new_transfer_via_file_sharing_domains.yml');
const BITS_TLD = join(DATA, 'sigma-rules-bits/win_bits_client_new_transfer_via_uncommon_tld.yml');
const PROC_CREATION = join(DATA, 'sigmahq/rules/windows/process_creation/proc_creation_win_7zip_exfil_dmp_files.yml');

function convert(yaml: string, pipeline: string) {
  const { rule, diagnostics } = parseRule(yaml);
  if (!rule) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return convertRule(rule, splBackend, resolveConvertPipelines('spl', [pipeline]));
}
/** The query, which must also pass the validator. */
function query(yaml: string, pipeline = 'splunk'): string {
  const r = convert(yaml, pipeline);
  if (!r.ok) throw new Error(`${r.code}: ${r.error}`);
  assert.deepEqual(validateSpl(r.query).problems, [], r.query);
  return r.query;
}
function refused(yaml: string, pipeline = 'splunk'): { code: string; error: string } {
  const r = convert(yaml, pipeline);
  assert.equal(r.ok, false, r.ok ? r.query : '');
  return r as { code: string; error: string };
}

const rule = (detection: string, condition = 'selection', logsource = 'category: proxy') => `title: t
logsource:
    ${logsource}
detection:
${detection
  .trim()
  .split('\n')
  .map((l) => '    ' + l)
  .join('\n')}
    condition: ${condition}
`;

function cli(...args: string[]) {
  return spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), 'convert', '--target', 'spl', ...args], { encoding: 'utf8' });
}

test('the target and its validator are registered', () => {
  assert.equal(TARGETS.spl!.backend, splBackend);
  assert.deepEqual(TARGETS.spl!.listPipelines(), ['splunk', 'splunk-cim', 'splunk-windows']);
  assert.deepEqual(TARGETS.spl!.bases('splunk-windows'), ['windows']);
  assert.equal(VALIDATORS.spl, validateSpl);
});

test('seed: the proxy BITS rule with splunk (plain names) and splunk-cim (tstats over Web.Proxy), through the CLI', () => {
  const plain = cli('--pipeline', 'splunk', PROXY_SEED);
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(plain.stdout, '"c-useragent"="Microsoft BITS/*" NOT ("cs-host"="*.com" OR "cs-host"="*.net" OR "cs-host"="*.org" OR "cs-host"="*.scdn.co" OR "cs-host"="*.sfx.ms")\n');
  const cim = cli('--pipeline', 'splunk-cim', PROXY_SEED);
  assert.equal(cim.status, 0, cim.stderr);
  assert.equal(
    cim.stdout,
    '| tstats summariesonly=false allow_old_summaries=true fillnull_value="unknown" count min(_time) as firstTime max(_time) as lastTime from datamodel=Web.Proxy where Web.http_user_agent="Microsoft BITS/*" NOT (Web.dest="*.com" OR Web.dest="*.net" OR Web.dest="*.org" OR Web.dest="*.scdn.co" OR Web.dest="*.sfx.ms") by Web.src Web.dest Web.user Web.http_method Web.url Web.http_user_agent Web.status\n',
  );
  assert.deepEqual(validateSpl(cim.stdout.trim()).problems, []);
});

test('seed: the Windows BITS-client 16403 rules with splunk-windows: WinEventLog source, EventCode, RemoteName', () => {
  const tld = cli('--pipeline', 'splunk-windows', BITS_TLD);
  assert.equal(tld.status, 0, tld.stderr);
  const filters = ['.azureedge.net/', '.com/', '.sfx.ms/', 'download.mozilla.org/', 'cdn.onenote.net/', 'cdn.office.net/', 'tscdn.m365.static.microsoft/'];
  assert.equal(tld.stdout, `source="WinEventLog:Microsoft-Windows-Bits-Client/Operational" EventCode=16403 NOT (${filters.map((f) => `RemoteName="*${f}*"`).join(' OR ')})\n`);
  const sharing = cli('--pipeline', 'splunk-windows', BITS_SHARING);
  assert.equal(sharing.status, 0, sharing.stderr);
  assert.match(sharing.stdout, /^source="WinEventLog:Microsoft-Windows-Bits-Client\/Operational" EventCode=16403 \(RemoteName="\*\.githubusercontent\.com\*" OR RemoteName="\*0x0\.st\*" OR /);
  assert.match(sharing.stdout, / OR RemoteName="\*x0\.at\*"\)\n$/);
  // splunk-windows scopes every search to its log source: the proxy rule has none there.
  const proxy = cli('--pipeline', 'splunk-windows', PROXY_SEED);
  assert.equal(proxy.status, 2); // nothing converted
  assert.match(proxy.stderr, /not converted \[no-logsource-guard\] no source\/EventCode condition for log source category=proxy/);
  // No data model for a Windows log source: refused with the reason, not searched some other way.
  const cim = cli('--pipeline', 'splunk-cim', BITS_SHARING);
  assert.equal(cim.status, 2);
  assert.match(cim.stderr, /not converted \[no-datamodel\] no CIM data model for log source product=windows,service=bits-client/);
});

test('strings: case-insensitive quoted terms with * wildcards; ?, literal * and |cased through | where match()', () => {
  assert.equal(query(rule('selection:\n    f|contains: abc')), 'f="*abc*"');
  assert.equal(query(rule('selection:\n    f|startswith: abc')), 'f="abc*"');
  assert.equal(query(rule('selection:\n    f|endswith: abc')), 'f="*abc"');
  assert.equal(query(rule('selection:\n    f: a*c')), 'f="a*c"');
  assert.equal(query(rule('selection:\n    f: a?c')), '*\n| where match(f, "(?is)^a.c\\\\z")');
  assert.equal(query(rule('selection:\n    f: a\\*c')), '*\n| where match(f, "(?i)^a\\\\*c\\\\z")');
  assert.equal(query(rule('selection:\n    f|cased: Abc')), '*\n| where match(f, "^Abc\\\\z")');
  assert.equal(query(rule('selection:\n    f|contains|cased: Abc')), '*\n| where match(f, "Abc")');
  assert.equal(query(rule('selection:\n    f|contains|all:\n      - a\n      - b')), 'f="*a*" f="*b*"');
});

test('escaping: backslashes and quotes in terms and eval strings; odd field names quoted per language', () => {
  // Sigma `C:\\Windows\\"q"` is the text C:\Windows\"q".
  assert.equal(query(rule('selection:\n    f: C:\\\\Windows\\\\"q"')), 'f="C:\\\\Windows\\\\\\"q\\""');
  assert.equal(query(rule('selection:\n    cs-host: x\n    field name: y\n    a.b: z')), '"cs-host"="x" "field name"="y" a.b="z"');
  assert.equal(query(rule('selection:\n    NOT: x\n    or|re: y')), '"NOT"="x"\n| where match(\'or\', "y")');
  // In eval, a dot is concatenation and a dash subtraction: such names take single quotes.
  assert.equal(query(rule('selection:\n    a.b|re: x\n    cs-host|cased: Y')), '*\n| where match(\'a.b\', "x") AND match(\'cs-host\', "^Y\\\\z")');
  // A control character cannot stand in a one-line term: the regex spells it \x09.
  assert.equal(query(rule('selection:\n    f: "a\\tb"')), '*\n| where match(f, "(?i)^a\\\\x09b\\\\z")');
});

test('regular expressions: flags i, m, s; passed to PCRE as written', () => {
  assert.equal(query(rule('selection:\n    f|re|i: ^a.c$')), '*\n| where match(f, "(?i)^a.c$")');
  assert.equal(query(rule("selection:\n    f|re|m|s: 'a\"b\\d'")), '*\n| where match(f, "(?ms)a\\"b\\\\d")');
});

test('cidr, null, exists, numbers, comparisons, neq', () => {
  assert.equal(query(rule('selection:\n    f|cidr: 10.0.0.0/8')), 'f="10.0.0.0/8"');
  assert.equal(query(rule('selection:\n    f|cidr: "2001:db8::/32"')), 'f="2001:db8::/32"');
  assert.equal(query(rule('selection:\n    f: null')), 'NOT f=*');
  assert.equal(query(rule('selection:\n    f|exists: true')), 'f=*');
  assert.equal(query(rule('selection:\n    f|exists: false')), 'NOT f=*');
  assert.equal(query(rule('selection:\n    f: 5')), 'f=5');
  assert.equal(query(rule('selection:\n    f|lt: 5')), 'f<5');
  assert.equal(query(rule('selection:\n    f|gte: 1.5')), 'f>=1.5');
  assert.equal(query(rule('selection:\n    f|neq: x')), '(f=* NOT f="x")');
  assert.equal(query(rule('selection:\n    f: x\nfilter:\n    g: null', 'selection and not filter')), 'f="x" NOT (NOT g=*)');
});

test('fieldref: equality in | where, null-safe; substring forms refused', () => {
  assert.equal(query(rule('selection:\n    f|fieldref: g')), '*\n| where (isnotnull(f) AND isnotnull(g) AND lower(f)==lower(g))');
  assert.equal(query(rule('selection:\n    f|fieldref|cased: g')), '*\n| where (isnotnull(f) AND isnotnull(g) AND f==g)');
  assert.equal(refused(rule('selection:\n    f|fieldref|startswith: g')).code, 'unsupported-modifier');
});

test('keywords: bare quoted terms; in | where, a regex over _raw', () => {
  assert.equal(query(rule('keywords:\n    - evil\n    - "bad thing"', 'keywords')), '("*evil*" OR "*bad thing*")');
  assert.equal(query(rule('keywords:\n    - evil\nselection:\n    f|re: x', 'keywords or selection')), '*\n| where match(_raw, "(?i)evil") OR match(f, "x")');
});

test('mixed: searchable conjuncts stay terms, the rest goes whole to | where; negation stays null-safe', () => {
  assert.equal(query(rule('selection:\n    f: x\nfilter:\n    g|re: y', 'selection and not filter')), 'f="x"\n| where NOT (isnotnull(g) AND match(g, "y"))');
  assert.equal(query(rule('selection:\n    f|re: x\nfilter:\n    g: y', 'selection or not filter')), '*\n| where match(f, "x") OR NOT (isnotnull(g) AND match(g, "(?i)^y\\\\z"))');
  assert.equal(query(rule('selection:\n    f: 5\nfilter:\n    g|lt: 3\n    h|re: z', 'selection and not filter')), 'f=5\n| where NOT ((isnotnull(tonumber(g)) AND tonumber(g)<3) AND (isnotnull(h) AND match(h, "z")))');
});

test('splunk-windows: process creation guard on source and EventCode', () => {
  assert.equal(
    query(rule('selection:\n    CommandLine|contains: x', 'selection', 'product: windows\n    category: process_creation'), 'splunk-windows'),
    '(source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" OR source="WinEventLog:Security") (EventCode=1 OR EventCode=4688) CommandLine="*x*"',
  );
});

test('splunk-windows: the source prefix follows the pipeline state splunk_windows_source (sysmon-xml by default, xml, classic), set by a pipeline file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-spl-'));
  const stateFile = (val: string, priority = 10) => {
    const f = join(dir, `${val}-${priority}.yml`);
    writeFileSync(f, `name: splunk-source-${val}\npriority: ${priority}\ntransformations:\n  - type: set_state\n    key: splunk_windows_source\n    val: ${val}\n`);
    return f;
  };
  const sources = (...pipelines: string[]) => {
    const r = cli(...pipelines.flatMap((p) => ['--pipeline', p]), BITS_TLD, PROC_CREATION);
    assert.equal(r.status, 0, r.stderr);
    return [...r.stdout.matchAll(/source="([^"]+)"/g)].map((m) => m[1]);
  };
  const channels = ['Microsoft-Windows-Bits-Client/Operational', 'Microsoft-Windows-Sysmon/Operational', 'Security'];
  assert.deepEqual(sources('splunk-windows'), ['WinEventLog:', 'XmlWinEventLog:', 'WinEventLog:'].map((p, i) => p + channels[i]));
  assert.deepEqual(sources('splunk-windows', stateFile('sysmon-xml')), sources('splunk-windows'));
  assert.deepEqual(sources('splunk-windows', stateFile('xml')), channels.map((c) => `XmlWinEventLog:${c}`));
  assert.deepEqual(sources('splunk-windows', stateFile('classic')), channels.map((c) => `WinEventLog:${c}`));
  // The shipped example is the `xml` choice.
  assert.deepEqual(sources('splunk-windows', join(REPO, 'examples/pipelines/splunk-windows-xml.yml')), channels.map((c) => `XmlWinEventLog:${c}`));
  // A value the pipeline does not know fails the rule instead of falling back to the default.
  const bad = cli('--pipeline', 'splunk-windows', '--pipeline', stateFile('XML'), BITS_TLD);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /not converted \[pipeline-failure\] pipeline state splunk_windows_source must be sysmon-xml, xml or classic/);
});

test('splunk-windows over the SigmaHQ Windows rules: Sysmon sources are XmlWinEventLog:, every other channel WinEventLog:', () => {
  const col = loadSigmaPaths([join(DATA, 'sigmahq/rules/windows')]);
  const results = convertCollection(col, splBackend, resolveConvertPipelines('spl', ['splunk-windows']));
  const count = new Map<string, number>();
  for (const { result } of results) {
    if (!result.ok) continue;
    for (const m of result.query.matchAll(/source="([^":]+):([^"]+)"/g)) {
      const key = `${m[1]}:${m[2] === 'Microsoft-Windows-Sysmon/Operational' ? 'Sysmon' : 'other'}`;
      count.set(key, (count.get(key) ?? 0) + 1);
    }
  }
  console.log(`splunk-windows sources over rules/windows: ${JSON.stringify(Object.fromEntries([...count].sort()))}`);
  assert.deepEqual([...count.keys()].sort(), ['WinEventLog:other', 'XmlWinEventLog:Sysmon']);
  assert.ok(count.get('XmlWinEventLog:Sysmon')! > 1000);
});

test('splunk-cim: what tstats cannot say, and fields outside the data model, are refused with the reason', () => {
  const re = refused(rule('selection:\n    c-uri|re: x'), 'splunk-cim');
  assert.equal(re.code, 'tstats-unsupported');
  assert.match(re.error, /\|re on Web\.url/);
  const unknown = refused(rule('selection:\n    c-uri-extension: exe'), 'splunk-cim');
  assert.equal(unknown.code, 'pipeline-failure');
  assert.match(unknown.error, /no field for this Sigma field .*c-uri-extension/);
  assert.equal(refused(rule('selection:\n    c-uri: a?b'), 'splunk-cim').code, 'tstats-unsupported');
  assert.equal(refused(rule('selection:\n    c-useragent|cased: X'), 'splunk-cim').code, 'tstats-unsupported');
  assert.match(refused(rule('selection:\n    c-uri: null'), 'splunk-cim').error, /absence cannot be told/);
  assert.match(
    query(rule('selection:\n    cs-uri-query|contains: "/x"\n    sc-status: 200', 'selection', 'category: webserver'), 'splunk-cim'),
    / from datamodel=Web where Web\.uri_query="\*\/x\*" Web\.status=200 by /,
  );
});

test('the validator rejects broken queries, each problem with its line and column', () => {
  const bad: Array<[string, RegExp]> = [
    ['f="abc', /1:3: unterminated string/],
    ['(f="a" OR g="b"', /'\)' expected/],
    ['f="a")', /unbalanced '\)'|unexpected \)/],
    ['f="a" OR', /OR without a right-hand side/],
    ['OR f="a"', /OR without a left-hand side/],
    ['f= ', /a value expected/],
    ['f<abc', /compares with a number/],
    ["'f'=\"a\"", /single quotes/],
    ['cs-host!x="a"', /'!' is not an operator/],
    ['()', /empty parentheses/],
    ['f="a"\n| where match(f, "x"', /2:\d+: '\)' expected to close match/],
    ['f="a"\n| where match(f)', /match\(\) takes 2 arguments, given 1/],
    ['f="a"\n| where nosuch(f)', /unknown eval function nosuch/],
    ['f="a"\n| where a.b="x"', /needs single quotes/],
    ['f="a"\n| where f="x" AND', /an expression expected/],
    ['f="a"\n| wher f="x"', /unknown command 'wher'/],
    ['f="a" |', /a pipe without a command/],
    ['| where f="x"', /'where' cannot start a search/],
    ['f="a"\n| tstats count from datamodel=Web', /generating command/],
    ['| tstats count datamodel=Web', /without "from datamodel=/],
    ['| tstats bogus=1 count from datamodel=Web', /unknown tstats option 'bogus'/],
    ['| tstats count from datamodel=Web where (x="a" by Web.src', /'\)' expected/],
    ['| tstats from datamodel=Web', /without an aggregation/],
    ['f="a"\n| regex f', /regex takes field="pattern"/],
  ];
  for (const [q, why] of bad) {
    const c = validateSpl(q);
    assert.equal(c.ok, false, `accepted: ${q}`);
    assert.match(c.problems.join('\n'), why, q);
  }
  for (const q of ['f="a" (g="b" OR NOT h=*) i<5', '*\n| where match(\'a.b\', "x\\\\d") OR NOT (isnotnull(tonumber(g)) AND tonumber(g)>=3)', 'f="a"\n| regex f!="x"']) assert.deepEqual(validateSpl(q).problems, [], q);
});

/** A tiny savedsearches.conf reader: stanzas of `key = value`, `\` at a line's end continues it. */
function readConf(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (!line.trim() || line.startsWith('#')) continue;
    const head = /^\[(.*)\]$/.exec(line);
    if (head) {
      assert.ok(!out.has(head[1]!), `stanza [${head[1]}] twice`);
      out.set(head[1]!, (current = new Map()));
      continue;
    }
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + '\n' + lines[++i]!;
    const eq = line.indexOf(' = ');
    assert.ok(current && eq > 0, `not a setting: ${line}`);
    current.set(line.slice(0, eq), line.slice(eq + 3));
  }
  return out;
}

test('savedsearches: one stanza per rule with search, schedule, severity, ES correlation search and ATT&CK annotations', () => {
  const col = loadSigmaPaths([PROXY_SEED, BITS_TLD, join(DATA, 'sigmahq/rules/windows/builtin/bits_client/win_bits_client_new_job_via_bitsadmin.yml')]);
  const pipelines = resolveConvertPipelines('spl', ['splunk']);
  const results = convertCollection(col, splBackend, pipelines);
  assert.ok(results.every((r) => r.result.ok));
  const conf = readConf(renderRuleFormat(splBackend, 'savedsearches', results));
  assert.equal(conf.size, 3);
  const s = conf.get('Bitsadmin to Uncommon TLD')!;
  assert.ok(s, [...conf.keys()].join(', '));
  assert.equal(s.get('search'), results[0]!.result.ok ? results[0]!.result.query : '');
  assert.equal(s.get('description'), 'Detects Bitsadmin connections to domains with uncommon TLDs');
  assert.equal(s.get('alert.severity'), '5'); // level high
  assert.equal(s.get('action.notable.param.severity'), 'high');
  assert.equal(s.get('cron_schedule'), '*/15 * * * *');
  assert.equal(s.get('dispatch.earliest_time'), '-15m@m');
  assert.equal(s.get('dispatch.latest_time'), 'now');
  assert.equal(s.get('action.correlationsearch.enabled'), '1');
  assert.equal(s.get('action.correlationsearch.label'), 'Bitsadmin to Uncommon TLD');
  assert.equal(s.get('action.notable.param.rule_title'), 'Bitsadmin to Uncommon TLD');
  const ann = JSON.parse(s.get('action.correlationsearch.annotations')!) as Record<string, string[]>;
  assert.deepEqual(ann.mitre_attack, ['T1071.001', 'T1197']);
  assert.ok(ann.mitre_attack_tactics!.includes('command-and-control'));
  // Every stanza's search is the converted query, read back through the continuations.
  for (const r of results) if (r.result.ok) assert.ok([...conf.values()].some((st) => st.get('search') === (r.result.ok ? r.result.query : '')), r.document.file);
});

test('savedsearches: multi-line values continue with a backslash; titles with brackets and duplicates stay distinct stanzas', () => {
  assert.equal(confValue('a\n| where b'), 'a \\\n| where b');
  assert.equal(confValue('ends with \\'), 'ends with \\ ');
  const meta = (title: string, id: string) => ({
    meta: { id, title, description: 'line one\nline two', severity: 'critical' as const, author: null, status: null, references: [], falsepositives: [], tactics: [], techniques: [], techniqueNames: {}, tags: [], date: null, modified: null, file: 'x.yml' },
    query: 'f="a"\n| where match(g, "b")',
    state: {},
    pipelines: ['splunk'],
  });
  const text = splBackend.formats!.savedsearches!.render([meta('A [test] rule', 'id-1'), meta('A [test] rule', 'id-2')]);
  const conf = readConf(text);
  assert.deepEqual([...conf.keys()], ['A (test) rule', 'A (test) rule (id-2)']);
  const st = conf.get('A (test) rule')!;
  assert.equal(st.get('description'), 'line one \nline two');
  assert.equal(st.get('search'), 'f="a" \n| where match(g, "b")');
  assert.equal(st.get('alert.severity'), '6');
  assert.equal(st.get('action.correlationsearch.annotations'), '{}');
});

test('the embedded pipelines are the files under src/backends/spl/pipelines (written by build/embed-data.mjs)', () => {
  assertEmbedsFolder(SPL_PIPELINE_YAML, join(REPO, 'src/backends/spl/pipelines'));
  assert.deepEqual(Object.keys(SPL_PIPELINE_YAML).sort(), listSplPipelines());
});
