// The EQL target over ECS: the two BITS seed rules, the event category from the pipeline, Sigma's
// semantics modifier by modifier (`:` for case-insensitive, `==`/`like` for cased, RegExps for
// backslashes and literal wildcards), null guards under negation, refusals, the structural
// validator against broken queries, the elastic-rule NDJSON format of all three targets, and a
// differential run (eql-eval.ts) against the engine on SigmaHQ's regression events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DATA, REPO } from '../helpers.js';
import { validateEql } from '../../src/backends/elastic/eql/validate.js';
import { eqlField, eqlString } from '../../src/backends/elastic/eql/syntax.js';
import { CLI, processCreation, proxy, queryWith, refusal, ruleOf } from './elastic-helpers.js';
import { elasticDifferential } from './elastic-differential.js';
import { evaluateEql } from './eql-eval.js';
import { eqlBackend } from '../../src/backends/elastic/index.js';

const eql = (yaml: string, pipeline = 'ecs-proxy') => queryWith('eql', yaml, pipeline);
const PROXY_SEED = join(DATA, 'sigmahq/rules/web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml');
const WIN_SEED = join(DATA, 'sigmahq/rules/windows/builtin/bits_client/win_bits_client_new_transfer_via_uncommon_tld.yml');
const cond = (q: string) => q.replace(/^any where /, '');

test('golden: the proxy seed rule with ecs-proxy, through the CLI', () => {
  const r = spawnSync(process.execPath, CLI(['--target', 'eql', '--pipeline', 'ecs-proxy', PROXY_SEED]), { encoding: 'utf8', cwd: REPO });
  assert.equal(r.status, 0, r.stderr);
  const ends = ['.com', '.net', '.org', '.scdn.co', '.sfx.ms'].map((s) => `(url.domain != null and url.domain : "*${s}")`);
  assert.equal(r.stdout, `any where user_agent.original : "Microsoft BITS/*" and not (${ends.join(' or ')})\n`);
});

test('golden: the BITS-client 16403 seed rule with ecs-windows', () => {
  const filters = ['.azureedge.net/', '.com/', '.sfx.ms/', 'download.mozilla.org/', 'cdn.onenote.net/', 'cdn.office.net/', 'tscdn.m365.static.microsoft/'];
  assert.equal(
    eql(readFileSync(WIN_SEED, 'utf8'), 'ecs-windows'),
    'any where winlog.channel : "Microsoft-Windows-Bits-Client/Operational" and event.code == "16403" and not (' +
      filters.map((f) => `(winlog.event_data.RemoteName != null and winlog.event_data.RemoteName : "*${f}*")`).join(' or ') +
      ')',
  );
});

test('the event category comes from the pipeline: process where for Sysmon process creation', () => {
  const q = eql(processCreation("selection:\n    CommandLine|contains: 'whoami'"), 'ecs-windows');
  assert.match(q, /^process where /);
  assert.match(q, /process\.command_line : "\*whoami\*"/);
  assert.match(eql(ruleOf('category: proxy', "selection:\n    c-uri: 'a'"), 'ecs-none'), /^any where `c-uri` : "a"$/);
});

test('strings: `:` case-insensitive, `==` and `like` cased, RegExps for backslashes and literal wildcards', () => {
  const cases: Array<[string, string]> = [
    ["c-uri: 'Mozilla'", 'url.original : "Mozilla"'],
    ["c-uri|cased: 'Mozilla'", 'url.original == "Mozilla"'],
    ["c-uri|contains: 'Ab'", 'url.original : "*Ab*"'],
    ["c-uri|startswith|cased: 'Ab'", 'url.original like "Ab*"'],
    ["c-uri: 'a?c'", 'url.original : "a?c"'],
    ["c-uri|contains: 'a\\*b'", 'url.original regex~ ".*a\\\\*b.*"'],
    ["c-uri|endswith: '\\cmd.exe'", 'url.original regex~ ".*\\\\\\\\cmd[.]exe"'],
    ["c-uri|endswith|cased: '\\cmd.exe'", 'url.original regex ".*\\\\\\\\cmd[.]exe"'],
    ["c-uri: 'say \"hi\"'", 'url.original : "say \\"hi\\""'],
    ["c-uri: '*'", 'url.original != null'],
  ];
  for (const [detection, expected] of cases) assert.equal(cond(eql(proxy(`selection:\n    ${detection}`))), expected, detection);
});

