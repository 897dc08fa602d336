// Correlations in the explorer's API: the catalog's correlation facet, a correlation's rule page
// (type, window, condition, group-by with aliases per base rule, inputs, chains, unknown
// references), "used by" and silence on base rules, and hunt results of correlations read from JSONL
// and DuckDB (group, window, value, contributing events linked to their detections, timeline windows).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExplorer, type Explorer } from '../../src/server/index.js';
import { getJson } from './client.js';
import { CORRELATION_IDS as ID, correlationFixture } from './correlation-fixture.js';

let dir: string;
let ex: Explorer;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quarry-corr-'));
  const f = correlationFixture(dir);
  ex = await startExplorer({ rules: [f.rules], hunts: [f.jsonl, f.duckdb], port: 0, webRoot: dir, log: () => {} });
});
after(async () => {
  await ex.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the catalog facets correlations by kind and by correlation type, and finds them with correlation:TYPE', async () => {
  const { body: all } = await getJson(ex.url, '/api/catalog/first');
  assert.deepEqual(all.facets.kind, [
    { value: 'correlation', count: 6 },
    { value: 'rule', count: 2 },
  ]);
  assert.deepEqual(all.facets.correlation, [
    { value: 'event_count', count: 3 },
    { value: 'temporal', count: 1 },
    { value: 'temporal_ordered', count: 1 },
    { value: 'value_count', count: 1 },
  ]);
  const { body: vc } = await getJson(ex.url, '/api/catalog/first?correlation=value_count');
  assert.deepEqual(vc.entries.map((e: { key: string }) => e.key), [ID.sources]);
  const { body: typed } = await getJson(ex.url, `/api/catalog/first?q=${encodeURIComponent('correlation:temporal_ordered')}`);
  assert.deepEqual(typed.entries.map((e: { key: string }) => e.key), [ID.thenSuccess]);
  const { body: catalog } = await getJson(ex.url, '/api/catalog');
  const base = catalog.entries.find((e: { key: string }) => e.key === ID.failed);
  assert.equal(base.correlation, undefined, 'rules carry no correlation type');
});

test("a correlation's page: type, window in words, condition with symbols and field, group-by, generate, inputs", async () => {
  const { body: sources } = await getJson(ex.url, `/api/rules/${ID.sources}`);
  assert.equal(sources.kind, 'correlation');
  assert.deepEqual(sources.correlation.condition, { asWritten: 'gt 2 and lte 10', symbols: '> 2 and ≤ 10', fields: ['IpAddress'], expression: false });
  assert.equal(sources.correlation.measure, 'distinct values of IpAddress');
  assert.deepEqual(sources.correlation.timespan, { text: '10m', ms: 600_000, words: '10 minutes' });
  assert.equal(sources.correlation.generate, true);
  assert.deepEqual(sources.correlation.inputs, [{ ref: 'failed_logon', kind: 'rule', key: ID.failed, title: 'Failed Logon', level: 'low' }]);
  // Its translations (already on the page before): SQL refuses an upper bound, saying why.
  const sql = sources.translations.find((t: { target: string }) => t.target === 'sql');
  assert.equal(sql.ok, false);
  assert.match(sql.error, /'lte' is an upper bound/);

  const { body: ordered } = await getJson(ex.url, `/api/rules/${ID.thenSuccess}`);
  const c = ordered.correlation;
  assert.equal(c.type, 'temporal_ordered');
  assert.equal(c.condition.symbols, null);
  assert.equal(c.condition.asWritten, 'all of failed_logon, successful_logon');
  assert.equal(c.generate, false, 'generate defaults to false');
  assert.deepEqual(c.groupBy, [
    { name: 'user', aliased: true, fields: [ { ref: 'failed_logon', field: 'TargetUserName' }, { ref: 'successful_logon', field: 'SubjectUserName' } ] },
  ]);
  assert.deepEqual(c.inputs.map((i: { key: string }) => i.key), [ID.failed, ID.success]);
  assert.deepEqual(c.timespan.words, '5 minutes');
  assert.equal(c.problem, null);

  // A chain links to the correlation it reads; an unknown reference says so and why it cannot run.
  const { body: chain } = await getJson(ex.url, `/api/rules/${ID.repeated}`);
  assert.deepEqual(chain.correlation.inputs, [{ ref: 'many_failures', kind: 'correlation', key: ID.many, title: 'Many Failed Logons For One User', level: 'medium', correlation: 'event_count' }]);
  assert.equal(chain.correlation.condition.symbols, '≥ 1');
  assert.equal(chain.correlation.timespan.words, '1 hour');
  const { body: broken } = await getJson(ex.url, `/api/rules/${ID.broken}`);
  assert.deepEqual(broken.correlation.inputs, [{ ref: 'no_such_rule', kind: 'unknown', key: null, title: null, level: null }]);
  assert.match(broken.correlation.problem, /'no_such_rule', which is neither a loaded rule nor a correlation/);
  assert.deepEqual(broken.correlation.groupBy, []);
  // The extended temporal condition: shown as written.
  const { body: expr } = await getJson(ex.url, `/api/rules/${ID.expression}`);
  assert.deepEqual(expr.correlation.condition, { asWritten: 'successful_logon and not failed_logon', symbols: null, fields: [], expression: true });
  assert.equal(expr.correlation.measure, 'base rules that occurred');
});

