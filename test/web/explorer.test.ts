/// <reference lib="dom" />
// The explorer in a real browser (Debian's Chromium through playwright-core): the whole SigmaHQ
// corpus, search and facets, the first seed rule's page with every section, copying a
// translation, an exclusion that changes the KQL, the playground, hunt results, ATT&CK coverage and
// escaping of hostile rule text. Each test saves a screenshot in test-output/screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from './browser.js';
import { needs } from '../services.js';
import { withTempExplorer } from './temp-explorer.js';
import { base, CORPUS, SEED_PROXY, SEED_PROXY_ID, SEED_WINDOWS, SEED_WINDOWS_ID, SIGMA } from './corpus.js';
import { startExplorer } from '../../src/server/index.js';


const noChromium = needs('chromium');
let browser: Browser;
before(async () => {
  if (!noChromium) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  return context.newPage();
}

const resultCount = async (page: Page): Promise<number> => Number((await page.textContent('[data-testid=result-count]'))!.match(/^(\d+)/)![1]);

/** Types one character and waits for the next frame after the results re-render: the keystroke latency. */
async function keystrokeMs(page: Page, text: string): Promise<number> {
  return page.evaluate(
    (t) =>
      new Promise<number>((resolve) => {
        const input = document.querySelector<HTMLInputElement>('input[name=q]')!;
        const t0 = performance.now();
        input.value = t;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
      }),
    text,
  );
}

test('catalog over the whole SigmaHQ corpus: first load, search keystrokes, facets, URL state', { skip: noChromium }, async () => {
  const explorer = await startExplorer({ rules: CORPUS, hunts: [], port: 0, demo: false });
  try {
    const catalog = (await (await fetch(`${base(explorer)}/api/catalog`)).json()) as { entries: unknown[] };
    assert.ok(catalog.entries.length > 3500, `${catalog.entries.length} entries`);
    const page = await newPage();
    await page.goto(base(explorer) + '/');
    await page.waitForSelector('.rule-row');
    // From navigation start to the first results painted, as the page itself measured it.
    const firstLoad = Number(await page.getAttribute('html', 'data-catalog-shown-ms'));
    assert.ok(firstLoad > 0);
    assert.equal(await resultCount(page), catalog.entries.length);

    // The first page comes from the server; keystrokes are measured once the page searches by itself.
    await page.waitForFunction(() => performance.getEntriesByName('quarry:text-indexed').length > 0);
    const latencies: number[] = [];
    for (const prefix of ['b', 'bi', 'bit', 'bits', 'bitsa', 'bitsad', 'bitsadm', 'bitsadmi', 'bitsadmin']) latencies.push(await keystrokeMs(page, prefix));
    const n = await resultCount(page);
    assert.ok(n > 0 && n < 100, `${n} rules for bitsadmin`);
    assert.ok(await page.isVisible('text=Bitsadmin to Uncommon TLD'));
    assert.match(page.url(), /q=bitsadmin/);
    latencies.sort((a, b) => a - b);
    console.log(`# explorer: first load ${firstLoad} ms with ${catalog.entries.length} rules; search keystroke median ${latencies[4]!.toFixed(1)} ms, max ${latencies[8]!.toFixed(1)} ms`);

    // A facet narrows the results, every listed rule has that level, and the URL keeps it.
    await page.click('[data-facet=level] label:has-text("high") input');
    await page.waitForFunction(() => location.search.includes('level=high'));
    const levels = await page.$$eval('.rule-row .level', (els) => els.map((e) => e.textContent));
    assert.ok(levels.length > 0 && levels.every((l) => l === 'high'), levels.join(','));
    const filtered = await resultCount(page);
    assert.ok(filtered < n);
    await screenshot(page, 'catalog-search-facet');

    // The URL alone restores the view.
    const again = await newPage();
    await again.goto(page.url());
    await again.waitForSelector('.rule-row');
    assert.equal(await resultCount(again), filtered);
    assert.equal(await again.inputValue('input[name=q]'), 'bitsadmin');
  } finally {
    await explorer.close();
  }
});

test('the first seed rule page shows every section; a translation is copied', { skip: noChromium }, async () => {
  const explorer = await startExplorer({ rules: CORPUS, hunts: [], port: 0, demo: false });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base(explorer) });
    const page = await context.newPage();
    await page.goto(`${base(explorer)}/?q=${encodeURIComponent('BITS Transfer Job With Uncommon')}`);
    await page.click('a.rule-title:has-text("BITS Transfer Job With Uncommon Or Suspicious Remote TLD")');
    await page.waitForSelector('[data-section=translations]');
    assert.match(page.url(), new RegExp(`/rule/${SEED_WINDOWS_ID}$`));
    for (const s of ['attack', 'detection', 'stages', 'author', 'created', 'data-sources', 'platforms', 'tags', 'hunting', 'translations', 'false-positives', 'raw']) {
      assert.ok(await page.isVisible(`[data-section=${s}]`), `section ${s}`);
    }
    assert.equal(await page.textContent('h1'), 'BITS Transfer Job With Uncommon Or Suspicious Remote TLD');
    assert.equal(await page.textContent('.badge.level'), 'medium');
    assert.match((await page.textContent('[data-section=detection] pre'))!, /EventID: 16403[\s\S]*RemoteName\|contains:[\s\S]*condition: selection and not 1 of filter_main_\*/);
    assert.match((await page.textContent('[data-section=author]'))!, /Florian Roth \(Nextron Systems\)/);
    assert.match((await page.textContent('[data-section=created]'))!, /2022-06-10/);
    assert.match((await page.textContent('[data-section=data-sources]'))!, /bits-client/);
    assert.match((await page.textContent('[data-section=platforms]'))!, /windows/);
    // T1197 resolved to its name; defense-evasion shown under its current ATT&CK v19 names.
    assert.match((await page.textContent('[data-section=attack]'))!, /T1197[\s\S]*BITS Jobs/);
    assert.match((await page.textContent('[data-section=attack]'))!, /stealth|defense-impairment/i);
    assert.match((await page.textContent('[data-section=raw] pre'))!, new RegExp(`id: ${SEED_WINDOWS_ID}`));

    // KQL for the Event table keeps EventID, the channel and RemoteName, and the Kusto check passes.
    await page.click('[data-tabs=translations] [data-tab="kql:sentinel-event"]');
    const query = (await page.textContent('[data-tab-panel="kql:sentinel-event"] pre.query'))!;
    assert.match(query, /16403/);
    assert.match(query, /RemoteName/);
    assert.match(query, /Microsoft-Windows-Bits-Client\/Operational/);
    // the Kusto check runs after the page is drawn: wait for its verdict, then it must be ok
    await page.waitForSelector('[data-tab-panel="kql:sentinel-event"] [data-validation]:not([data-validation=pending])', { timeout: 60_000 });
    assert.equal(await page.getAttribute('[data-tab-panel="kql:sentinel-event"] [data-validation]', 'data-validation'), 'ok');
    await page.click('[data-tab-panel="kql:sentinel-event"] button.copy');
    await page.waitForSelector('[data-tab-panel="kql:sentinel-event"] button.copy[data-copy-state=copied]');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), query);
    await screenshot(page, 'rule-page-first-seed');
  } finally {
    await explorer.close();
  }
});

