/// <reference lib="dom" />
// Correlations in the explorer in a real browser: the catalog's correlation facet, a correlation's
// rule page (type, window, condition, group-by with aliases), a base rule link and its "Used by"
// link back, and hunt results (JSONL and DuckDB) with the correlation's window on the timeline and
// its events opened from the detection. Screenshots in test-output/screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from './browser.js';
import { needs } from '../services.js';
import { startExplorer, type Explorer } from '../../src/server/index.js';
import { CORRELATION_IDS as ID, correlationFixture } from '../server/correlation-fixture.js';

const noChromium = needs('chromium');
let browser: Browser;
let explorer: Explorer;
let dir: string;
before(async () => {
  if (noChromium) return;
  dir = mkdtempSync(join(tmpdir(), 'quarry-corr-web-'));
  const f = correlationFixture(dir);
  explorer = await startExplorer({ rules: [f.rules], hunts: [f.jsonl, f.duckdb], port: 0, log: () => {} });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await explorer?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const base = (): string => explorer.url.replace(/\/$/, '');

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  return context.newPage();
}

test('the catalog narrows to correlations of one type with the facet', { skip: noChromium }, async () => {
  const page = await newPage();
  await page.goto(`${base()}/`);
  await page.waitForSelector('.rule-row');
  await page.click('[data-facet=correlation] label:has-text("temporal_ordered") input');
  await page.waitForFunction(() => location.search.includes('correlation=temporal_ordered'));
  await page.waitForFunction(() => document.querySelectorAll('.rule-row').length === 1);
  assert.equal(await page.textContent('.rule-row .rule-title'), 'Failures Then A Successful Logon');
  assert.equal(await page.textContent('.rule-row .badge.kind'), 'correlation · temporal_ordered');
  await screenshot(page, 'catalog-correlation-facet');
});

test("a correlation's page shows what it is; a base rule link and its 'Used by' link lead there and back", { skip: noChromium }, async () => {
  const page = await newPage();
  await page.goto(`${base()}/rule/${ID.thenSuccess}`);
  await page.waitForSelector('[data-section=correlation]');
  assert.equal(await page.textContent('[data-fact=type] dd'), 'temporal_ordered');
  assert.match((await page.textContent('[data-fact=window] dd'))!, /^5m \(5 minutes, sliding\)$/);
  assert.match((await page.textContent('[data-fact=condition] dd'))!, /in the listed order: all of them/);
  assert.match((await page.textContent('[data-fact=generate] dd'))!, /^false/);
  // The alias: one group name, a field per base rule.
  assert.deepEqual(await page.$$eval('.group-by tr[data-group=user] td', (tds) => tds.map((t) => t.textContent)), ['TargetUserName', 'SubjectUserName']);
  assert.ok(await page.isVisible('[data-section=translations]'));
  assert.equal(await page.locator('[data-section=detection]').count(), 0, 'a correlation has no detection block');
  await screenshot(page, 'rule-page-correlation');

  await page.click('[data-input=successful_logon] a');
  await page.waitForURL(new RegExp(`/rule/${ID.success}$`));
  await page.waitForSelector('[data-section=used-by]');
  assert.equal(await page.textContent('h1'), 'Successful Logon');
  assert.match((await page.textContent('[data-section=used-by]'))!, /Failures Then A Successful Logon \(temporal_ordered, as successful_logon, generate: false\)/);
  assert.ok(await page.isVisible('[data-testid=silent]'));
  await screenshot(page, 'rule-page-used-by-correlation');
  await page.click('[data-section=used-by] a:has-text("Failures Then A Successful Logon")');
  await page.waitForURL(new RegExp(`/rule/${ID.thenSuccess}$`));
  await page.waitForSelector('[data-section=correlation]');

  // A chain: its input is a correlation; a range condition with symbols and its field.
  await page.goto(`${base()}/rule/${ID.sources}`);
  await page.waitForSelector('[data-section=correlation]');
  assert.match((await page.textContent('[data-fact=condition] dd'))!, /distinct values of IpAddress > 2 and ≤ 10/);
  await page.goto(`${base()}/rule/${ID.expression}`);
  await page.waitForSelector('[data-section=correlation]');
  assert.match((await page.textContent('[data-fact=condition] dd'))!, /base rules that occurred: successful_logon and not failed_logon/);
  await page.goto(`${base()}/rule/${ID.repeated}`);
  await page.waitForSelector('[data-section=correlation]');
  assert.match((await page.textContent('[data-input=many_failures]'))!, /Many Failed Logons For One User.*correlation · event_count/);
});

for (const [hunt, kind] of [['h1', 'jsonl'], ['h2', 'duckdb']] as const) {
  test(`hunt results (${kind}): the correlation's window on the timeline, its row, group, window and events`, { skip: noChromium }, async () => {
    const page = await newPage();
    await page.goto(`${base()}/hunts?hunt=${hunt}`);
    await page.waitForSelector('[data-testid=detection-total]');
    assert.equal(await page.textContent('[data-testid=detection-total]'), '7');
    assert.match((await page.textContent('[data-testid=correlation-count]'))!, /3 of 7/);
    // Three windows below the bars, one per correlation detection.
    assert.equal(await page.locator('.timeline rect.window').count(), 3);
    assert.ok((await page.locator('.timeline rect.bar').count()) > 0);
    await screenshot(page, `hunt-correlation-timeline-${kind}`);
    await page.click(`.by-rule li[data-rule="${ID.thenSuccess}"] button`);
    await page.waitForFunction(() => document.querySelector('[data-testid=detection-total]')?.textContent === '1');
    assert.equal(await page.locator('.timeline rect.window').count(), 1);
    // Stacking a correlation's detections counts their groups; exclusions go to its base rules.
    await page.fill('input[name=stack-field]', 'user');
    await page.click('[data-section=stack] button[type=submit]');
    await page.waitForSelector('.stack-table tbody tr');
    assert.match((await page.textContent('.stack-table tbody tr'))!, /alice\s*1\s*exclude on a base rule of this correlation/);
    await page.click('tr.detection td:first-child');
    await page.waitForSelector('.correlation-detail');
    assert.match((await page.textContent('[data-testid=corr-group]'))!, /user = alice/);
    assert.match((await page.textContent('[data-testid=corr-window]'))!, /– 2026-03-01T10:03:00.000Z$/);
    assert.match((await page.textContent('[data-testid=corr-value]'))!, /^2 /);
    const rows = await page.$$eval('.corr-events tr.corr-event', (trs) => trs.map((t) => t.textContent ?? ''));
    assert.ok(rows.some((r) => /Successful Logon.*not in these results/.test(r)), rows.join('\n'));
    // The last failed logon is a detection in these results: opened in place, its fields shown.
    await page.click('.corr-events tr.corr-event:has-text("10:02:00") button.show-event');
    await page.waitForSelector('.corr-event-detail .event-fields');
    assert.match((await page.textContent('.corr-event-detail .event-fields'))!, /IpAddress\s*10\.0\.0\.3/);
    await screenshot(page, `hunt-correlation-${kind}`);
    // The base rule link on an event leads to the base rule's page.
    await page.click('.corr-events tr.corr-event:has-text("10:02:00") a');
    await page.waitForURL(new RegExp(`/rule/${ID.failed}$`));
  });
}
