// The library entry (`import … from 'quarry'`): what the CLI does, from a program, through the
// same one path and detector: load, prepare, detect, convert, with type declarations beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helpers.js';
import * as quarry from '../src/index.js';

test('the library loads the bundled rules, detects on an event and converts through the same path', () => {
  const col = quarry.loadSigmaPaths([join(REPO, 'examples/rules')]);
  assert.ok(col.rules.length >= 8);
  const book = quarry.createRulebook(col, { pipelines: [quarry.builtinPipeline('windows')!], regex: quarry.re2Regex });
  const detector = new quarry.Detector(book.base.set, { regex: quarry.re2Regex });
  const hit = detector.next({ Channel: 'Security', EventID: 1102, Computer: 'dc1' });
  assert.deepEqual(hit.matches.map((m) => m.rule.ir.rule.title), ['Security Event Log Cleared']);
  assert.equal(hit.routing, 'windows');
  const kql = quarry.convertCollection(col, quarry.TARGETS.kql!.backend, quarry.targetPipelineChain('kql', 'sentinel-securityevent'));
  const cleared = kql.find((c) => c.document.title === 'Security Event Log Cleared')!;
  assert.ok(cleared.result.ok);
  assert.match(cleared.result.ok ? cleared.result.query : '', /EventID == 1102/);
  assert.equal(quarry.VALIDATORS.kql!(cleared.result.ok ? cleared.result.query : '').ok, true);
});

test('package.json points at the compiled entry and its type declarations', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { main: string; types: string };
  assert.ok(existsSync(join(REPO, pkg.main)), pkg.main);
  assert.ok(existsSync(join(REPO, pkg.types)), pkg.types);
  assert.match(readFileSync(join(REPO, pkg.types), 'utf8'), /convertCollection/);
});
