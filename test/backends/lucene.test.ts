// The Lucene (query_string) target over ECS: the two BITS seed rules, Sigma's semantics modifier by
// modifier (case folding as `[Aa]` RegExps), escaping, the translation of Sigma regular expressions
// to Lucene's RegExp, what is refused, the validator, the embedded ECS pipelines, and a differential
// run of the generated queries (lucene-eval.ts) against the engine on SigmaHQ's regression events.
import { assertEmbedsFolder } from '../embeds.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DATA, REPO } from '../helpers.js';
import { validateLucene } from '../../src/backends/elastic/lucene/validate.js';
import { luceneField, luceneTerm } from '../../src/backends/elastic/lucene/syntax.js';
import { sigmaRegexToLucene } from '../../src/backends/elastic/lucene-regexp.js';
import { ConversionError } from '../../src/backends/common/types.js';
import { ELASTIC_PIPELINE_YAML } from '../../src/backends/elastic/pipelines-data.js';
import { elasticPipeline, listElasticPipelines } from '../../src/backends/elastic/index.js';
import { CLI, processCreation, proxy, queryWith, refusal, ruleOf } from './elastic-helpers.js';
import { elasticDifferential } from './elastic-differential.js';
import { evaluate } from './lucene-eval.js';
import { luceneBackend } from '../../src/backends/elastic/index.js';

const PROXY_SEED = join(DATA, 'sigmahq/rules/web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml');
const WIN_SEED = join(DATA, 'sigmahq/rules/windows/builtin/bits_client/win_bits_client_new_transfer_via_uncommon_tld.yml');
const lucene = (yaml: string, pipeline = 'ecs-proxy') => queryWith('lucene', yaml, pipeline);

test('golden: the proxy seed rule with ecs-proxy, through the CLI', () => {
  const r = spawnSync(process.execPath, CLI(['--target', 'lucene', '--pipeline', 'ecs-proxy', PROXY_SEED]), { encoding: 'utf8', cwd: REPO });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    'user_agent.original:/[Mm][Ii][Cc][Rr][Oo][Ss][Oo][Ff][Tt]\\ [Bb][Ii][Tt][Ss]\\/.*/ AND (NOT (url.domain:/.*[.][Cc][Oo][Mm]/ OR url.domain:/.*[.][Nn][Ee][Tt]/ OR url.domain:/.*[.][Oo][Rr][Gg]/ OR url.domain:/.*[.][Ss][Cc][Dd][Nn][.][Cc][Oo]/ OR url.domain:/.*[.][Ss][Ff][Xx][.][Mm][Ss]/))\n',
  );
  assert.equal(r.stderr, '');
});

test('golden: the BITS-client 16403 seed rule with ecs-windows: channel, event.code and winlog.event_data.RemoteName', () => {
  const q = lucene(readFileSync(WIN_SEED, 'utf8'), 'ecs-windows');
  const filters = ['.azureedge.net/', '.com/', '.sfx.ms/', 'download.mozilla.org/', 'cdn.onenote.net/', 'cdn.office.net/', 'tscdn.m365.static.microsoft/'];
  const fold = (s: string) => [...s].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c === '.' ? '[.]' : c === '/' ? '\\/' : c === '-' ? '\\-' : c)).join('');
  assert.equal(
    q,
    `winlog.channel:/${fold('Microsoft-Windows-Bits-Client/Operational')}/ AND event.code:16403 AND (NOT (${filters.map((f) => `winlog.event_data.RemoteName:/.*${fold(f)}.*/`).join(' OR ')}))`,
  );
});

