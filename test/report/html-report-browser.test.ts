// The HTML report of a hunt over the public EVTX samples, opened in Chromium as a hunter would open
// it: one file, nothing fetched, the timeline on a true time axis (the months without detections
// are empty), hosts and users, the per-rule counts and the detections with their explanations,
// a correlation among them. The screenshot is the README's (docs/images/hunt-report.png, refreshed
// with QUARRY_UPDATE_DOCS=1).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { DATA, REPO } from '../helpers.js';
import { launchBrowser, screenshot } from '../web/browser.js';
import { needs } from '../services.js';

const noChromium = needs('chromium');
const BUILTIN = join(DATA, 'sigmahq/rules/windows/builtin');
const BITS = join(DATA, 'evtx/bits');
let browser: Browser;

before(async () => {
  if (!noChromium) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('quarry hunt --format html: a self-contained report that Chromium renders with every section', { skip: noChromium }, async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'quarry-html-')), 'report.html');
  const r = spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), 'hunt',
    '--rules', join(BUILTIN, 'system'), '--rules', join(BUILTIN, 'security/account_management/win_security_pass_the_hash_2.yml'), '--rules', join(BUILTIN, 'win_alert_mimikatz_keywords.yml'), '--rules', join(REPO, 'examples/correlations'),
    '--format', 'html', '--output', file, '--quiet',
    join(DATA, 'evtx/windows'), join(BITS, 'mdec-security-4688-bitsadmin-transfer.evtx'), join(BITS, 'mdec-bits-job-created-eid3-4-59-60-310.evtx'), join(BITS, 'mdec-bits-high-volume-download-eid3-5-59-60.evtx'),
  ], { encoding: 'utf8', cwd: REPO });
  assert.equal(r.status, 0, r.stderr);
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  const fetched: string[] = [];
  page.on('request', (q) => void (q.url().startsWith('file:') || fetched.push(q.url())));
  const errors: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  await page.goto(pathToFileURL(file).href);
  assert.deepEqual(fetched, [], 'nothing fetched: the report is one file');
  assert.deepEqual(errors, []);
  assert.equal(await page.title(), 'Quarry hunt report: 100 detections');
  // per level
  assert.deepEqual(await page.locator('.card').allInnerTexts(), ['99\nHigh', '1\nMedium']);
  // the timeline: one bar per week from December 2020 to October 2021, with empty weeks between
  const svg = page.locator('svg.timeline');
  assert.match((await svg.getAttribute('aria-label'))!, /^detections per week, 2020-12-17T00:00:00\.000Z to 2021-10-28T00:00:00\.000Z$/);
  const bars = await page.locator('svg.timeline rect title').allTextContents();
  assert.ok(bars.length >= 5 && bars.length < 45, `${bars.length} weeks with detections out of 45`);
  assert.ok(!bars.some((b) => b.startsWith('2021-07')), 'July 2021 had no detection and draws no bar');
  // hosts and users
  const hosts = await page.locator('section.two table').first().locator('tbody tr').allInnerTexts();
  assert.equal(hosts[0], 'FS03.offsec.lan\t90');
  // rules and the correlation among them
  const rules = await page.locator('section:has(h2:text-matches("^Rules")) tbody tr').allInnerTexts();
  assert.ok(rules.some((t) => /Important Windows Eventlog Cleared/.test(t) && /\t90\t/.test(t)), rules.join('\n'));
  assert.ok(rules.some((t) => /Bitsadmin Started Then A BITS Transfer On The Same Host \(correlation\)/.test(t)));
  // the detections explain themselves; a rule that fired 90 times is listed 50 times and counted whole
  const corr = page.locator('article.det', { hasText: 'Bitsadmin Started Then A BITS Transfer' });
  assert.match(await corr.innerText(), /Correlation temporal_ordered: 2 \(all of bitsadmin_process, bits_transfer_started\) by Computer=jump01\.offsec\.lan/);
  const pth = page.locator('article.det', { hasText: 'Pass the Hash Activity 2' });
  assert.match(await pth.innerText(), /RecordID\s+436742/);
  assert.match(await pth.innerText(), /selection_logon3: LogonType = 3 \(event: 3\)/);
  assert.equal(await page.locator('article.det', { hasText: 'Important Windows Eventlog Cleared' }).count(), 50);
  assert.match(await page.locator('section:has(h2:text("Detections")) .note').innerText(), /60 of 100 listed: at most 50 per rule/);
  const shot = await screenshot(page, 'hunt-report');
  // the README's copy is refreshed on request, as docs/diagnostics.md is (a test run leaves git clean)
  if (process.env.QUARRY_UPDATE_DOCS) copyFileSync(shot, join(REPO, 'docs/images/hunt-report.png'));
  await page.close();
});