test('typed fields, null, exists, neq, regex, CIDR and comparisons', () => {
  const cases: Array<[string, string]> = [
    ['sc-status: 404', 'http.response.status_code == 404'],
    ['sc-status|gt: 499', 'http.response.status_code > 499'],
    ['c-uri|lte: 5', 'number(url.original) <= 5'],
    ['c-uri: null', 'url.original == null'],
    ['c-uri|exists: true', 'url.original != null'],
    ["c-uri|neq: 'x'", '(url.original != null and not (url.original : "x"))'],
    ["c-uri|re: '^/api/v[0-9]+\\.php$'", 'url.original regex "\\\\/api\\\\/v[0-9]+[.]php"'],
    ["c-uri|re|i: 'ab\\d'", 'url.original regex~ ".*ab[0-9].*"'],
    ["c-ip|cidr: '10.0.0.0/8'", 'cidrMatch(source.ip, "10.0.0.0/8")'],
    ["c-ip|startswith: '10.'", 'cidrMatch(source.ip, "10.0.0.0/8")'],
    ["c-ip: '::1'", 'source.ip == "::1"'],
  ];
  for (const [detection, expected] of cases) assert.equal(cond(eql(proxy(`selection:\n    ${detection}`))), expected, detection);
});

test('refused with a reason: keywords, field references, CIDR on keyword fields, patterns on numbers', () => {
  const cases: Array<[string, string]> = [
    [proxy("keywords:\n    - 'evil'", 'keywords'), 'unsupported-keyword'],
    [proxy('selection:\n    c-uri|fieldref: cs-host'), 'fieldref-unsupported'],
    [proxy("selection:\n    cs-host|cidr: '10.0.0.0/8'"), 'cidr-keyword'],
    [proxy("selection:\n    sc-status: '4*'"), 'type-mismatch'],
    [proxy("selection:\n    c-uri|re: 'a(?!b)'"), 'regex-unsupported'],
  ];
  for (const [yaml, code] of cases) assert.equal(refusal('eql', yaml).code, code, yaml);
});

test('names and strings', () => {
  assert.equal(eqlField('process.command_line'), 'process.command_line');
  assert.equal(eqlField('@timestamp'), '@timestamp');
  assert.equal(eqlField('cs-host'), '`cs-host`');
  assert.equal(eqlField('a.where'), '`a.where`');
  assert.equal(eqlString('a"b\\c\n'), '"a\\"b\\\\c\\n"');
});

test("validateEql: accepts the renderer's forms, rejects broken queries with their place", () => {
  const good = [
    'any where a : "x"',
    'process where process.name : ("a*", "b") and not (`cs-host` != null and `cs-host` regex~ ".*[.]x") or cidrMatch(source.ip, "10.0.0.0/8", "::1/128")',
    'network where destination.port in (80, 443) and number(x) >= -1 and y like~ "a*"',
  ];
  for (const q of good) assert.deepEqual(validateEql(q).problems, [], q);
  const bad: Array<[string, RegExp]> = [
    ['where a : "x"', /expected an event category/],
    ['any a : "x"', /expected 'where'/],
    ['any where (a : "x"', /expected '\)'/],
    ['any where a : x', /expected a string after :/],
    ['any where a regex "(x"', /unclosed '\('/],
    ['any where a == "x', /unterminated string/],
    ['any where a == "\\x"', /unknown escape \\x/],
    ['any where cidrmatch(a)', /takes 2 or more arguments, not 1/],
    ['any where frob(a)', /unknown function frob/],
    ['any where a == 1 b', /expected the end/],
    ['any where and == 1', /expected a field name/],
  ];
  for (const [q, why] of bad) {
    const check = validateEql(q);
    assert.equal(check.ok, false, q);
    assert.match(check.problems[0]!, /^line 1, column \d+: /, q);
    assert.match(check.problems[0]!, why, q);
  }
});

