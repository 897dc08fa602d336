// Tuning and hunt results in a temporary copy of the seed rule: hunts written by the real
// `quarry hunt` (JSONL and DuckDB) are read back, an exclusion becomes a Sigma filter file next to
// the rule, changes its KQL and marks the detections it excludes, and is deleted again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { applyFilters } from '../../src/sigma/apply-filters.js';
import { startExplorer, type Explorer } from '../../src/server/index.js';
import { DATA, REPO } from '../helpers.js';
import { getJson, sendJson } from './client.js';

const SEED = join(DATA, 'sigmahq/rules/web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml');
const SEED_ID = '9eb68894-7476-4cd6-8752-23b51f5883a7';
const PROXY_LOG = join(REPO, 'examples/logs/proxy.ndjson');
const GOLDEN = 'imWebSession\n| where HttpUserAgent startswith "Microsoft BITS/" and (not((HttpHost endswith ".com" or HttpHost endswith ".net" or HttpHost endswith ".org" or HttpHost endswith ".scdn.co" or HttpHost endswith ".sfx.ms")))';

const tmp = mkdtempSync(join(tmpdir(), 'quarry-tuning-'));
const rules = join(tmp, 'myrules');
const quarry = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), ...args], { encoding: 'utf8', cwd: REPO });
let ex: Explorer;
let jsonl: string;
let duck: string;
let bad: string;

before(async () => {
  mkdirSync(join(rules, 'web'), { recursive: true });
  copyFileSync(SEED, join(rules, 'web/proxy_ua_bitsadmin_susp_tld.yml'));
  jsonl = join(tmp, 'hunt.jsonl');
  duck = join(tmp, 'hunt.duckdb');
  bad = join(tmp, 'damaged.jsonl');
  for (const [format, out] of [['jsonl', jsonl], ['duckdb', duck]]) {
    const r = quarry('hunt', '--rules', rules, '--format', format!, '--output', out!, '--quiet', PROXY_LOG);
    assert.equal(r.status, 0, r.stderr);
  }
  const lines = readFileSync(jsonl, 'utf8').trim().split('\n');
  writeFileSync(bad, [lines[0], '{"rule": 1}', 'not json at all', '', lines[1]].join('\n') + '\n');
  ex = await startExplorer({ rules: [rules], hunts: [jsonl, duck, bad], port: 0, log: () => {} });
});
after(() => ex.close());

test('quarry hunt --format duckdb needs --output', () => {
  const r = quarry('hunt', '--rules', rules, '--format', 'duckdb', PROXY_LOG);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--format duckdb writes a database file: give it with --output FILE/);
});

test('hunt results from JSONL and DuckDB read back the same detections; bad lines counted', async () => {
  const { body: hunts } = await getJson(ex.url, '/api/hunts');
  assert.deepEqual(hunts.map((h: { id: string; kind: string; detections: number }) => [h.id, h.kind, h.detections]), [
    ['h1', 'jsonl', 2],
    ['h2', 'duckdb', 2],
    ['h3', 'jsonl', 2],
  ]);
  assert.deepEqual(hunts[0].byRule, [{ key: SEED_ID, id: SEED_ID, title: 'Bitsadmin to Uncommon TLD', level: 'high', count: 2, excluded: 0 }]);
  assert.deepEqual(hunts[2].problems, { count: 2, first: [{ line: 2, message: "no 'rule' with a title and a path" }, { line: 3, message: hunts[2].problems.first[1].message }] });
  assert.match(hunts[2].problems.first[1].message, /^not JSON: /);
  const a = (await getJson(ex.url, '/api/hunts/h1/detections')).body;
  const b = (await getJson(ex.url, '/api/hunts/h2/detections')).body;
  assert.deepEqual(b, a);
  const fromFile = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(a.items.map((d: { event: unknown }) => d.event), fromFile.map((d) => d.event));
  assert.deepEqual(a.items.map((d: { matched: unknown }) => d.matched), fromFile.map((d) => d.matched));
});