test('an exclusion added on the rule page is saved as a Sigma filter and changes the KQL', { skip: noChromium }, async () => {
  const rulesIn = (dir: string) => join(dir, 'rules');
  const prepare = (dir: string) => {
    mkdirSync(rulesIn(dir));
    cpSync(join(SIGMA, SEED_PROXY), join(rulesIn(dir), 'proxy_ua_bitsadmin_susp_tld.yml'));
    cpSync(join(SIGMA, SEED_WINDOWS), join(rulesIn(dir), 'win_bits_client_new_transfer_via_uncommon_tld.yml'));
    return { rules: [rulesIn(dir)], hunts: [], demo: false };
  };
  await withTempExplorer(prepare, async (explorer, dir) => {
    const rules = rulesIn(dir);
    const page = await newPage();
    await page.goto(`${base(explorer)}/rule/${SEED_PROXY_ID}`);
    await page.click('[data-tabs=translations] [data-tab="kql:sentinel-asim"]');
    const before = (await page.textContent('[data-tab-panel="kql:sentinel-asim"] pre.query'))!;
    assert.doesNotMatch(before, /\.example\.xyz/);
    const form = page.locator('form.exclusion').last();
    await form.locator('input[name=field]').fill('cs-host');
    await form.locator('select[name=modifier]').selectOption('endswith');
    await form.locator('textarea[name=values]').fill('.example.xyz');
    await form.locator('button[type=submit]').click();
    await page.waitForSelector('ul.filters li');
    await page.click('[data-tabs=translations] [data-tab="kql:sentinel-asim"]');
    const afterQuery = (await page.textContent('[data-tab-panel="kql:sentinel-asim"] pre.query'))!;
    assert.match(afterQuery, /HttpHost endswith "\.example\.xyz"/);
    assert.notEqual(afterQuery, before);
    const saved = readdirSync(join(rules, 'filters'));
    assert.equal(saved.length, 1);
    const text = readFileSync(join(rules, 'filters', saved[0]!), 'utf8');
    assert.match(text, new RegExp(SEED_PROXY_ID));
    assert.match(text, /\.example\.xyz/);
    await screenshot(page, 'rule-page-exclusion');
  });
});

