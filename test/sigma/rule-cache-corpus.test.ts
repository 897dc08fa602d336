// The rule cache over the whole SigmaHQ corpus (every folder, unsupported/ and other/ included, so
// that rejected documents, legacy collections and warnings are covered): a load from the cache equals
// the plain load, rule for rule, diagnostic for diagnostic, position for position.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { RuleCache } from '../../src/sigma/rule-cache.js';
import { DATA } from '../helpers.js';

const SIGMAHQ = join(DATA, 'sigmahq');
const dir = mkdtempSync(join(tmpdir(), 'quarry-cache-corpus-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the whole corpus from the cache equals the plain load', () => {
  const folders = readdirSync(SIGMAHQ).map((f) => join(SIGMAHQ, f)).filter((p) => statSync(p).isDirectory());
  const plain = loadSigmaPaths(folders);
  const filling = new RuleCache(dir, folders);
  assert.deepEqual(loadSigmaPaths(folders, { cache: filling }), plain);
  assert.equal(filling.stats.written, true);
  const reading = new RuleCache(dir, folders);
  const cached = loadSigmaPaths(folders, { cache: reading });
  assert.equal(reading.stats.hits, plain.files);
  assert.ok(plain.rules.length > 3900 && plain.rejected.length > 50 && plain.diagnostics.length > 100, `${plain.rules.length} rules, ${plain.rejected.length} rejected, ${plain.diagnostics.length} diagnostics`);
  assert.deepEqual(cached, plain);
});
