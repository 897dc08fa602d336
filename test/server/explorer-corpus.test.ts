// The explorer over the whole SigmaHQ corpus: every loaded document is in the catalog, rejected
// ones are listed with their reason, and the seed rule's page has the golden ASIM KQL, checked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { startExplorer, type Explorer } from '../../src/server/index.js';
import { DATA } from '../helpers.js';
import { getJson } from './client.js';
import { buildIndex, queryFromParams, search } from '../../src/catalog/search.js';

const SIGMAHQ = join(DATA, 'sigmahq');
const ROOTS = readdirSync(SIGMAHQ).filter((f) => f.startsWith('rules')).sort().map((f) => join(SIGMAHQ, f));
const SEED_ID = '9eb68894-7476-4cd6-8752-23b51f5883a7';

let ex: Explorer;
before(async () => {
  ex = await startExplorer({ rules: ROOTS, hunts: [], demo: false, port: 0, log: () => {} });
});
after(() => ex.close());

test('the catalog has one entry per loaded document of the corpus, rejected ones listed', async () => {
  const col = loadSigmaPaths(ROOTS);
  const { status, body } = await getJson(ex.url, '/api/catalog');
  assert.equal(status, 200);
  const loaded = col.rules.length + col.correlations.length + col.filters.length;
  assert.ok(loaded > 3000);
  assert.equal(body.entries.length, loaded);
  assert.equal(body.counts.loaded, loaded);
  assert.equal(body.counts.rejected, col.rejected.length);
  assert.equal(body.rejected.length, col.rejected.length);
  for (const r of body.rejected) assert.match(r.message, /:\d+:\d+: error \[/);
  assert.deepEqual(body.roots.map((r: { label: string }) => r.label), ROOTS.map((r) => r.split('/').pop()));
  assert.equal(new Set(body.entries.map((e: { key: string }) => e.key)).size, loaded, 'keys are unique');
  const seed = body.entries.find((e: { key: string }) => e.key === SEED_ID);
  assert.equal(seed.root, 'rules');
  assert.equal(seed.path, 'web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml');
});

test('the first page of a catalog query is what the browser computes from the whole catalog', async () => {
  const { body: catalog } = await getJson(ex.url, '/api/catalog');
  const index = buildIndex(catalog.entries);
  for (const params of ['', 'q=bitsadmin', 'q=bits&level=high&level=critical&sort=modified', 'tactic=stealth&product=windows&sort=title', 'q=nothing-matches-this-xyz']) {
    const { status, body } = await getJson(ex.url, `/api/catalog/first?${params}`);
    assert.equal(status, 200);
    const want = search(index, queryFromParams(new URLSearchParams(params)));
    assert.equal(body.of, catalog.entries.length);
    assert.equal(body.total, want.total, params);
    assert.deepEqual(body.entries.map((e: { key: string }) => e.key), want.hits.slice(0, 50).map((i) => catalog.entries[i].key), params);
    assert.deepEqual(body.facets, want.facets, params);
  }
});

test('the seed rule page: golden ASIM KQL with the Kusto check, stages, ATT&CK, suggestions', async () => {
  const { status, body } = await getJson(ex.url, `/api/rules/${SEED_ID}`);
  assert.equal(status, 200);
  const asim = body.translations.find((t: { target: string; pipeline: string }) => t.target === 'kql' && t.pipeline === 'sentinel-asim');
  assert.equal(
    asim.query,
    'imWebSession\n| where HttpUserAgent startswith "Microsoft BITS/" and (not((HttpHost endswith ".com" or HttpHost endswith ".net" or HttpHost endswith ".org" or HttpHost endswith ".scdn.co" or HttpHost endswith ".sfx.ms")))',
  );
  // The page's translations come unchecked; their checks come from /checks.
  assert.equal(asim.check, undefined);
  const checks = (await getJson(ex.url, `/api/rules/${SEED_ID}/checks`)).body;
  assert.equal(checks['kql:sentinel-asim'].ok, true, checks['kql:sentinel-asim'].problems.join('; '));
  // Pipelines that do not fit a proxy rule say why.
  const event = body.translations.find((t: { pipeline: string }) => t.pipeline === 'sentinel-event');
  assert.equal(event.ok, false);
  assert.match(event.error, /no table for log source category=proxy/);
  assert.deepEqual(
    body.stages.selections.map((s: { name: string; role: string }) => [s.name, s.role]),
    [
      ['selection', 'selection'],
      ['falsepositives', 'filter'],
    ],
  );
  assert.deepEqual(body.stages.condition, ['selection and not falsepositives']);
  assert.deepEqual(body.stages.selections[1].items[0].values, ['*.com', '*.net', '*.org', '*.scdn.co', '*.sfx.ms']);
  const tags = body.attack.map((t: { tag: string; kind: string; name: string | null }) => `${t.tag}=${t.kind}:${t.name}`);
  assert.ok(tags.includes('attack.t1197=technique:BITS Jobs'), tags.join(', '));
  // "regional TLDs e.g. .uk or .ca" becomes an exclusion on the host field the rule tests.
  const fp = body.suggestions.find((s: { basis: string }) => s.basis === 'falsepositives');
  assert.deepEqual({ field: fp.field, modifier: fp.modifier, values: fp.values }, { field: 'cs-host', modifier: 'endswith', values: ['.uk', '.ca'] });
  const filter = body.suggestions.find((s: { basis: string }) => s.basis === 'filter');
  assert.deepEqual({ field: filter.field, modifier: filter.modifier }, { field: 'cs-host', modifier: 'endswith' });
  assert.equal(body.hunting.query.text, asim.query);
  assert.equal(body.hunting.scenarios.length, 1);
  assert.equal(body.hunting.scenarios[0].exclusion.field, 'cs-host');
  assert.match(body.hunting.narrative, /BITS Jobs \(T1197\)/);
});

test('every target of the registry is offered for a Windows process creation rule', async () => {
  const { body: cat } = await getJson(ex.url, '/api/catalog');
  const rule = cat.entries.find((e: { path: string }) => e.path.endsWith('proc_creation_win_bitsadmin_download.yml'));
  const { body } = await getJson(ex.url, `/api/rules/${encodeURIComponent(rule.key)}`);
  const { TARGETS } = await import('../../src/backends/targets.js');
  const offered = new Set(body.translations.map((t: { target: string; pipeline: string }) => `${t.target}/${t.pipeline}`));
  for (const [name, target] of Object.entries(TARGETS)) for (const p of target.listPipelines()) assert.ok(offered.has(`${name}/${p}`), `${name}/${p}`);
  const ok = body.translations.filter((t: { target: string; ok: boolean }) => t.target === 'kql' && t.ok);
  assert.ok(ok.length >= 3, 'several Sentinel tables can hold process creation events');
  const checks = (await getJson(ex.url, `/api/rules/${encodeURIComponent(rule.key)}/checks`)).body;
  for (const t of ok) assert.equal(checks[`${t.target}:${t.pipeline}`].ok, true, `${t.label}: ${checks[`${t.target}:${t.pipeline}`].problems.join('; ')}`);
  // DuckDB checks the SQL translation itself.
  assert.match(checks['sql:none'].validator, /DuckDB/);
  assert.equal(checks['sql:none'].ok, true, checks['sql:none'].problems.join('; '));
});