test('the playground matches pasted events in the browser and shows why, with translations', { skip: noChromium }, async () => {
  const explorer = await startExplorer({ rules: [], hunts: [], port: 0, demo: false });
  try {
    const page = await newPage();
    await page.goto(`${base(explorer)}/playground`);
    await page.waitForFunction(() => document.querySelector('[data-testid=match-count]')?.textContent === '1');
    const events = [
      { 'c-useragent': 'Microsoft BITS/7.8', 'cs-host': 'a.example.top' },
      { 'c-useragent': 'Microsoft BITS/7.8', 'cs-host': 'b.example.net' },
      { 'c-useragent': 'Microsoft BITS/7.8', 'cs-host': 'c.example.zip' },
    ];
    await page.fill('textarea[name=events]', events.map((e) => JSON.stringify(e)).join('\n'));
    await page.waitForFunction(() => document.querySelector('[data-testid=match-count]')?.textContent === '2');
    assert.equal(await page.locator('.event[data-matched=true]').count(), 2);
    assert.match((await page.textContent('.event[data-matched=true] .why'))!, /c-useragent\|startswith/);
    // The event that does not match carries the condition tree quarry explain prints: the .net host is the false test.
    const tree = (await page.locator('.event[data-matched=false] [data-testid=explain-tree] pre.explain-tree').first().textContent({ timeout: 5000 }))!;
    assert.match(tree, /: not matched\n/);
    assert.match(tree, /\[false\] +cs-host[^\n]*\(event: "b\.example\.net"\)/);
    // A syntax error in the rule is reported at its line and column.
    await page.fill('textarea[name=rule]', 'title: broken\nlogsource:\n    category: proxy\ndetection:\n    selection:\n        a: b\n    condition: selection and\n');
    await page.waitForSelector('[data-section=playground-diagnostics] .diag-error');
    assert.match((await page.textContent('[data-section=playground-diagnostics]'))!, /\d+:\d+ error/);
    await page.goto(`${base(explorer)}/playground`);
    await page.waitForSelector('[data-tabs=playground-translations]');
    assert.match((await page.textContent('[data-tabs=playground-translations] pre.query'))!, /startswith "Microsoft BITS\/"/);
    // The query rendered in the page is validated by the server's Kusto language service.
    await page.waitForSelector('[data-tabs=playground-translations] [data-validation=ok]');
    await screenshot(page, 'playground');

    // A regex that backtracks exponentially in the browser's engine (and passes its guard) stalls
    // only the playground's worker: the page keeps answering, and the run is stopped at its budget.
    // The event holds the '!' the pattern cannot match without, so the engine's literal check lets
    // it through to the regex; at the start, the only match is found after every longer try.
    const evil = 'title: Backtracking\nlogsource:\n    category: proxy\ndetection:\n    selection:\n        c-uri|re: \'(.|.)*!\'\n    condition: selection\n';
    await page.fill('textarea[name=events]', JSON.stringify({ 'c-uri': '!' + 'a'.repeat(40) }));
    await page.fill('textarea[name=rule]', evil);
    const t0 = Date.now();
    await page.waitForTimeout(1000);
    // The page's own thread is free while the worker is stuck: an evaluation answers at once.
    const answered = Date.now();
    assert.equal(await page.evaluate(() => document.querySelector<HTMLTextAreaElement>('textarea[name=rule]')!.value.includes('(.|.)*!')), true);
    assert.ok(Date.now() - answered < 500, `the page took ${Date.now() - answered} ms to answer while the regex ran`);
    await page.waitForSelector('[data-testid=playground-timeout]', { timeout: 15000 });
    assert.match((await page.textContent('[data-testid=playground-timeout]'))!, /^Matching timed out after 3000 ms and was stopped/);
    assert.ok(Date.now() - t0 < 10000);
    await screenshot(page, 'playground-timeout');
    // A fresh worker takes the next input: a linear pattern matches again.
    await page.fill('textarea[name=rule]', evil.replace('(.|.)*!', '^!a+$'));
    await page.waitForFunction(() => document.querySelector('[data-testid=match-count]')?.textContent === '1');
  } finally {
    await explorer.close();
  }
});

