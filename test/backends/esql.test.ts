// The ES|QL target over ECS: the two BITS seed rules, Sigma's semantics modifier by modifier
// (TO_LOWER for case-insensitive tests, LIKE/RLIKE, COALESCE under negation, typed ECS fields),
// what is refused, string and name quoting, the structural validator against broken queries, and
// a differential run (esql-eval.ts) against the engine on SigmaHQ's regression events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DATA, REPO } from '../helpers.js';
import { validateEsql } from '../../src/backends/elastic/esql/validate.js';
import { esqlField, esqlIndex, esqlString, likePattern } from '../../src/backends/elastic/esql/syntax.js';
import { parseSigmaString } from '../../src/ir/values.js';
import { CLI, processCreation, proxy, queryWith, refusal, ruleOf } from './elastic-helpers.js';
import { elasticDifferential } from './elastic-differential.js';
import { evaluateEsql } from './esql-eval.js';
import { esqlBackend } from '../../src/backends/elastic/index.js';

const esql = (yaml: string, pipeline = 'ecs-proxy') => queryWith('esql', yaml, pipeline);
/** The condition of a `FROM logs-* | WHERE …` query. */
const where = (q: string) => {
  const [from, cond] = q.split('\n| WHERE ');
  assert.equal(from, 'FROM logs-*');
  return cond!;
};

test('golden: the proxy seed rule with ecs-proxy, through the CLI', () => {
  const r = spawnSync(process.execPath, CLI(['--target', 'esql', '--pipeline', 'ecs-proxy', join(DATA, 'sigmahq/rules/web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml')]), { encoding: 'utf8', cwd: REPO });
  assert.equal(r.status, 0, r.stderr);
  const ends = ['.com', '.net', '.org', '.scdn.co', '.sfx.ms'].map((s) => `COALESCE(ENDS_WITH(TO_LOWER(url.domain), "${s}"), FALSE)`);
  assert.equal(r.stdout, `FROM logs-*\n| WHERE STARTS_WITH(TO_LOWER(user_agent.original), "microsoft bits/") AND NOT (${ends.join(' OR ')})\n`);
});

test('golden: the BITS-client 16403 seed rule with ecs-windows: Winlogbeat and Agent indices, channel, event.code', () => {
  const q = esql(readFileSync(join(DATA, 'sigmahq/rules/windows/builtin/bits_client/win_bits_client_new_transfer_via_uncommon_tld.yml'), 'utf8'), 'ecs-windows');
  const filters = ['.azureedge.net/', '.com/', '.sfx.ms/', 'download.mozilla.org/', 'cdn.onenote.net/', 'cdn.office.net/', 'tscdn.m365.static.microsoft/'];
  assert.equal(
    q,
    'FROM winlogbeat-*, logs-windows.*, logs-system.*\n| WHERE TO_LOWER(winlog.channel) == "microsoft-windows-bits-client/operational" AND event.code == "16403" AND NOT (' +
      filters.map((f) => `COALESCE(TO_LOWER(winlog.event_data.RemoteName) LIKE "*${f}*", FALSE)`).join(' OR ') +
      ')',
  );
});

test('strings: TO_LOWER for case-insensitive values with letters, exact forms for |cased, LIKE for wildcards', () => {
  const cases: Array<[string, string]> = [
    ["c-uri: 'Mozilla'", 'TO_LOWER(url.original) == "mozilla"'],
    ["c-uri|cased: 'Mozilla'", 'url.original == "Mozilla"'],
    ["c-uri: '123'", 'url.original == "123"'],
    ["c-uri|startswith: 'Ab'", 'STARTS_WITH(TO_LOWER(url.original), "ab")'],
    ["c-uri|endswith|cased: 'Ab'", 'ENDS_WITH(url.original, "Ab")'],
    ["c-uri|contains: 'Ab'", 'TO_LOWER(url.original) LIKE "*ab*"'],
    ["c-uri|contains|cased: 'Ab'", 'url.original LIKE "*Ab*"'],
    ["c-uri: 'http://a*b?.exe'", 'TO_LOWER(url.original) LIKE "http://a*b?.exe"'],
    ["c-uri|contains: 'a\\*b'", 'TO_LOWER(url.original) LIKE "*a\\\\*b*"'],
    ["c-uri|contains: 'C:\\Windows\\\"x\"'", 'TO_LOWER(url.original) LIKE "*c:\\\\\\\\windows\\\\\\\\\\"x\\"*"'],
    ["c-uri: '*'", 'url.original IS NOT NULL'],
    ['c-uri: true', 'TO_LOWER(url.original) == "true"'],
  ];
  for (const [detection, expected] of cases) assert.equal(where(esql(proxy(`selection:\n    ${detection}`))), expected, detection);
});

