// The explorer with no arguments: the bundled rules (examples and hardened, with their filters) and
// the demo hunt over the bundled sample logs, over real HTTP on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExplorer, type Explorer } from '../../src/server/index.js';
import { REPO } from '../helpers.js';
import { getJson, sendJson, rawGet } from './client.js';

let ex: Explorer;
before(async () => {
  // An empty web root: the API must work, and '/' must say the front end is not built.
  ex = await startExplorer({ port: 0, webRoot: mkdtempSync(join(tmpdir(), 'quarry-web-')), log: () => {} });
});
after(() => ex.close());

test('binds 127.0.0.1 and serves the bundled rules and their filters in the catalog', async () => {
  assert.match(ex.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const { status, body, headers } = await getJson(ex.url, '/api/catalog');
  assert.equal(status, 200);
  assert.equal(headers.get('content-security-policy')?.startsWith("default-src 'self'"), true);
  assert.equal(headers.get('x-content-type-options'), 'nosniff');
  assert.deepEqual(body.roots.map((r: { label: string }) => r.label), ['rules', 'correlations', 'hardened']);
  const kinds = body.entries.map((e: { kind: string }) => e.kind);
  assert.equal(kinds.filter((k: string) => k === 'rule').length, 12);
  assert.equal(kinds.filter((k: string) => k === 'filter').length, 2);
  assert.equal(kinds.filter((k: string) => k === 'correlation').length, 1);
  assert.deepEqual(body.counts, { loaded: 15, rejected: 0, rules: 12, correlations: 1, filters: 2 });
  const keys = new Set(body.entries.map((e: { key: string }) => e.key));
  assert.equal(keys.size, body.entries.length, 'keys are unique');
  assert.ok(body.attackVersion);
});

test('the demo hunt finds what quarry hunt without arguments finds', async () => {
  const { body: hunts } = await getJson(ex.url, '/api/hunts');
  assert.equal(hunts.length, 1);
  const demo = hunts[0];
  assert.equal(demo.id, 'demo');
  assert.ok(demo.detections > 0);
  const sum = Object.values(demo.byLevel as Record<string, number>).reduce((a, b) => a + b, 0);
  assert.equal(sum, demo.detections);
  assert.equal(demo.byRule.reduce((a: number, r: { count: number }) => a + r.count, 0), demo.detections);
  const { body: page } = await getJson(ex.url, `/api/hunts/demo/detections?limit=1000`);
  assert.equal(page.total, demo.detections);
  // The CLI's bundled hunt (the same rules and logs, server/bundled.ts) through the same setup: the
  // demo's detections, in the same order.
  const place = (d: { rule: { id: string }; source: { file: string; line?: number; record?: number } }) => `${d.rule.id} ${d.source.file.split('/').pop()}#${d.source.record ?? d.source.line}`;
  const cli = spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), 'hunt', '--format', 'jsonl', '--quiet'], { encoding: 'utf8', cwd: REPO });
  assert.equal(cli.status, 0, cli.stderr);
  const expected = cli.stdout.trim().split('\n').map((l) => JSON.parse(l)).map(place);
  const got = page.items.map(place);
  assert.deepEqual(got, expected);
  const hardened = page.items.filter((d: { rule: { path: string } }) => d.rule.path.includes('/rules/hardened/'));
  assert.ok(hardened.length > 0, 'the hardened rules detect in the demo too');
  for (const d of page.items) assert.ok(d.rule.key, `detection ${d.n} is tied to a loaded rule`);
  // The example correlation fires once in the demo (bitsadmin in Sysmon, then BITS event 59), so a
  // new user sees one; its Sysmon event is also a detection of the bitsadmin download rule.
  assert.equal(demo.correlations, 1);
  const corr = page.items.filter((d: { correlation?: unknown }) => d.correlation);
  assert.equal(corr.length, 1);
  assert.equal(corr[0].rule.key, '6d1f0a52-7c1e-4b8e-9a55-2f3c8e61a0b4');
  assert.deepEqual(corr[0].correlation.group, { Computer: 'WS-FIN-042.corp.example' });
  assert.deepEqual(corr[0].correlation.window, { start: '2026-11-20T08:15:02.114Z', end: '2026-11-20T08:15:03.180Z' });
  const [sysmon, bits] = corr[0].correlation.events;
  const linked = page.items.find((d: { n: number }) => d.n === sysmon.n);
  assert.equal(linked.rule.title, 'Bitsadmin Download Job Created From The Command Line');
  assert.equal(linked.source.record, 1);
  assert.equal(bits.n, null, 'no rule of the demo reports the BITS 59 event itself (its base rule is silent)');
  assert.equal(bits.key, '8b7e2d40-1f6a-4c3b-9d58-7a0e4f2c6b19');
});

