/// <reference lib="dom" />
// The explorer for triage (issue 16, items 6–12) in Chromium, each with a screenshot: the first rule
// page on the whole SigmaHQ corpus shown before its translations' checks arrive (DuckDB SQL checked
// by DuckDB, refused targets on one line), the page title following the view, ATT&CK v19 names and
// technique names in search, coverage counting rules only, an exclusion saved with its reason and a
// tuned rule's condition naming the filter's identifiers apart, and reach (skip link, 390 px width).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from './browser.js';
import { needs } from '../services.js';
import { withTempExplorer } from './temp-explorer.js';
import { base, CORPUS, SEED_PROXY, SEED_PROXY_ID, SEED_WINDOWS_ID, SIGMA } from './corpus.js';
import { startExplorer, type Explorer } from '../../src/server/index.js';

const noChromium = needs('chromium');
/** A STIX 2.1 Enterprise bundle in the official shape, its descriptions written for the project. */
const ATTACK_FIXTURE = join(process.cwd(), 'test/fixtures/attack/enterprise-attack-19.0.json');
let browser: Browser;
let corpus: Explorer;
before(async () => {
  if (noChromium) return;
  browser = await launchBrowser();
  corpus = await startExplorer({ rules: CORPUS, hunts: [], port: 0, demo: false });
});
after(async () => {
  await corpus?.close();
  await browser?.close();
});

async function newPage(width = 1400, height = 1000): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  return context.newPage();
}

