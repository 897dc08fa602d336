// The server side of the explorer's triage items: a tuned rule's condition text, detections sorted by
// a column (blanks last), the triage columns of Windows and proxy events, DuckDB's own check of SQL,
// technique names in catalog search, coverage counting rules only, and the rule page's extra scenarios.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { renameConditionText, applyFilters } from '../../src/sigma/apply-filters.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { parseSigmaText } from '../../src/sigma/collection.js';
import { sortDetections, triageColumns } from '../../src/server/triage-columns.js';
import { quotedNames, validateDuckdb } from '../../src/backends/sql/validate-duckdb.js';
import { translateRule, checkTranslations } from '../../src/server/translations.js';
import { catalogEntries } from '../../src/catalog/entry.js';
import { buildIndex, search } from '../../src/catalog/search.js';
import { coverageMatrix } from '../../src/catalog/coverage.js';
import { bundledAttack } from '../../src/catalog/attack.js';
import { generalScenarios } from '../../src/server/scenarios.js';
import { DATA } from '../helpers.js';
import type { StoredDetection } from '../../src/hunt/detection.js';

const BITS = join(DATA, 'sigmahq', 'rules', 'windows', 'builtin', 'bits_client');

test('a filter\'s identifiers are renamed in the tuned condition text as in its tree', () => {
  assert.equal(renameConditionText('selection', '_filter0_'), '_filter0_selection');
  assert.equal(renameConditionText('1 of them', '_filter0_'), '1 of _filter0_*');
  assert.equal(renameConditionText('all of filter_* and not (a or them)', '_f1_'), 'all of _f1_filter_* and not (_f1_a or _f1_them)');
  const rule = parseSigmaText('title: r\nid: 11111111-1111-4111-8111-111111111111\nlogsource:\n    category: proxy\ndetection:\n    selection:\n        c-useragent: x\n    condition: selection\n', 'r.yml').documents[0]!.document!;
  const filter = parseSigmaText('title: f\nlogsource:\n    category: proxy\nfilter:\n    rules:\n        - 11111111-1111-4111-8111-111111111111\n    selection:\n        cs-host: a.example\n    condition: selection\n', 'f.yml').documents[0]!.document!;
  assert.ok(rule.kind === 'rule' && filter.kind === 'filter');
  assert.deepEqual(applyFilters(rule, [filter]).rule.conditionText, ['(selection) and not (_filter0_selection)']);
});

const det = (timestamp: string | undefined, event: Record<string, unknown>, level = 'high'): { r: StoredDetection } => ({ r: { rule: { title: 't', level, path: 'p' }, timestamp, event, matched: [], source: { file: 'f' } } as unknown as StoredDetection });

test('triage columns and sorting: Windows fields, proxy client, blanks last both ways', () => {
  assert.deepEqual(triageColumns(det(undefined, { Computer: 'WS-1', Channel: 'Security', EventID: 1102, SubjectUserName: 'alice' }).r), { host: 'WS-1', user: 'alice', channel: 'Security', eventId: '1102' });
  assert.deepEqual(triageColumns(det(undefined, { 'c-ip': '10.0.0.5', 'cs-host': 'a.xyz' }).r), { host: '10.0.0.5', user: null, channel: null, eventId: null });
  const rows = [det('2026-01-02T00:00:00Z', { EventID: 16403 }), det(undefined, {}), det('2026-01-01T00:00:00Z', { EventID: 4688 }), det('2025-12-31T00:00:00Z', { EventID: 59 })];
  assert.deepEqual(sortDetections(rows, 'eventId').map((x) => (x.r.event as { EventID?: number }).EventID), [59, 4688, 16403, undefined]);
  assert.deepEqual(sortDetections(rows, '-eventId').map((x) => (x.r.event as { EventID?: number }).EventID), [16403, 4688, 59, undefined]);
  assert.deepEqual(sortDetections(rows, 'time').map((x) => x.r.timestamp), ['2025-12-31T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', undefined]);
});

test('DuckDB checks the SQL translation itself; a broken query gets DuckDB\'s error', async () => {
  assert.deepEqual(quotedNames(`SELECT * FROM events WHERE "a""b" = 'x"y' AND "EventID" = '1'`), ['a"b', 'EventID']);
  const col = loadSigmaPaths([BITS]);
  const rule = col.rules.find((r) => r.id === '6d44fb93-e7d2-475c-9d3d-54c9c1e33427')!;
  const ts = translateRule(rule, col.filters, { check: false });
  assert.ok(ts.every((t) => t.check === undefined), 'unchecked when asked');
  assert.ok(ts.some((t) => t.label === 'DuckDB SQL') && ts.some((t) => t.label === 'KQL · sentinel-event'));
  const checks = await checkTranslations(ts);
  assert.equal(checks['sql:none']!.ok, true, JSON.stringify(checks['sql:none']));
  assert.match(checks['sql:none']!.validator, /DuckDB/);
  const bad = await validateDuckdb(`SELECT * FROM events WHERE regexp_full_match("EventID")`);
  assert.equal(bad.ok, false);
  assert.match(bad.problems[0]!, /regexp_full_match/);
});

test('technique names are searchable; coverage counts rules, not filter files; v19 names', () => {
  const attack = bundledAttack();
  assert.equal(attack.techniques['T1685']!.name, 'Disable or Modify Tools');
  const col = loadSigmaPaths([BITS]);
  const filter = parseSigmaText('title: f\nlogsource:\n    product: windows\nfilter:\n    rules:\n        - 6d44fb93-e7d2-475c-9d3d-54c9c1e33427\n    selection:\n        RemoteName|contains: x\n    condition: selection\n', 'f.yml').documents[0]!.document!;
  const entries = catalogEntries([...col.rules, filter], { label: 'bits', dir: BITS }, attack);
  const index = buildIndex(entries);
  const hits = search(index, { text: 'BITS Jobs', filters: {}, sort: 'relevance' }).hits.map((i) => entries[i]!);
  const tagged = entries.filter((e) => e.techniques.includes('T1197'));
  assert.ok(tagged.length > 0);
  for (const e of tagged) assert.ok(hits.includes(e), `${e.title} found by its technique's name`);
  // The filter file is in the catalog but not a rule of the coverage.
  entries[entries.length - 1]!.techniques = ['T1197'];
  const m = coverageMatrix(entries, attack);
  const t1197 = m.tactics.flatMap((t) => t.techniques).find((t) => t.id === 'T1197')!;
  assert.equal(t1197.count, tagged.length);
});

test('general scenarios follow the fields: host names for a host field, management agents for an image', () => {
  const host = generalScenarios(['c-useragent', 'cs-host']);
  assert.equal(host.length, 3);
  assert.deepEqual(host[0]!.exclusion, { field: 'cs-host', modifier: 'endswith', values: ['.test', '.example', '.invalid', '.localhost'], basis: 'filter', reason: 'exclude cs-host ending with a reserved test name' });
  const seen = generalScenarios(['cs-host'], () => ['cdn.vendor.example']);
  assert.deepEqual(seen[2]!.exclusion.values, ['cdn.vendor.example']);
  assert.equal(seen[2]!.exclusion.modifier, undefined, 'seen values are whole hosts: equals');
  assert.deepEqual(generalScenarios(['Image', 'CommandLine']).map((s) => s.exclusion.field), ['ParentImage']);
  assert.deepEqual(generalScenarios(['CommandLine']), []);
});