test('strings: case-insensitive values with letters as case-folded RegExps, |cased and letterless values as terms', () => {
  const cases: Array<[string, string]> = [
    ["c-uri: 'http://a*b?.exe'", 'url.original:/[Hh][Tt][Tt][Pp]\\:\\/\\/[Aa].*[Bb].[.][Ee][Xx][Ee]/'],
    ["c-uri|cased: 'A*b'", 'url.original:A*b'],
    ["c-uri|cased: 'a b:c'", 'url.original:a\\ b\\:c'],
    ["c-uri|contains: '/123/'", 'url.original:*\\/123\\/*'],
    ["c-uri|startswith: 'ab'", 'url.original:/[Aa][Bb].*/'],
    ["c-uri|endswith: '.a<b>=c'", 'url.original:/.*[.][Aa][<][Bb][>]=[Cc]/'],
    ["c-uri|contains: 'a\\*b'", 'url.original:/.*[Aa]\\*[Bb].*/'],
    ["c-uri|contains: 'C:\\Windows\\\"x\"'", 'url.original:/.*[Cc]\\:\\\\[Ww][Ii][Nn][Dd][Oo][Ww][Ss]\\\\\\"[Xx]\\".*/'],
    ["c-uri: '*'", '_exists_:url.original'],
    ["c-uri: ''", 'url.original:""'],
    ["cs-method|cased: 'OR'", 'http.request.method:\\OR'],
    ["c-uri|cased: '-1'", 'url.original:\\-1'],
  ];
  for (const [detection, expected] of cases) assert.equal(lucene(proxy(`selection:\n    ${detection}`)), expected, detection);
});

test('numbers, ranges, null, exists, neq, CIDR and IPv4 prefixes on ECS-typed fields', () => {
  const cases: Array<[string, string]> = [
    ['sc-status: 404', 'http.response.status_code:404'],
    ["sc-status: '404'", 'http.response.status_code:404'],
    ['sc-status|gte: 500', 'http.response.status_code:[500 TO *]'],
    ['sc-status|gt: 500', 'http.response.status_code:{500 TO *}'],
    ['sc-status|lt: 200', 'http.response.status_code:{* TO 200}'],
    ['sc-status|lte: 200', 'http.response.status_code:[* TO 200]'],
    ['c-uri: null', 'NOT _exists_:url.original'],
    ['c-uri|exists: true', '_exists_:url.original'],
    ['c-uri|exists: false', 'NOT _exists_:url.original'],
    ["c-uri|neq: 'x'", '(_exists_:url.original AND NOT url.original:/[Xx]/)'],
    ["c-ip|cidr: '10.0.0.0/8'", 'source.ip:"10.0.0.0/8"'],
    ["c-ip|cidr: 'fe80::/10'", 'source.ip:"fe80::/10"'],
    ["c-ip: '10.1.2.3'", 'source.ip:"10.1.2.3"'],
    ["c-ip|startswith: '192.168.'", 'source.ip:"192.168.0.0/16"'],
  ];
  for (const [detection, expected] of cases) assert.equal(lucene(proxy(`selection:\n    ${detection}`)), expected, detection);
});

test('boolean structure: NOT, nested AND/OR, keywords searched in the default fields', () => {
  assert.equal(lucene(proxy("selection:\n    c-uri|contains: '1'\nfilter:\n    cs-host: '2'", 'selection and not filter')), 'url.original:*1* AND (NOT url.domain:2)');
  assert.equal(lucene(proxy("selection:\n    c-uri|contains:\n        - '1'\n        - '2'\n    sc-status: 200")), '(url.original:*1* OR url.original:*2*) AND http.response.status_code:200');
  assert.equal(lucene(proxy("keywords:\n    - 'evil'\n    - '*123*'", 'keywords')), '/.*[Ee][Vv][Ii][Ll].*/ OR *123*');
});