test('the first rule page on the whole corpus comes before its checks; DuckDB SQL checked; refused targets on one line; the title follows', { skip: noChromium }, async () => {
  // The page's data has no checks: they are the costly part and come from /checks.
  const other = (await (await fetch(`${base(corpus)}/api/rules/9eb68894-7476-4cd6-8752-23b51f5883a7`)).json()) as { translations: Array<{ ok: boolean; check?: unknown }> };
  assert.ok(other.translations.some((t) => t.ok) && other.translations.every((t) => t.check === undefined));
  const page = await newPage();
  const t0 = Date.now();
  await page.goto(`${base(corpus)}/rule/${SEED_WINDOWS_ID}`);
  await page.waitForSelector('[data-section=translations] [data-tabs=translations]');
  const shownMs = Date.now() - t0;
  assert.equal(await page.title(), 'BITS Transfer Job With Uncommon Or Suspicious Remote TLD · Quarry');
  // Tabs are the targets that convert the rule, KQL first, named in one style.
  const tabs = await page.$$eval('[data-tabs=translations] [role=tab]', (els) => els.map((e) => e.textContent!.replace(/ [✓!]$/, '')));
  assert.match(tabs[0]!, /^KQL · /);
  assert.ok(tabs.includes('DuckDB SQL') && tabs.includes('PostgreSQL') && tabs.includes('ES|QL · ecs-windows'), tabs.join(', '));
  assert.ok(tabs.every((t) => !/^[A-Z]+ · none$/.test(t)), tabs.join(', '));
  // The ones that refuse it are one line, opened on demand, each with its reason.
  const refused = Number(await page.getAttribute('details.unavailable', 'data-unavailable'));
  assert.ok(refused > 0);
  assert.match((await page.textContent('details.unavailable summary'))!, new RegExp(`^Not available in ${refused} targets \\(`));
  assert.equal(await page.locator('details.unavailable li').count(), refused);
  assert.equal(await page.locator('[data-tabs=translations] [role=tab]').count() + refused, 20);
  // DuckDB itself checks the SQL once the checks arrive.
  await page.click('[data-tabs=translations] [data-tab="sql:none"]');
  await page.waitForSelector('[data-tab-panel="sql:none"] [data-validation=ok]', { timeout: 60_000 });
  assert.match((await page.textContent('[data-tab-panel="sql:none"] [data-validation]'))!, /valid \(DuckDB/);
  await page.click('details.unavailable summary');
  await screenshot(page, 'triage-rule-translations');
  console.log(`# explorer: first rule page on the whole corpus shown in ${shownMs} ms; ${tabs.length} targets convert it, ${refused} refuse it`);
  // The catalog's title follows the view too.
  await page.click('header.top a:has-text("ATT&CK coverage")');
  await page.waitForFunction(() => document.title === 'ATT&CK coverage · Quarry');
});

test('ATT&CK: v19 technique names, names searchable, coverage counts rules not filter files', { skip: noChromium }, async () => {
  const catalog = (await (await fetch(`${base(corpus)}/api/catalog`)).json()) as { entries: Array<{ kind: string; title: string; techniques: string[] }> };
  const rules = catalog.entries.filter((e) => e.kind !== 'filter').length;
  const bits = catalog.entries.filter((e) => e.techniques.includes('T1197')).length;
  const page = await newPage();
  await page.goto(`${base(corpus)}/?q=${encodeURIComponent('BITS Jobs')}`);
  await page.waitForSelector('.rule-row');
  await page.waitForFunction(() => performance.getEntriesByName('quarry:text-indexed').length > 0);
  const n = Number((await page.textContent('[data-testid=result-count]'))!.match(/^(\d+)/)![1]);
  assert.ok(bits > 10 && n >= bits, `"BITS Jobs" finds ${n} rules; ${bits} are tagged T1197`);
  await screenshot(page, 'triage-search-technique-name');
  // A v19 sub-technique's name finds every rule tagged with it (the names come from v19-names.ts).
  const cloudLog = catalog.entries.filter((e) => e.techniques.includes('T1685.002')) ;
  assert.ok(cloudLog.length >= 3);
  await page.goto(`${base(corpus)}/?q=${encodeURIComponent('Disable or Modify Cloud Log')}`);
  await page.waitForSelector('.rule-row');
  await page.waitForFunction(() => performance.getEntriesByName('quarry:text-indexed').length > 0);
  const titles = await page.$$eval('.rule-row', (rows) => rows.map((r) => r.textContent ?? ''));
  for (const r of cloudLog) assert.ok(titles.some((t) => t.includes(r.title)), `"Disable or Modify Cloud Log" does not find ${r.title}`);
  await screenshot(page, 'triage-search-v19-subtechnique-name');

  await page.goto(`${base(corpus)}/coverage`);
  await page.waitForSelector('[data-technique=T1685]');
  assert.equal(await page.textContent('[data-testid=coverage-rules]'), `${rules} rules`);
  assert.match((await page.textContent('[data-technique=T1685]'))!, /T1685 Disable or Modify Tools \d+/);
  assert.match((await page.textContent('[data-technique=T1686]'))!, /Disable or Modify System Firewall/);
  await page.locator('[data-technique=T1685]').scrollIntoViewIfNeeded();
  await screenshot(page, 'triage-coverage-v19');
});

test('an exclusion carries its reason; the tuned condition names the filter identifiers apart', { skip: noChromium }, async () => {
  const rulesIn = (dir: string) => join(dir, 'rules');
  const prepare = (dir: string) => {
    mkdirSync(rulesIn(dir));
    cpSync(join(SIGMA, SEED_PROXY), join(rulesIn(dir), 'proxy_ua_bitsadmin_susp_tld.yml'));
    return { rules: [rulesIn(dir)], hunts: [], demo: false };
  };
  await withTempExplorer(prepare, async (explorer, dir) => {
    const rules = rulesIn(dir);
    const page = await newPage();
    await page.goto(`${base(explorer)}/rule/${SEED_PROXY_ID}`);
    // The threat description names its background; the rule's one note is a scenario, and the host
    // field it tests brings three more, each with a concrete exclusion (seed 004 has five in all).
    await page.waitForSelector('[data-section=hunting]');
    assert.match((await page.textContent('[data-section=hunting]'))!, /Background: 2 references \(twitter\.com and isc\.sans\.edu\)/);
    assert.equal(await page.locator('[data-scenario]').count(), 1);
    assert.match(await page.inputValue('[data-scenario="0"] textarea[name=values]'), /\.uk/);
    assert.equal(await page.locator('[data-general-scenario]').count(), 3);
    assert.equal(await page.inputValue('[data-general-scenario="0"] textarea[name=values]'), '.test\n.example\n.invalid\n.localhost');
    assert.equal(await page.inputValue('[data-general-scenario="1"] input[name=field]'), 'cs-host');
    await page.locator('[data-section=false-positives]').scrollIntoViewIfNeeded();
    await screenshot(page, 'triage-false-positive-scenarios');
    const form = page.locator('form.exclusion').last();
    await form.locator('input[name=field]').fill('cs-host');
    await form.locator('select[name=modifier]').selectOption('endswith');
    await form.locator('textarea[name=values]').fill('.updates.example.xyz');
    await form.locator('input[name=reason]').fill('the build farm downloads its updates from this vendor with bitsadmin');
    await form.locator('button[type=submit]').click();
    await page.waitForSelector('ul.filters li');
    const saved = readdirSync(join(rules, 'filters'));
    assert.equal(saved.length, 1);
    assert.match(readFileSync(join(rules, 'filters', saved[0]!), 'utf8'), /the build farm downloads its updates from this vendor with bitsadmin/);
    const condition = (await page.textContent('[data-section=stages] code.condition'))!;
    assert.match(condition, /and not \(_filter0_\w+\)$/);
    assert.doesNotMatch(condition, /not \(selection\)/);
    await page.locator('[data-section=stages]').scrollIntoViewIfNeeded();
    await screenshot(page, 'triage-exclusion-reason-stages');
    // Coverage counts the rule, not the filter file beside it in the catalog.
    await page.goto(`${base(explorer)}/coverage`);
    await page.waitForSelector('[data-testid=coverage-rules]');
    assert.equal(await page.textContent('[data-testid=coverage-rules]'), '1 rules');
    const entries = ((await (await fetch(`${base(explorer)}/api/catalog`)).json()) as { entries: unknown[] }).entries;
    assert.equal(entries.length, 2);
  });
});

test('rule page: ATT&CK technique descriptions from an --attack bundle with their attribution; without one, where to get them', { skip: noChromium }, async () => {
  const explorer = await startExplorer({ rules: [join(SIGMA, 'rules/web/proxy_generic')], hunts: [], port: 0, demo: false, attackFile: ATTACK_FIXTURE, log: () => {} });
  try {
    const page = await newPage();
    await page.goto(`${base(explorer)}/rule/${SEED_PROXY_ID}`);
    await page.waitForSelector('[data-technique-text=attack]');
    // The parent technique frames its sub-technique: T1071, then T1071.001, then T1197; each as paragraphs of plain text.
    const heads = await page.$$eval('[data-technique-description] h4', (els) => els.map((e) => e.textContent));
    assert.deepEqual(heads, ['T1071 Application Layer Protocol', 'T1071.001 Web Protocols', 'T1197 BITS Jobs']);
    assert.equal(await page.locator('[data-technique-description=T1197] p').count(), 2);
    const bits = (await page.textContent('[data-technique-description=T1197]'))!;
    assert.match(bits, /Because the transfers come from svchost\.exe and resemble update traffic/);
    assert.doesNotMatch(bits, /Citation|<code>/);
    assert.equal(await page.getAttribute('[data-technique-description=T1197] h4 a', 'href'), 'https://attack.mitre.org/techniques/T1197');
    assert.match((await page.textContent('[data-attribution]'))!, /^Technique descriptions: MITRE ATT&CK® 19\.0, from the bundle given with --attack\. Copyright 2015-2026, The MITRE Corporation\..*ATT&CK Terms of Use/);
    await page.locator('[data-section=hunting]').scrollIntoViewIfNeeded();
    await screenshot(page, 'triage-attack-descriptions');
  } finally {
    await explorer.close();
  }
  // The bundled ATT&CK copy has no descriptions: the page says how to get them.
  const page = await newPage();
  await page.goto(`${base(corpus)}/rule/${SEED_PROXY_ID}`);
  await page.waitForSelector('[data-technique-text=missing]');
  assert.equal(await page.locator('[data-technique-description]').count(), 0);
  assert.match((await page.textContent('[data-technique-note]'))!, /has no technique descriptions\. To read ATT&CK's description of T1071, T1071\.001, T1197 here, start the explorer with an official Enterprise ATT&CK bundle: quarry explore --attack enterprise-attack\.json/);
  await page.locator('[data-technique-text]').scrollIntoViewIfNeeded();
  await screenshot(page, 'triage-attack-descriptions-missing');
});

test('reach: a skip link first, focus visible, the catalog fits 390 px', { skip: noChromium }, async () => {
  const page = await newPage(390, 844);
  await page.goto(`${base(corpus)}/`);
  await page.waitForSelector('.rule-row');
  assert.equal(await page.title(), 'Catalog · Quarry');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the catalog is ${width} px wide at 390 px`);
  // The catalog focuses its search box on load; a rule page does not: there Tab reaches the skip link first.
  const rulePage = await newPage(390, 844);
  await rulePage.goto(`${base(corpus)}/rule/${SEED_WINDOWS_ID}`);
  await rulePage.waitForSelector('[data-section=translations]');
  assert.ok((await rulePage.evaluate(() => document.documentElement.scrollWidth)) <= 390);
  await rulePage.keyboard.press('Tab');
  assert.equal(await rulePage.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  assert.notEqual(await rulePage.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle), 'none');
  await screenshot(rulePage, 'triage-rule-390px-skip-link');
  await page.focus('.skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
  // From the view, the search box is the first stop.
  let presses = 0;
  while (presses < 20 && !(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name === 'q'))) {
    await page.keyboard.press('Tab');
    presses++;
  }
  assert.ok(presses <= 3, `${presses} Tab presses from the skip link to the search box`);
  await screenshot(page, 'triage-catalog-390px');
  console.log(`# explorer: catalog ${width} px wide at 390 px; search box ${presses + 2} key presses from the top`);
});

test('hunt results for triage: host, channel and EventID columns, sorting, keyboard drill-down, rarest first, counts after exclusions, a to-scale timeline', { skip: noChromium }, async () => {
  // The bundled rules are copied so that the exclusion is written into a temporary folder.
  const prepare = (dir: string) => {
    cpSync('examples/rules', join(dir, 'examples'), { recursive: true });
    cpSync('rules/hardened', join(dir, 'hardened'), { recursive: true });
    return { rules: [join(dir, 'examples'), join(dir, 'hardened')], demo: true };
  };
  await withTempExplorer(prepare, async (explorer) => {
    const page = await newPage();
    await page.goto(`${base(explorer)}/hunts`);
    await page.waitForSelector('[data-testid=detection-total]');
    for (const c of ['host', 'channel', 'eventId']) assert.ok(await page.isVisible(`th[data-column=${c}]`), c);
    // Windows detections show their computer, channel and event id.
    const hosts = await page.$$eval('td[data-cell=host]', (els) => els.map((e) => e.textContent));
    assert.ok(hosts.some((h) => h), hosts.join(','));
    // Sorting by EventID, then reversed; detections without one stay last.
    await page.click('th[data-column=eventId] button');
    await page.waitForFunction(() => location.search.includes('sort=eventId'));
    await page.waitForSelector('th[data-column=eventId][aria-sort=ascending]');
    const ids = async () => (await page.$$eval('td[data-cell=eventId]', (els) => els.map((e) => e.textContent!))).filter(Boolean).map(Number);
    const asc = await ids();
    assert.ok(asc.length > 1);
    assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
    await page.click('th[data-column=eventId] button');
    await page.waitForSelector('th[data-column=eventId][aria-sort=descending]');
    const desc = await ids();
    assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
    // The drill-down opens from the keyboard.
    await page.focus('tr.detection');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.event-fields');
    assert.equal(await page.getAttribute('tr.detection', 'aria-expanded'), 'true');
    // The timeline is drawn to scale with ticks at true times.
    assert.ok((await page.locator('.timeline line.tick').count()) > 0);
    assert.match((await page.textContent('.timeline figcaption'))!, /drawn to scale/);
    await screenshot(page, 'triage-hunt-columns-sorted');

    // One rule: stack rarest first; an exclusion lowers the rule's count on the left.
    const title = 'BITS User Agent Requesting A Host Outside Common Top-Level Domains';
    await page.click(`.by-rule li[data-rule] button:has-text("${title}")`);
    await page.waitForFunction(() => location.search.includes('rule='));
    const row = page.locator('.by-rule li[data-rule]', { hasText: title });
    const before = Number(await row.locator('.count').getAttribute('data-count'));
    await page.fill('input[name=stack-field]', 'cs-host@tld');
    await page.click('[data-section=stack] button[type=submit]');
    await page.waitForSelector('.stack-table tbody tr');
    const counts = await page.$$eval('.stack-table tbody tr td:nth-child(2)', (els) => els.map((e) => Number(e.textContent)));
    assert.ok(counts.length > 1, 'several values');
    assert.deepEqual(counts, [...counts].sort((a, b) => a - b), 'rarest first');
    await page.click('.stack-table tbody tr:first-child button.exclude');
    await page.waitForSelector('.by-rule .excluded-count');
    const after = Number(await row.locator('.count').getAttribute('data-count'));
    assert.equal(after, before - counts[0]!);
    assert.match((await row.textContent())!, new RegExp(`\\(${counts[0]} excluded\\)`));
    await screenshot(page, 'triage-hunt-rarest-first-excluded');
  });
});
