import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readEvtxAll } from '../../src/sources/evtx/index.js';
import { DATA, parseConcatenatedJson } from './helpers.js';

// Each .evtx under sigma-regression/ has a JSON twin written by the evtx crate's evtx_dump -o json.
const root = path.join(DATA, 'sigma-regression');
const cases: Array<{ name: string; evtx: string; json: string }> = [];
for (const d of readdirSync(root).sort()) {
  const dir = path.join(root, d);
  if (!statSync(dir).isDirectory()) continue;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.evtx'))) {
    cases.push({ name: d, evtx: path.join(dir, f), json: path.join(dir, f.replace(/\.evtx$/, '.json')) });
  }
}

test('sigma-regression has EVTX files with JSON twins', () => {
  assert.ok(cases.length >= 40, `found ${cases.length}`);
});

for (const c of cases) {
  test(`JSON twin: ${c.name}`, async () => {
    const expected = parseConcatenatedJson(readFileSync(c.json, 'utf8'));
    const { records, errors } = await readEvtxAll(c.evtx, { workers: 0 });
    assert.deepEqual(errors, []);
    // round-trip through JSON text like the twin did (drops undefined, normalizes numbers)
    assert.deepStrictEqual(JSON.parse(JSON.stringify(records.map((r) => r.event))), expected);
  });
}