test('ecs-windows: Sysmon process fields to ECS, the rest to winlog.event_data, log source as channel and event.code', () => {
  // The built-in windows pipeline reads process_creation as Sysmon 1 or Security 4688 (Image is
  // NewProcessName there); ecs-windows maps the Sysmon names to ECS and keeps 4688's in event_data.
  const q = lucene(processCreation("selection:\n    Image|endswith: '\\x.exe'\n    ParentImage|cased: 'P'\n    IntegrityLevel|cased: 'High'\n    User|cased: 'SYSTEM'"), 'ecs-windows');
  assert.equal(
    q,
    '(winlog.channel:/[Mm][Ii][Cc][Rr][Oo][Ss][Oo][Ff][Tt]\\-[Ww][Ii][Nn][Dd][Oo][Ww][Ss]\\-[Ss][Yy][Ss][Mm][Oo][Nn]\\/[Oo][Pp][Ee][Rr][Aa][Tt][Ii][Oo][Nn][Aa][Ll]/ OR winlog.channel:/[Ss][Ee][Cc][Uu][Rr][Ii][Tt][Yy]/) AND (event.code:1 OR event.code:4688) AND (process.executable:/.*\\\\[Xx][.][Ee][Xx][Ee]/ OR winlog.event_data.NewProcessName:/.*\\\\[Xx][.][Ee][Xx][Ee]/) AND (process.parent.executable:P OR winlog.event_data.ParentProcessName:P) AND winlog.event_data.IntegrityLevel:High AND user.name:SYSTEM',
  );
});

test('refused with a reason: what Lucene cannot say exactly', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    [proxy("selection:\n    c-uri|fieldref: cs-host"), 'ecs-proxy', 'fieldref-unsupported', /cannot compare url.original with another field/],
    [proxy("selection:\n    cs-host|cidr: '10.0.0.0/8'"), 'ecs-proxy', 'cidr-keyword', /url.domain is not an IP field/],
    [proxy('selection:\n    c-uri|gt: 5'), 'ecs-proxy', 'compare-keyword', /keyword field/],
    [proxy("selection:\n    sc-status|contains: '20'"), 'ecs-proxy', 'type-mismatch', /numeric field/],
    [proxy("selection:\n    c-ip|startswith: '10.1'"), 'ecs-proxy', 'type-mismatch', /IP field/],
    [proxy("selection:\n    c-uri|re: '\\bfoo'"), 'ecs-proxy', 'regex-unsupported', /\\b/],
    [proxy("selection:\n    c-uri|re: '(a)\\1'"), 'ecs-proxy', 'regex-unsupported', /back-reference/],
    [proxy("selection:\n    cs-cookie: 'x'"), 'ecs-proxy', 'pipeline-failure', /no ECS field .*field cs-cookie/],
    [processCreation("selection:\n    Image: 'x'"), 'ecs-proxy', 'pipeline-failure', /proxy and web server log sources only/],
    [proxy("selection:\n    c-uri: 'x'"), 'ecs-windows', 'pipeline-failure', /Windows log sources only/],
    [proxy('keywords:\n    - 5', 'keywords'), 'ecs-proxy', 'unsupported-keyword', /number keyword/],
  ];
  for (const [yaml, pipeline, code, message] of cases) {
    const r = refusal('lucene', yaml, pipeline);
    assert.equal(r.code, code, `${yaml}: ${r.error}`);
    assert.match(r.error, message);
  }
});

test('Sigma regular expressions in Lucene RegExp: padding, anchors, classes, folding, refusals', () => {
  const f = { i: false, m: false, s: false };
  const fi = { ...f, i: true };
  const cases: Array<[string, typeof f, string]> = [
    ['a.b', f, '.*a[^\n]b.*'],
    ['(?s)a.b', f, '.*a.b.*'],
    ['^/api/v[0-9]+\\.php$', f, '\\/api\\/v[0-9]+[.]php'],
    ['(?i)^cmd\\.exe$', f, '[Cc][Mm][Dd][.][Ee][Xx][Ee]'],
    ['[a-f0-9]{32}', fi, '.*[a-f0-9A-F]{32}.*'],
    ['(foo|bar)\\d{2,}', fi, '.*([Ff][Oo][Oo]|[Bb][Aa][Rr])[0-9]{2,}.*'],
    ['a|^b$', f, '.*a.*|b'],
    ['x(?:a|)y', f, '.*x(a|())y.*'],
    ['a+?b', f, '.*a+b.*'],
    ['[.#@"]', f, '.*[.#@"].*'],
    ['[\\]\\-/]', f, '.*[\\]\\-\\/].*'],
    ['\\x41\\u00e9', fi, '.*[Aa][Éé].*'],
    ['\\\\server', f, '.*\\\\server.*'],
    // Anchors in a group that opens or closes the pattern: the padding moves into its branches.
    ['(^|\\/)\\.[^.\\/]', f, '(()|.*\\/)[.][^.\\/].*'],
    ['(^[a-z]{4}$)|(^[a-z]{8}$)', f, '([a-z]{4})|([a-z]{8})'],
    ['(^0oa.*|x@y)', f, '(0oa[^\n]*|.*x[@]y).*'],
    ['a(\\s|$)', f, '.*a([ \t-\r].*|())'],
  ];
  for (const [p, flags, expected] of cases) assert.equal(sigmaRegexToLucene(p, flags), expected, p);
  for (const p of ['a(^|x)', '(^a)*b', 'a$b', '\\bword', 'a(?=b)', '(a)\\1', '[[:alpha:]]', '\\p{L}', '(a']) {
    assert.throws(() => sigmaRegexToLucene(p, f), (e: unknown) => e instanceof ConversionError && e.code === 'regex-unsupported', p);
  }
  assert.throws(() => sigmaRegexToLucene('^a', { ...f, m: true }), /multi-line/);
});

