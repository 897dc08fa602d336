// The fast YAML reader (src/sigma/yaml-fast.ts) over every YAML file of the SigmaHQ corpus: where it
// reads a file, its tree equals the `yaml` package's, node for node, position for position, value for
// value and problem for problem; the only files it leaves to the full parser hold several documents
// (the legacy `action: global` collections), so a cold load of the rules never needs the `yaml` package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fastYamlDocument } from '../../src/sigma/yaml-fast.js';
import { loadYamlDocumentsFully } from '../../src/sigma/yaml-tree.js';
import { DATA } from '../helpers.js';

const SIGMAHQ = join(DATA, 'sigmahq');

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/i.test(e.name)) out.push(p);
  }
  return out;
}

test('the fast reader gives the full parser\'s tree for every corpus file it reads, and reads all but multi-document files', () => {
  const files = readdirSync(SIGMAHQ, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => yamlFiles(join(SIGMAHQ, e.name)));
  assert.ok(files.length > 4000, `${files.length} files`);
  const left: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8').replace(/^\uFEFF/, '');
    const fast = fastYamlDocument(text);
    if (!fast) {
      left.push(f);
      continue;
    }
    assert.deepEqual([fast], loadYamlDocumentsFully(text), f);
  }
  // 4,037 of 4,041 today. Files it once left for a comment holding ': ' after an item, an integer
  // with leading zeros, a plain scalar starting with ':', a condition on the lines below its key or
  // a tab in a comment are read now; a single-document rule it leaves again is a regression.
  const single = left.filter((f) => !/^---/m.test(readFileSync(f, 'utf8')));
  assert.deepEqual(single, [], 'single-document files left to the full parser');
  assert.ok(left.length <= 10, `the fast reader left ${left.length} of ${files.length} files`);
});