test('typed fields, null, exists, neq, regex, CIDR, comparisons and field references', () => {
  const cases: Array<[string, string]> = [
    ['sc-status: 404', 'http.response.status_code == 404'],
    ["sc-status: '404'", 'http.response.status_code == 404'],
    ["sc-status: '4*'", 'STARTS_WITH(TO_STRING(http.response.status_code), "4")'],
    ['sc-status|gte: 500', 'http.response.status_code >= 500'],
    ['c-uri|lt: 5', 'TO_DOUBLE(url.original) < 5'],
    ['c-uri: null', 'url.original IS NULL'],
    ['c-uri|exists: false', 'url.original IS NULL'],
    ["c-uri|neq: 'x'", '(url.original IS NOT NULL AND NOT COALESCE(TO_LOWER(url.original) == "x", FALSE))'],
    ["c-uri|re: '^/api/v[0-9]+\\.php$'", 'url.original RLIKE "\\\\/api\\\\/v[0-9]+[.]php"'],
    ["c-uri|re|i: 'ab\\d'", 'url.original RLIKE ".*[Aa][Bb][0-9].*"'],
    ["c-ip|cidr: '10.0.0.0/8'", 'CIDR_MATCH(source.ip, "10.0.0.0/8")'],
    ["cs-host|cidr: '10.0.0.0/8'", 'CIDR_MATCH(TO_IP(url.domain), "10.0.0.0/8")'],
    ["c-ip|startswith: '192.168.'", 'STARTS_WITH(TO_STRING(source.ip), "192.168.")'],
    ['c-uri|fieldref: cs-host', '(url.domain IS NOT NULL AND url.domain != "" AND TO_LOWER(url.original) == TO_LOWER(url.domain))'],
    ['c-uri|fieldref|contains: cs-host', '(url.domain IS NOT NULL AND url.domain != "" AND LOCATE(TO_LOWER(url.original), TO_LOWER(url.domain)) > 0)'],
  ];
  for (const [detection, expected] of cases) assert.equal(where(esql(proxy(`selection:\n    ${detection}`))), expected, detection);
});

test('negation is total: a test on a missing field counts as false before NOT', () => {
  assert.equal(
    where(esql(proxy("selection:\n    c-uri|contains: 'a'\nfilter:\n    cs-host: 'b'\n    c-ip: null", 'selection and not filter'))),
    'TO_LOWER(url.original) LIKE "*a*" AND NOT (COALESCE(TO_LOWER(url.domain) == "b", FALSE) AND source.ip IS NULL)',
  );
  // Under two negations a test is positive again: its null reaches WHERE as null, which drops the row like false.
  assert.equal(
    where(esql(proxy("selection:\n    c-uri: 'a'\nfilter:\n    cs-host: 'b'", 'not (selection and not filter)'))),
    'NOT (COALESCE(TO_LOWER(url.original) == "a", FALSE) AND NOT (TO_LOWER(url.domain) == "b"))',
  );
});

test('refused with a reason: keywords, unsupported regular expressions', () => {
  assert.equal(refusal('esql', proxy("keywords:\n    - 'evil'", 'keywords')).code, 'unsupported-keyword');
  assert.equal(refusal('esql', proxy("selection:\n    c-uri|re: '\\bfoo'")).code, 'regex-unsupported');
  assert.equal(refusal('esql', proxy("selection:\n    c-uri: \"a\\u0001b\"")).code, 'binary-value');
});