test('escaping of field names and terms', () => {
  assert.equal(luceneField('cs-host'), 'cs\\-host');
  assert.equal(luceneField('winlog.event_data.Some Field'), 'winlog.event_data.Some\\ Field');
  assert.equal(luceneTerm('a+b&&c||d!(e){f}[g]^"h"~*?:\\/ i'), 'a\\+b\\&\\&c\\|\\|d\\!\\(e\\)\\{f\\}\\[g\\]\\^\\"h\\"\\~\\*\\?\\:\\\\\\/\\ i');
  assert.equal(luceneTerm('NOT'), '\\NOT');
  assert.equal(luceneTerm(''), '""');
});

test('validateLucene: accepts what the renderer writes, rejects broken queries with a location', () => {
  assert.deepEqual(validateLucene('a:b AND (NOT c\\-d:/[.]x/) AND e:[1 TO *]').problems, []);
  for (const bad of ['a:b AND (c:d', 'a:/unterminated', 'a:[1 TO', 'a:b)', 'a:"open', 'a:/x\\.y/']) {
    const check = validateLucene(bad);
    assert.equal(check.ok, false, bad);
    assert.match(check.problems[0]!, /^line 1, column \d+: /, bad);
  }
});

test('ECS pipelines: the embedded copy matches pipelines/*.yml, each parses, and the bases are declared', () => {
  assertEmbedsFolder(ELASTIC_PIPELINE_YAML, join(REPO, 'src/backends/elastic/pipelines'));
  assert.deepEqual(listElasticPipelines(), ['ecs-none', 'ecs-proxy', 'ecs-windows']);
  for (const name of listElasticPipelines()) assert.ok(elasticPipeline(name), name);
  assert.ok(Object.keys(ELASTIC_PIPELINE_YAML).length === 3);
  // ecs-none keeps the rule's names, so they are escaped where query_string needs it.
  assert.equal(lucene(ruleOf('category: proxy', "selection:\n    cs-host|cased: 'a'"), 'ecs-none'), 'cs\\-host:a');
});

test('SigmaHQ regression cases: the Lucene query, evaluated on the events and variants of them, selects exactly what the engine matches', async () => {
  const { cases, compared, variantEvents, matched, refused, failures } = await elasticDifferential('Lucene', luceneBackend, (q, doc, row) => evaluate(q, doc, row));
  process.stdout.write(`lucene differential: ${compared} of ${cases} rules compared (${matched} match some original event; ${variantEvents} variant events), ${refused.length} refused\n`);
  for (const x of refused) process.stdout.write(`  refused ${x}\n`);
  assert.deepEqual(failures, []);
  // The one regression rule Lucene cannot express, asserted so that the list stays honest.
  assert.deepEqual(
    refused.map((x) => x.split(':')[0]),
    ['proc_creation_win_susp_cross_user_process_spawn'],
  );
  assert.ok(compared >= 130, `only ${compared} compared`);
});