test('an exclusion is written as a Sigma filter file, changes the KQL and marks the hunt results', async () => {
  const before = (await getJson(ex.url, `/api/rules/${SEED_ID}`)).body;
  assert.equal(before.translations.find((t: { pipeline: string }) => t.pipeline === 'sentinel-asim').query, GOLDEN);

  const post = await sendJson(ex, 'POST', '/api/tuning', { rule: SEED_ID, field: 'cs-host', modifier: 'endswith', values: ['.de'], note: 'German software mirror used by IT' });
  assert.equal(post.status, 201, JSON.stringify(post.body));
  assert.match(post.body.path, /^myrules\/filters\/mf_quarry_bitsadmin_to_uncommon_tld_[0-9a-f]{8}\.yml$/);
  const file = join(tmp, post.body.path);
  assert.equal(readFileSync(file, 'utf8'), post.body.source);

  // The file is a Sigma filter that Quarry's loader accepts and applies to the rule.
  const col = loadSigmaPaths([rules]);
  assert.equal(col.rejected.length, 0);
  assert.equal(col.filters.length, 1);
  assert.deepEqual(col.filters[0]!.rules, [SEED_ID]);
  assert.deepEqual(col.filters[0]!.logsource, { category: 'proxy' });
  assert.equal(col.filters[0]!.description, 'German software mirror used by IT');
  assert.equal(applyFilters(col.rules[0]!, col.filters).applied.length, 1);

  const after = (await getJson(ex.url, `/api/rules/${SEED_ID}`)).body;
  const asim = after.translations.find((t: { pipeline: string }) => t.pipeline === 'sentinel-asim');
  assert.equal(asim.query, GOLDEN + ' and (not(HttpHost endswith ".de"))');
  // The checks come apart from the page, for the tuned queries.
  const checks = (await getJson(ex.url, `/api/rules/${SEED_ID}/checks`)).body;
  assert.equal(checks['kql:sentinel-asim'].ok, true);
  assert.deepEqual(after.filters.map((f: { path: string }) => f.path), [post.body.path]);
  const stage = after.stages.selections.find((s: { items: Array<{ origin: string }> }) => s.items.some((i) => i.origin === 'filter'));
  assert.deepEqual(stage.items, [{ field: 'cs-host', modifiers: ['endswith'], values: ['*.de'], origin: 'filter' }]);
  assert.equal(stage.role, 'filter');

  const { body: d } = await getJson(ex.url, '/api/hunts/h1/detections');
  assert.deepEqual(d.items.map((x: { event: Record<string, string>; excluded: boolean }) => [x.event['cs-host'], x.excluded]), [
    ['cdn-update.top', false],
    ['files.example-mirror.de', true],
  ]);
  assert.equal((await getJson(ex.url, '/api/hunts/h2/detections?excluded=hide')).body.total, 1);
  const { body: hunts } = await getJson(ex.url, '/api/hunts');
  assert.equal(hunts[0].excluded, 1);
  assert.equal(hunts[0].byRule[0].excluded, 1);
  const { body: catalog } = await getJson(ex.url, '/api/catalog');
  assert.equal(catalog.counts.filters, 1);

  const { body: list } = await getJson(ex.url, '/api/tuning');
  assert.equal(list.length, 1);
  assert.equal(list[0].createdByExplorer, true);
  assert.equal(list[0].path, post.body.path);

  const del = await sendJson(ex, 'DELETE', `/api/tuning/${encodeURIComponent(list[0].name)}`, undefined);
  assert.equal(del.status, 200, JSON.stringify(del.body));
  assert.equal(existsSync(file), false);
  const again = (await getJson(ex.url, `/api/rules/${SEED_ID}`)).body;
  assert.equal(again.translations.find((t: { pipeline: string }) => t.pipeline === 'sentinel-asim').query, GOLDEN);
  assert.equal((await getJson(ex.url, '/api/hunts/h1/detections?excluded=hide')).body.total, 2);
});