test('names, strings, index patterns and LIKE patterns', () => {
  assert.equal(esqlField('process.command_line'), 'process.command_line');
  assert.equal(esqlField('cs-host'), '`cs-host`');
  assert.equal(esqlField('a.not.b'), '`a.not.b`');
  assert.equal(esqlField('we`ird'), '`we``ird`');
  assert.equal(esqlString('a"b\\c\nd\te'), '"a\\"b\\\\c\\nd\\te"');
  assert.equal(esqlIndex('logs-windows.*'), 'logs-windows.*');
  assert.equal(esqlIndex('odd index'), '"odd index"');
  assert.equal(likePattern(parseSigmaString('A\\*b*c?\\\\').parts, (s) => s.toLowerCase()), 'a\\*b*c?\\\\');
  assert.equal(esql(ruleOf('category: proxy', "selection:\n    cs-host|cased: 'a'"), 'ecs-none'), 'FROM logs-*\n| WHERE `cs-host` == "a"');
  assert.match(esql(processCreation("selection:\n    CommandLine|contains: 'x'"), 'ecs-windows'), /process\.command_line/);
});

test('validateEsql: accepts the renderer\'s forms, rejects broken queries with their place', () => {
  const good = [
    'FROM logs-*\n| WHERE a == "x"',
    'FROM a-*, "b c" METADATA _id\n| WHERE NOT (COALESCE(TO_LOWER(`cs-host`) LIKE "*x*", FALSE)) AND b.c IS NOT NULL | LIMIT 10',
    'FROM logs-*\n| WHERE CIDR_MATCH(TO_IP(x), "10.0.0.0/8", "::1/128") OR y RLIKE ".*[Aa](b|c).*" OR z NOT IN ("a", "b") OR n >= -5',
  ];
  for (const q of good) assert.deepEqual(validateEsql(q).problems, [], q);
  const bad: Array<[string, RegExp]> = [
    ['WHERE a == "x"', /expected FROM/],
    ['FROM logs-*\n| WHERE (a == "x"', /expected '\)'/],
    ['FROM logs-*\n| WHERE a == "x', /unterminated string/],
    ['FROM logs-*\n| WHERE a == "\\q"', /unknown escape \\q/],
    ['FROM logs-*\n| WHERE FOO(a)', /unknown function FOO/],
    ['FROM logs-*\n| WHERE STARTS_WITH(a)', /STARTS_WITH takes 2 arguments, not 1/],
    ['FROM logs-*\n| WHERE a LIKE b', /expected a string pattern after LIKE/],
    ['FROM logs-*\n| WHERE a RLIKE "(x"', /unclosed '\('/],
    ['FROM logs-*\n| WHERE a IS NOTNULL', /expected NULL after IS/],
    ['FROM logs-*\n| WHERE and == 1', /expected a field name/],
    ['FROM logs-*\n| WHERE a == 1 b', /expected \| or the end/],
    ['FROM logs-*\n| WHERE `a == 1', /unterminated `name`/],
    ['FROM logs-*\n| SELECT a', /expected WHERE, EVAL, STATS or LIMIT/],
  ];
  for (const [q, why] of bad) {
    const check = validateEsql(q);
    assert.equal(check.ok, false, q);
    assert.match(check.problems[0]!, /^line \d+, column \d+: /, q);
    assert.match(check.problems[0]!, why, q);
  }
});

test('SigmaHQ regression cases: the ES|QL condition, evaluated with three-valued logic on the events and variants of them, selects exactly what the engine matches', async () => {
  const { compared, variantEvents, refused, failures } = await elasticDifferential('ES|QL', esqlBackend, (q, doc) => evaluateEsql(q, doc));
  process.stdout.write(`esql differential: ${compared} rules compared (${variantEvents} variant events), ${refused.length} refused\n`);
  for (const x of refused) process.stdout.write(`  refused ${x}\n`);
  assert.deepEqual(failures, []);
  assert.deepEqual(refused, []);
  assert.ok(compared >= 130, `only ${compared} compared`);
});
