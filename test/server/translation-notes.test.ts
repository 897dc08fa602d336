// Conversion notes reach the explorer: a rule page's translations carry the notes the backend wrote
// (KQL cannot tell an empty value from a missing one), so the page can show them under the query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateRule } from '../../src/server/translations.js';
import { parseRule, ruleWith } from '../helpers.js';

test('a KQL translation of a null test carries its note; SQL, which tells them apart, carries none', () => {
  const { rule } = parseRule(ruleWith("selection:\n    CommandLine|contains: whoami\nfilter:\n    ParentImage: null\ncondition: selection and not filter"));
  const ts = translateRule(rule!, []);
  const kql = ts.find((t) => t.target === 'kql' && t.pipeline === 'sentinel-windowsevent');
  assert.ok(kql?.ok, kql?.error);
  assert.ok(kql.notes?.length, 'KQL has a note');
  assert.match(kql.notes!.join(' '), /empty|missing/i);
  const sql = ts.find((t) => t.target === 'sql');
  assert.ok(sql?.ok);
  assert.equal(sql.notes, undefined);
});