test('detections filter by rule and level and page; timeline; stack counts of real and derived fields', async () => {
  const proxyRule = '9f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c';
  const { body: byRule } = await getJson(ex.url, `/api/hunts/demo/detections?rule=${proxyRule}`);
  assert.equal(byRule.total, 2);
  assert.deepEqual(byRule.items.map((d: { event: Record<string, string> }) => d.event['cs-host']), ['cdn-update.top', 'files.example-mirror.de']);
  const { body: high } = await getJson(ex.url, `/api/hunts/demo/detections?level=high&limit=1&offset=1`);
  assert.equal(high.items.length, 1);
  assert.equal(high.items[0].rule.level, 'high');
  const { body: tl } = await getJson(ex.url, `/api/hunts/demo/timeline?rule=${proxyRule}`);
  assert.equal(tl.bucket, 'minute');
  assert.deepEqual(tl.points, [
    { t: '2026-11-20T08:15:00.000Z', count: 1 },
    { t: '2026-11-20T09:30:00.000Z', count: 1 },
  ]);
  const { body: tld } = await getJson(ex.url, `/api/hunts/demo/stack?field=${encodeURIComponent('cs-host@tld')}&rule=${proxyRule}`);
  assert.deepEqual(tld.rows, [
    { value: 'de', count: 1 },
    { value: 'top', count: 1 },
  ]);
  const { body: all } = await getJson(ex.url, `/api/hunts/demo/stack?field=Channel`);
  assert.ok(all.rows.length > 0 && all.missing > 0, 'proxy detections have no Channel: counted as missing');
  const { status } = await getJson(ex.url, `/api/hunts/demo/stack`);
  assert.equal(status, 400);
  assert.equal((await getJson(ex.url, '/api/hunts/nope/detections')).status, 404);
});

test('rule detail of a bundled rule: stages with the filter file, translations, suggestions, hunting context', async () => {
  const key = '755186c2-a15f-4ccf-931b-6beef0d2efad';
  const { status, body } = await getJson(ex.url, `/api/rules/${key}`);
  assert.equal(status, 200);
  assert.equal(body.entry.key, key);
  assert.match(body.source, /^title: BITS User Agent To A Host/m);
  assert.deepEqual(body.logsource, { category: 'proxy' });
  assert.deepEqual(body.filters.map((f: { path: string }) => f.path), ['hardened/filters/mf_proxy_bits_allowlists.yml']);
  const roles = body.stages.selections.map((s: { name: string; role: string }) => `${s.name}:${s.role}`);
  assert.deepEqual(roles, ['selection:selection', '_filter1_common_tlds:filter', '_filter1_vendor_update_hosts:filter', '_filter1_internal_zones:filter']);
  assert.equal(body.stages.selections[1].items[0].origin, 'filter');
  const targets = new Set(body.translations.map((t: { target: string }) => t.target));
  assert.ok(targets.has('kql') && targets.has('sql'));
  for (const t of body.translations) assert.ok(t.ok ? typeof t.query === 'string' : typeof t.error === 'string' && typeof t.code === 'string', `${t.label} has a query or a reason`);
  // The demo hunt's detections of this rule give the filter fields' values to exclude.
  const host = body.suggestions.find((s: { field: string }) => s.field === 'cs-host@host');
  assert.deepEqual(host, { field: 'cs-host@host', modifier: 'endswith', values: ['cdn-update.top', 'files.example-mirror.de'], basis: 'filter', reason: host.reason });
  assert.match(body.hunting.narrative, /web proxy logs/);
  assert.deepEqual(body.hunting.techniques.map((t: { id: string }) => t.id), ['T1071.001', 'T1197']);
  const raw = await fetch(new URL(`/api/rules/${key}/raw`, ex.url));
  assert.equal(raw.headers.get('content-type'), 'text/yaml; charset=utf-8');
  assert.match(raw.headers.get('content-disposition') ?? '', /^attachment; filename="proxy_bits_user_agent_uncommon_tld_host_aware\.yml"$/);
  assert.equal(await raw.text(), body.source.endsWith('\n') ? body.source : body.source + '\n');
  assert.equal((await getJson(ex.url, `/api/rules/${encodeURIComponent('no-such-rule')}`)).status, 404);
});

test('playground check, unknown routes, methods, bodies and the front end not built', async () => {
  const ok = await sendJson(ex, 'POST', '/api/check', { target: 'kql', query: 'imWebSession | where HttpHost endswith ".top"' });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.ok, true);
  const bad = await sendJson(ex, 'POST', '/api/check', { target: 'kql', query: 'imWebSession | where NoSuchColumn == 1' });
  assert.equal(bad.body.ok, false);
  assert.ok(bad.body.problems.length > 0);
  assert.equal((await sendJson(ex, 'POST', '/api/check', { target: 'nope', query: 'x' })).status, 400);
  const notFound = await getJson(ex.url, '/api/nothing/here');
  assert.equal(notFound.status, 404);
  assert.match(notFound.body.error, /no API route/);
  assert.equal((await sendJson(ex, 'DELETE', '/api/catalog', undefined)).status, 405);
  const big = await fetch(new URL('/api/check', ex.url), { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Quarry-Token': ex.token }, body: JSON.stringify({ target: 'kql', query: 'x'.repeat(300_000) }) });
  assert.equal(big.status, 413);
  const form = await fetch(new URL('/api/tuning', ex.url), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Quarry-Token': ex.token }, body: 'rule=x' });
  assert.equal(form.status, 415);
  const page = await rawGet(ex.url, '/rule/755186c2-a15f-4ccf-931b-6beef0d2efad');
  assert.equal(page.status, 503);
  assert.match(page.text, /front end is not built/);
  // Another host name (DNS rebinding) is refused while bound to loopback.
  const rebound = await rawGet(ex.url, '/api/catalog', { Host: 'attacker.example:80' });
  assert.equal(rebound.status, 421);
});