test('tuning requests are checked; only the explorer\'s own filter files can be deleted', async () => {
  const bad = async (body: unknown, status: number, message: RegExp) => {
    const r = await sendJson(ex, 'POST', '/api/tuning', body);
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.match(r.body.error, message);
  };
  await bad({ rule: 'nope', field: 'cs-host', values: ['x'] }, 404, /no rule with key 'nope'/);
  await bad({ rule: SEED_ID, field: 'cs-host|endswith', values: ['x'] }, 400, /'field' must be a field name/);
  await bad({ rule: SEED_ID, field: 'cs-host', modifier: 'base64', values: ['x'] }, 400, /unsupported parts: base64/);
  await bad({ rule: SEED_ID, field: 'cs-host', values: [] }, 400, /'values' must be a list/);
  await bad([1, 2], 400, /must be a JSON object/);
  // A regex RE2 (the hunt's engine) cannot run would switch the rule off: refused with the reason, nothing written.
  const before = existsSync(join(rules, 'filters')) ? readdirSync(join(rules, 'filters')) : [];
  await bad({ rule: SEED_ID, field: 'cs-host', modifier: 're', values: ['(?<=a)b'] }, 400, /cannot be used by hunts.*\/\(\?<=a\)b\/.*invalid perl operator: \(\?<=/);
  await bad({ rule: SEED_ID, field: 'c-uri', modifier: 're|i', values: ['^http://ok\\.example/', '(a)\\1'] }, 400, /\/\(a\)\\1\/.*cannot be used/);
  assert.deepEqual(existsSync(join(rules, 'filters')) ? readdirSync(join(rules, 'filters')) : [], before);
  // A hand-written filter is not the explorer's to delete, and names cannot walk out of filters/.
  writeFileSync(join(rules, 'mf_mine.yml'), `title: Mine\nlogsource:\n    category: proxy\nfilter:\n    rules:\n        - ${SEED_ID}\n    selection:\n        cs-host: a.example\n    condition: selection\n`);
  for (const name of ['mf_mine.yml', '..%2F..%2Fetc%2Fpasswd', 'mf_quarry_x%2F..%2F..%2Fa.yml']) {
    const r = await sendJson(ex, 'DELETE', `/api/tuning/${name}`, undefined);
    assert.equal(r.status, 400, name);
  }
  assert.equal((await sendJson(ex, 'DELETE', '/api/tuning/mf_quarry_not_there.yml', undefined)).status, 404);
  assert.ok(existsSync(join(rules, 'mf_mine.yml')));
});

test('a filters folder that is a symbolic link out of the root is refused', async () => {
  const root = join(tmp, 'linked');
  const outside = join(tmp, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  copyFileSync(SEED, join(root, 'seed.yml'));
  symlinkSync(outside, join(root, 'filters'));
  const ex2 = await startExplorer({ rules: [root], hunts: [], demo: false, port: 0, log: () => {} });
  try {
    const r = await sendJson(ex2, 'POST', '/api/tuning', { rule: SEED_ID, field: 'cs-host', modifier: 'endswith', values: ['.de'] });
    assert.equal(r.status, 403);
    assert.match(r.body.error, /symbolic link/);
    assert.deepEqual(readdirSync(outside), []);
  } finally {
    await ex2.close();
  }
});

test('a rule given as a single file cannot be tuned (nothing is written beside it)', async () => {
  const ex3 = await startExplorer({ rules: [join(rules, 'web/proxy_ua_bitsadmin_susp_tld.yml')], hunts: [], demo: false, port: 0, log: () => {} });
  try {
    const r = await sendJson(ex3, 'POST', '/api/tuning', { rule: SEED_ID, field: 'cs-host', values: ['a.de'] });
    assert.equal(r.status, 400);
    assert.match(r.body.error, /given as a single file/);
  } finally {
    await ex3.close();
  }
});

test('a hand-written filter that hunts cannot run is shown on the rule page with its location', async () => {
  const root = join(tmp, 'handwritten');
  mkdirSync(join(root, 'filters'), { recursive: true });
  copyFileSync(SEED, join(root, 'seed.yml'));
  writeFileSync(
    join(root, 'filters/lookbehind.yml'),
    `title: Look-behind\nlogsource:\n    category: proxy\nfilter:\n    rules:\n        - ${SEED_ID}\n    selection:\n        cs-host|re: '(?<=cdn-)update'\n    condition: selection\n`,
  );
  writeFileSync(join(root, 'filters/plain.yml'), `title: Plain\nlogsource:\n    category: proxy\nfilter:\n    rules:\n        - ${SEED_ID}\n    selection:\n        cs-host: a.example\n    condition: selection\n`);
  const ex4 = await startExplorer({ rules: [root], hunts: [], demo: false, port: 0, log: () => {} });
  try {
    const detail = (await getJson(ex4.url, `/api/rules/${SEED_ID}`)).body;
    const byName = new Map(detail.filters.map((f: { name: string }) => [f.name, f]));
    assert.equal((byName.get('plain.yml') as { cannotRun?: string }).cannotRun, undefined);
    assert.equal(
      (byName.get('lookbehind.yml') as { cannotRun?: string }).cannotRun,
      "handwritten/filters/lookbehind.yml:8:9: regular expression /(?<=cdn-)update/ of 'selection' cannot be used: invalid perl operator: (?<=",
    );
  } finally {
    await ex4.close();
  }
});

test('a rules folder that cannot be written makes tuning answer with the reason, not 500', async () => {
  const root = join(tmp, 'readonly');
  mkdirSync(join(root, 'filters'), { recursive: true });
  copyFileSync(SEED, join(root, 'seed.yml'));
  // read-only for everyone, root included: the immutable attribute where chattr works, else mode 555
  const filters = join(root, 'filters');
  const locked = spawnSync('chattr', ['+i', filters]).status === 0;
  if (!locked) chmodSync(filters, 0o555);
  const ex2 = await startExplorer({ rules: [root], hunts: [], demo: false, port: 0, log: () => {} });
  try {
    const r = await sendJson(ex2, 'POST', '/api/tuning', { rule: SEED_ID, field: 'cs-host', modifier: 'endswith', values: ['.de'] });
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.match(r.body.error, /^cannot write the filter file readonly\/filters\/mf_quarry_.*\.yml: (operation not permitted \(EPERM\)|permission denied .*\(EACCES\))$/);
    assert.deepEqual(readdirSync(filters), []);
  } finally {
    await ex2.close();
    if (locked) spawnSync('chattr', ['-i', filters]);
    else chmodSync(filters, 0o755);
  }

  // 'filters' is a file: a conflict, said so
  const other = join(tmp, 'filters-is-a-file');
  mkdirSync(other);
  copyFileSync(SEED, join(other, 'seed.yml'));
  writeFileSync(join(other, 'filters'), 'not a folder\n');
  const ex3 = await startExplorer({ rules: [other], hunts: [], demo: false, port: 0, log: () => {} });
  try {
    const r = await sendJson(ex3, 'POST', '/api/tuning', { rule: SEED_ID, field: 'cs-host', modifier: 'endswith', values: ['.de'] });
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.match(r.body.error, /^cannot make the folder filters-is-a-file\/filters: 'filters' in the rules folder is not a folder \(ENOTDIR\)$/);
  } finally {
    await ex3.close();
  }
});