test('each base rule (and base correlation) lists the correlations that read it, and says when it is silent', async () => {
  const { body: failed } = await getJson(ex.url, `/api/rules/${ID.failed}`);
  assert.equal(failed.correlation, null);
  assert.deepEqual(failed.usedBy.map((u: { key: string; ref: string; generate: boolean }) => [u.key, u.ref, u.generate]), [
    [ID.many, 'failed_logon', true],
    [ID.sources, 'failed_logon', true],
    [ID.thenSuccess, 'failed_logon', false],
    [ID.expression, 'failed_logon', false],
  ]);
  assert.equal(failed.silent, false, 'two of its readers generate');
  const { body: success } = await getJson(ex.url, `/api/rules/${ID.success}`);
  assert.deepEqual(success.usedBy, [
    { key: ID.thenSuccess, title: 'Failures Then A Successful Logon', type: 'temporal_ordered', generate: false, ref: 'successful_logon' },
    { key: ID.expression, title: 'A Logon Without Failures Before It', type: 'temporal', generate: false, ref: 'successful_logon' },
  ]);
  assert.equal(success.silent, true);
  const { body: many } = await getJson(ex.url, `/api/rules/${ID.many}`);
  assert.deepEqual(many.usedBy.map((u: { key: string }) => u.key), [ID.repeated]);
  assert.equal(many.silent, true, 'read only by a chain with generate: false');
  const { body: top } = await getJson(ex.url, `/api/rules/${ID.repeated}`);
  assert.deepEqual(top.usedBy, []);
  assert.equal(top.silent, false);
});

for (const [id, kind] of [['h1', 'jsonl'], ['h2', 'duckdb']] as const) {
  test(`hunt results from ${kind}: correlation detections with group, window, value, linked events; timeline windows; side panel counts`, async () => {
    const { body: hunts } = await getJson(ex.url, '/api/hunts');
    const h = hunts.find((x: { id: string }) => x.id === id);
    assert.equal(h.kind, kind);
    // failed_logon 4 (alice 3, bob 1); successful_logon silent; many_failures silent (read only by a
    // non-generating chain); value_count, temporal_ordered and the chain fire once each.
    assert.equal(h.detections, 7);
    assert.equal(h.correlations, 3);
    assert.deepEqual(h.byLevel, { low: 4, high: 2, critical: 1 });
    const corr = Object.fromEntries(h.byRule.filter((r: { correlation?: string }) => r.correlation).map((r: { key: string; correlation: string; count: number }) => [r.key, [r.correlation, r.count]]));
    assert.deepEqual(corr, { [ID.sources]: ['value_count', 1], [ID.thenSuccess]: ['temporal_ordered', 1], [ID.repeated]: ['event_count', 1] });

    const { body: page } = await getJson(ex.url, `/api/hunts/${id}/detections?rule=${ID.thenSuccess}`);
    assert.equal(page.total, 1);
    const d = page.items[0];
    assert.equal(d.rule.key, ID.thenSuccess);
    assert.deepEqual(d.correlation.group, { user: 'alice' });
    assert.equal(d.correlation.value, 2);
    assert.equal(d.correlation.window.end, '2026-03-01T10:03:00.000Z');
    const events = d.correlation.events as Array<{ rule: string; time: string; record: number; n: number | null; key: string }>;
    assert.deepEqual(events.map((e) => [e.key, e.record]).slice(-2), [[ID.failed, 3], [ID.success, 4]]);
    // The failed logon is a detection in these results: its `n` opens it. The successful logon is
    // silent (generate: false), so the hunt holds no detection of it.
    const failedEvent = events.find((e) => e.key === ID.failed && e.record === 3)!;
    assert.equal(events.find((e) => e.key === ID.success)!.n, null);
    const { body: opened } = await getJson(ex.url, `/api/hunts/${id}/detections?n=${failedEvent.n}`);
    assert.equal(opened.total, 1);
    assert.equal(opened.items[0].rule.key, ID.failed);
    assert.equal(opened.items[0].source.record, 3);
    assert.equal(opened.items[0].event.IpAddress, '10.0.0.3');

    const { body: range } = await getJson(ex.url, `/api/hunts/${id}/detections?rule=${ID.sources}`);
    assert.equal(range.items[0].correlation.value, 3);
    assert.equal(range.items[0].correlation.condition, 'gt 2 and lte 10');

    const { body: tl } = await getJson(ex.url, `/api/hunts/${id}/timeline`);
    assert.deepEqual(tl.points.reduce((a: number, p: { count: number }) => a + p.count, 0), 4, 'bars count the single-event detections only');
    assert.equal(tl.windows.length, 3);
    const w = tl.windows.find((x: { n: number }) => x.n === d.n);
    assert.deepEqual([w.start, w.end, w.type], [d.correlation.window.start, d.correlation.window.end, 'temporal_ordered']);
    assert.equal((await getJson(ex.url, `/api/hunts/${id}/detections?n=0`)).status, 400);
  });
}
