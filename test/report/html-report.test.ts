// The HTML report without a browser: log content is escaped (an event value cannot inject markup),
// no script or outside resource, the listing capped per rule while the counts stay whole, and the
// timeline spanning a true time range (a year apart: empty buckets between, not two adjacent bars).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HuntDetection } from '../../src/hunt/detection.js';
import { HtmlReport } from '../../src/report/html-report.js';

const d = (i: number, over: Partial<HuntDetection> = {}): HuntDetection => ({
  rule: { id: 'r1', title: 'Suspicious Thing', level: 'high', path: 'r.yml', tags: ['attack.t1059.001'] },
  source: { file: 'Security.evtx', record: i },
  timestamp: new Date(Date.UTC(2021, 0, 1, 0, i)).toISOString(),
  event: { Computer: 'ws1', Channel: 'Security', EventID: 4688, EventRecordID: 1000 + i, SubjectUserName: 'alice', CommandLine: `run ${i}` },
  matched: [{ selection: 'selection', field: 'CommandLine', modifiers: ['contains'], value: '*run*', eventValue: `run ${i}` }],
  ...over,
});

test('log content is escaped; the file has no script and forbids outside resources', () => {
  const r = new HtmlReport({ rules: 'rules/', inputs: ['Security.evtx'] });
  const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
  r.add(d(1, { event: { Computer: evil, CommandLine: evil }, matched: [{ selection: 'sel', field: 'CommandLine', modifiers: [], value: '*', eventValue: evil }] }));
  const html = r.render({ completed: true, started: 'a', finished: 'b', events: 1, detections: 1, problems: 0 });
  assert.ok(!/<script|<img/i.test(html), 'no markup from the log');
  assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
});

test('every detection is counted; each rule lists at most its cap; the timeline spans the real range', () => {
  const r = new HtmlReport({ rules: 'rules/', inputs: ['Security.evtx'], perRuleListed: 3 });
  for (let i = 0; i < 10; i++) r.add(d(i));
  r.add(d(11, { rule: { title: 'Rare Thing', level: 'critical', path: 'q.yml', tags: [] }, timestamp: '2022-01-01T00:00:00Z' }));
  const html = r.render();
  assert.equal(html.match(/<article class="det">/g)?.length, 4, '3 of the frequent rule, 1 of the rare one');
  assert.match(html, /<td class="n">10<\/td><td>Suspicious Thing <small>\(3 listed below\)<\/small>/);
  assert.match(html, /4 of 11 listed: at most 3 per rule/);
  assert.match(html, /aria-label="detections per week, 2020-12-31T00:00:00\.000Z to 2022-01-06T00:00:00\.000Z"/);
  assert.equal(html.match(/<rect /g)?.length, 2, 'two weeks with detections, the 51 between them empty');
  assert.match(html, /<td>ws1<\/td><td class="n">11<\/td>/, 'top hosts');
  assert.match(html, /<td>alice<\/td><td class="n">11<\/td>/, 'top users');
});
