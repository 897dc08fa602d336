// The rule cache's payload format (src/sigma/store-codec.ts) over every file of the SigmaHQ corpus
// (every folder: rules, deprecated, unsupported, the rejected and the legacy collections): each
// file's parse, as loading gives it and the rule cache keeps it (no YAML trees), comes back equal, with its keys, Map entries and shared
// objects as they were; and the whole store at once, as the rule cache writes it, too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseSigmaPaths } from '../../src/sigma/load.js';
import { decodeStore, encodeStore } from '../../src/sigma/store-codec.js';
import { DATA } from '../helpers.js';
import { assertSameGraph } from './same-graph.js';

const SIGMAHQ = join(DATA, 'sigmahq');
const FOLDERS = readdirSync(SIGMAHQ).map((f) => join(SIGMAHQ, f)).filter((p) => statSync(p).isDirectory());

test('every file of the corpus, parsed, comes back from the codec as it was', () => {
  const files = parseSigmaPaths(FOLDERS);
  assert.ok(files.length > 4000, `${files.length} files`);
  for (const f of files) {
    const back = decodeStore(encodeStore(f));
    assert.deepStrictEqual(back, f, f.file);
    assertSameGraph(f, back);
  }
});

test('the whole corpus as one store: the same entries, the shared objects shared', () => {
  const files = parseSigmaPaths(FOLDERS);
  const entries = new Map(files.map((f) => [f.file, ['hash', null, f]]));
  const store = { build: 'stamp', entries };
  const back = decodeStore(encodeStore(store));
  assert.deepStrictEqual(back, store);
  assertSameGraph(store, back);
});