test('--format elastic-rule: one Kibana detection rule per line for each Elastic target', () => {
  for (const [target, type] of [
    ['lucene', 'query'],
    ['esql', 'esql'],
    ['eql', 'eql'],
  ] as const) {
    const r = spawnSync(process.execPath, CLI(['--target', target, '--pipeline', 'ecs-windows', '--format', 'elastic-rule', WIN_SEED, PROXY_SEED]), { encoding: 'utf8', cwd: REPO });
    // The proxy rule has no Windows log source: not converted, reported, so exit status 3 (partial).
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /ecs-windows maps Windows log sources only/);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const rule = JSON.parse(lines[0]!);
    const keys = ['rule_id', 'name', 'description', 'risk_score', 'severity', 'type', 'language', 'query', ...(target === 'esql' ? [] : ['index']), 'threat', 'references', 'false_positives', 'author', 'enabled', 'interval', 'from', 'tags', 'version'];
    assert.deepEqual(Object.keys(rule), keys);
    assert.equal(rule.rule_id, '6d44fb93-e7d2-475c-9d3d-54c9c1e33427');
    assert.equal(rule.name, 'BITS Transfer Job With Uncommon Or Suspicious Remote TLD');
    assert.equal(rule.type, type);
    assert.equal(rule.language, target);
    assert.equal(rule.severity, 'medium');
    assert.equal(rule.risk_score, 47);
    assert.equal(rule.enabled, false);
    assert.deepEqual(rule.author, ['Florian Roth (Nextron Systems)']);
    assert.deepEqual(rule.tags, ['attack.persistence', 'attack.execution', 'attack.stealth', 'attack.t1197']);
    if (target !== 'esql') assert.deepEqual(rule.index, ['winlogbeat-*', 'logs-windows.*', 'logs-system.*']);
    else assert.match(rule.query, /^FROM winlogbeat-\*, logs-windows\.\*, logs-system\.\* METADATA _id, _version, _index\n/);
    assert.deepEqual(
      rule.threat.map((t: { tactic: { id: string; name: string } }) => [t.tactic.id, t.tactic.name]),
      [
        ['TA0003', 'Persistence'],
        ['TA0002', 'Execution'],
        ['TA0005', 'Stealth'],
      ],
    );
    assert.deepEqual(rule.threat[0].technique, [{ id: 'T1197', name: 'BITS Jobs', reference: 'https://attack.mitre.org/techniques/T1197/' }]);
    assert.equal(rule.threat[0].framework, 'MITRE ATT&CK');
  }
  // The proxy seed is high: risk 73; with ecs-proxy it converts.
  const r = spawnSync(process.execPath, CLI(['--target', 'lucene', '--pipeline', 'ecs-proxy', '--format', 'elastic-rule', PROXY_SEED]), { encoding: 'utf8', cwd: REPO });
  assert.equal(r.status, 0, r.stderr);
  const rule = JSON.parse(r.stdout);
  assert.deepEqual([rule.severity, rule.risk_score, rule.index], ['high', 73, ['logs-*']]);
});

test('SigmaHQ regression cases: the EQL condition, evaluated on the events and variants of them, selects exactly what the engine matches', async () => {
  const { compared, variantEvents, refused, failures } = await elasticDifferential('EQL', eqlBackend, (q, doc) => evaluateEql(q, doc));
  process.stdout.write(`eql differential: ${compared} rules compared (${variantEvents} variant events), ${refused.length} refused\n`);
  for (const x of refused) process.stdout.write(`  refused ${x}\n`);
  assert.deepEqual(failures, []);
  assert.deepEqual(
    refused.map((x) => x.split(':')[0]),
    ['proc_creation_win_susp_cross_user_process_spawn'],
  );
  assert.ok(compared >= 130, `only ${compared} compared`);
});