test('hunt results of the demo hunt: by rule and level, timeline, drill-down, stack counts, one-click exclusion', { skip: noChromium }, async () => {
  // The bundled rules are copied so that the exclusion is written into a temporary folder.
  const prepare = (dir: string) => {
    cpSync('examples/rules', join(dir, 'examples'), { recursive: true });
    cpSync('rules/hardened', join(dir, 'hardened'), { recursive: true });
    return { rules: [join(dir, 'examples'), join(dir, 'hardened')], demo: true };
  };
  await withTempExplorer(prepare, async (explorer, dir) => {
    const page = await newPage();
    await page.goto(`${base(explorer)}/hunts`);
    await page.waitForSelector('[data-testid=detection-total]');
    const total = Number(await page.textContent('[data-testid=detection-total]'));
    assert.ok(total > 0, 'the demo hunt has detections');
    assert.ok(await page.isVisible('.timeline svg rect'));
    await page.click('.by-rule li[data-rule] button:has-text("BITS User Agent Requesting A Host Outside Common Top-Level Domains")');
    await page.waitForFunction(() => location.search.includes('rule='));
    await page.waitForFunction((t) => Number(document.querySelector('[data-testid=detection-total]')?.textContent) < t, total);
    const ruleTotal = Number(await page.textContent('[data-testid=detection-total]'));
    await page.click('tr.detection td:first-child');
    await page.waitForSelector('.event-fields');
    assert.match((await page.textContent('.event-fields'))!, /cs-host/);
    await page.fill('input[name=stack-field]', 'cs-host@tld');
    await page.click('[data-section=stack] button[type=submit]');
    await page.waitForSelector('.stack-table tbody tr');
    const rows = await page.$$eval('.stack-table tbody tr td:first-child', (els) => els.map((e) => e.textContent));
    assert.ok(rows.length > 0, 'stack rows');
    await screenshot(page, 'hunt-results');
    // One click excludes the first value: a Sigma filter is written and the detections say so.
    await page.click('.stack-table tbody tr:first-child button.exclude');
    await page.waitForSelector('tr.detection.excluded');
    assert.ok((await page.locator('tr.detection.excluded').count()) > 0 && (await page.locator('tr.detection.excluded').count()) <= ruleTotal);
    assert.equal(readdirSync(join(dir, 'examples', 'filters')).length, 1, 'the filter file sits next to the rule');
    await screenshot(page, 'hunt-results-excluded');
  });
});

test('ATT&CK coverage heatmap follows the catalog query and exports a Navigator layer', { skip: noChromium }, async () => {
  const explorer = await startExplorer({ rules: CORPUS, hunts: [], port: 0, demo: false });
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${base(explorer)}/coverage?product=windows`);
    await page.waitForSelector('.matrix-column');
    const tactics = await page.$$eval('.matrix-column h3', (els) => els.map((e) => e.textContent));
    assert.ok(tactics.includes('Stealth') && tactics.includes('Defense Impairment'), tactics.join(','));
    assert.ok((await page.locator('.cell.covered').count()) > 50);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Export ATT&CK Navigator layer')]);
    const layer = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { domain: string; techniques: Array<{ techniqueID: string; score: number }> };
    assert.equal(layer.domain, 'enterprise-attack');
    assert.ok(layer.techniques.some((t) => t.techniqueID === 'T1197' && t.score > 0));
    await screenshot(page, 'coverage');
  } finally {
    await explorer.close();
  }
});

test('hostile rule text is shown as text, never run', { skip: noChromium }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-explore-'));
  try {
    writeFileSync(
      join(dir, 'hostile.yml'),
      [
        'title: "<img src=x onerror=window.__pwned=1> hostile"',
        'id: 8b0d5c1e-2f51-4a8e-9f0e-1c2d3e4f5a6b',
        'status: test',
        'description: "<script>window.__pwned=2</script> description"',
        'logsource:',
        '    category: proxy',
        'detection:',
        '    selection:',
        '        c-uri|contains: "<script>"',
        '    condition: selection',
        'falsepositives:',
        '    - "<b onmouseover=alert(1)>x</b>"',
        'level: low',
        '',
      ].join('\n'),
    );
    const explorer = await startExplorer({ rules: [dir], hunts: [], port: 0, demo: false });
    try {
      const page = await newPage();
      await page.goto(`${base(explorer)}/rule/8b0d5c1e-2f51-4a8e-9f0e-1c2d3e4f5a6b`);
      await page.waitForSelector('[data-section=raw]');
      assert.equal(await page.textContent('h1'), '<img src=x onerror=window.__pwned=1> hostile');
      assert.match((await page.textContent('.description'))!, /^<script>window.__pwned=2<\/script> description$/);
      assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
      assert.equal(await page.locator('h1 img, .description script, .scenarios b').count(), 0);
      await screenshot(page, 'hostile-rule-escaped');
    } finally {
      await explorer.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
