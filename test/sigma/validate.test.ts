import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { listRuleFiles, parseSigmaText, loadSigmaPaths } from '../../src/sigma/load.js';
import { codes, DATA } from '../helpers.js';

const GOOD = `title: Whoami Execution
id: 0b4a9bb9-5f0f-4d6a-9c8e-1f0b7c1f2a3b
status: test
description: Detects whoami.exe
author: Quarry tests
date: 2026-01-02
modified: 2026-02-03
tags:
    - attack.discovery
    - attack.t1033
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\\whoami.exe'
    condition: selection
level: low
custom_field: kept
`;

const diagsOf = (text: string) => parseSigmaText(text, 'r.yml').documents.flatMap((d) => d.diagnostics);

test('a valid rule loads with every attribute and keeps custom attributes', () => {
  const parsed = parseSigmaText(GOOD, 'r.yml');
  const doc = parsed.documents[0]!.document!;
  assert.equal(parsed.documents[0]!.diagnostics.length, 0);
  assert.equal(doc.kind, 'rule');
  assert.equal(doc.title, 'Whoami Execution');
  assert.deepEqual(doc.tags, ['attack.discovery', 'attack.t1033']);
  assert.deepEqual(doc.custom, { custom_field: 'kept' });
  if (doc.kind === 'rule') assert.deepEqual(doc.logsource, { category: 'process_creation', product: 'windows' });
});

test('a custom attribute named __proto__ is kept as an attribute, at the top and nested, and leaves prototypes alone', () => {
  const text = GOOD.replace('custom_field: kept', '__proto__:\n    polluted: yes\nnested:\n    __proto__: 3');
  assert.notEqual(text, GOOD);
  const doc = parseSigmaText(text, 'r.yml').documents[0]!.document!;
  assert.equal(Object.getPrototypeOf(doc.custom), Object.prototype);
  assert.deepEqual(Object.keys(doc.custom), ['__proto__', 'nested']);
  assert.equal((doc.custom as Record<string, unknown>).polluted, undefined);
  assert.equal(JSON.stringify(doc.custom), '{"__proto__":{"polluted":"yes"},"nested":{"__proto__":3}}');
});

test('a FIFO among the rules is refused at once, not waited on, and the rules beside it load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-fifo-'));
  writeFileSync(join(dir, 'good.yml'), GOOD);
  execFileSync('mkfifo', [join(dir, 'pipe.yml')]); // nobody ever writes to it: a blocking open would hang the test
  const col = loadSigmaPaths([dir]);
  assert.equal(col.rules.length, 1);
  assert.deepEqual(col.rejected.map((r) => [r.file.endsWith('pipe.yml'), r.diagnostics.map((d) => d.code)]), [[true, ['not-a-file']]]);
});

test('a multi-document file keeps each document\'s own lines as its source', () => {
  const text = `# a comment before\n${GOOD}\n---\n${GOOD.replace('Whoami Execution', 'Second')}`;
  const col = parseSigmaText(text, 'two.yml');
  const sources = col.documents.map((d) => d.document?.source);
  // The comment before the first document is not its text; a later document's starts at its marker.
  assert.deepEqual(sources, [GOOD, `---\n${GOOD.replace('Whoami Execution', 'Second')}`]);
});

test('listed paths are spelled as path.join spells them, however the folder was given', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-list-'));
  mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
  writeFileSync(join(dir, 'a.yml'), GOOD);
  writeFileSync(join(dir, 'sub', 'b.yml'), GOOD);
  writeFileSync(join(dir, 'sub', 'deeper', 'c.yaml'), GOOD);
  const expected = (root: string) => [join(root, 'a.yml'), join(root, 'sub', 'b.yml'), join(root, 'sub', 'deeper', 'c.yaml')];
  const cwd = process.cwd();
  try {
    process.chdir(dir);
    for (const given of ['.', './', 'sub/..', 'sub/../', dir, `${dir}/`, `${dir}//sub/../`]) assert.deepEqual(listRuleFiles([given]).files, expected(given), given);
    assert.deepEqual(listRuleFiles(['./sub/']).files, [join('./sub/', 'b.yml'), join('./sub/', 'deeper', 'c.yaml')]);
  } finally {
    process.chdir(cwd);
  }
});

test('metadata checks: required, enums, UUIDs, dates, tags — each located', () => {
  const table: Array<[string, string, string, number]> = [
    ['title: Whoami Execution\n', '', 'missing-title', 1],
    ['status: test\n', 'status: testing\n', 'invalid-status', 3],
    ['level: low\n', 'level: severe\n', 'invalid-level', 18],
    ['id: 0b4a9bb9-5f0f-4d6a-9c8e-1f0b7c1f2a3b\n', 'id: not-a-uuid\n', 'invalid-id', 2],
    ['date: 2026-01-02\n', 'date: 2026-13-02\n', 'invalid-date', 6],
    ['date: 2026-01-02\n', 'date: 2026/01/02\n', 'legacy-date-format', 6],
    ['    - attack.t1033\n', '    - Attack T1033\n', 'invalid-tag', 10],
    ['modified: 2026-02-03\n', 'modified: 2025-02-03\n', 'modified-before-date', 7],
  ];
  for (const [from, to, code, line] of table) {
    const d = diagsOf(GOOD.replace(from, to)).filter((x) => x.code === code);
    assert.equal(d.length, 1, code);
    assert.equal(d[0]!.line, line, code);
  }
});

test('broken YAML is one located error and the other rules in the folder still load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-rules-'));
  writeFileSync(join(dir, 'a_good.yml'), GOOD);
  writeFileSync(join(dir, 'b_broken.yml'), GOOD.replace("        Image|endswith: '\\whoami.exe'", "        Image|endswith: '\\whoami.exe'\n      bad: [unclosed"));
  writeFileSync(join(dir, 'c_unknown_modifier.yml'), GOOD.replace('Image|endswith', 'Image|endswith|base65'));
  writeFileSync(join(dir, 'd_undefined.yml'), GOOD.replace('condition: selection', 'condition: selection and not filter'));
  const col = loadSigmaPaths([dir]);
  assert.equal(col.rules.length, 1);
  assert.equal(col.rejected.length, 3);
  const byFile = Object.fromEntries(col.rejected.map((r) => [r.file.split('/').pop(), r.diagnostics.filter((d) => d.severity === 'error')]));
  assert.equal(byFile['b_broken.yml']!.length, 1);
  assert.match(byFile['b_broken.yml']![0]!.code, /^yaml-/);
  assert.deepEqual(codes(byFile['c_unknown_modifier.yml']!), ['unknown-modifier']);
  assert.deepEqual([byFile['c_unknown_modifier.yml']![0]!.line, byFile['c_unknown_modifier.yml']![0]!.col], [16, 9]);
  assert.deepEqual(codes(byFile['d_undefined.yml']!), ['undefined-identifier']);
  assert.deepEqual([byFile['d_undefined.yml']![0]!.line, byFile['d_undefined.yml']![0]!.col], [17, 34]);
});

test('a rule pasted from a web page with its indentation lost gets one clear error', () => {
  const seed = readFileSync(resolve(DATA, '../seeds/004_bc429e85a039ed1b.txt'), 'utf8');
  const start = seed.indexOf('title: Bitsadmin to Uncommon TLD');
  const end = seed.indexOf('level: high', start) + 'level: high'.length;
  const pasted = seed.slice(start, end) + '\n';
  const errors = diagsOf(pasted).filter((d) => d.severity === 'error');
  assert.deepEqual(codes(errors), ['flattened-indentation']);
  assert.equal(errors[0]!.line, pasted.split('\n').findIndex((l) => l.startsWith('detection:')) + 1);
});

test('null inside a value list and the old aggregation syntax are rejected with their reason', () => {
  assert.deepEqual(codes(diagsOf(GOOD.replace("Image|endswith: '\\whoami.exe'", "Image:\n            - 'a'\n            - null")), 'error'), ['null-in-list']);
  assert.deepEqual(codes(diagsOf(GOOD.replace('condition: selection', 'condition: selection | count() by Computer > 5')), 'error'), ['aggregation-syntax']);
});

test('multi-document files: v1 collections (action: global) expand into rules; plain documents load each', () => {
  const collection = `action: global
title: Two Tools
logsource:
    category: process_creation
    product: windows
detection:
    condition: selection
level: high
---
detection:
    selection:
        Image|endswith: '\\a.exe'
---
detection:
    selection:
        Image|endswith: '\\b.exe'
`;
  const docs = parseSigmaText(collection, 'c.yml').documents;
  assert.equal(docs.length, 2);
  for (const d of docs) {
    assert.deepEqual(d.diagnostics.filter((x) => x.severity === 'error'), []);
    assert.equal(d.document?.title, 'Two Tools');
  }
  const two = parseSigmaText(GOOD + '---\n' + GOOD.replace('Whoami', 'Other'), 'm.yml').documents;
  assert.deepEqual(two.map((d) => d.document?.title), ['Whoami Execution', 'Other Execution']);
});

test('filters and correlations are recognised and validated', () => {
  const filter = `title: Filter admin accounts
logsource:
    category: process_creation
    product: windows
filter:
    rules:
        - 0b4a9bb9-5f0f-4d6a-9c8e-1f0b7c1f2a3b
    selection:
        User|startswith: 'adm_'
    condition: selection
`;
  const f = parseSigmaText(filter, 'f.yml').documents[0]!;
  assert.equal(f.document?.kind, 'filter');
  assert.deepEqual(f.diagnostics, []);
  const corr = `title: Many whoami
correlation:
    type: event_count
    rules:
        - 0b4a9bb9-5f0f-4d6a-9c8e-1f0b7c1f2a3b
    group-by:
        - Computer
    timespan: 5m
    condition:
        gte: 10
level: high
`;
  const c = parseSigmaText(corr, 'c.yml').documents[0]!;
  assert.equal(c.document?.kind, 'correlation');
  assert.deepEqual(c.diagnostics, []);
  if (c.document?.kind === 'correlation') assert.equal(c.document.correlation.timespanMs, 300_000);
  const bad = parseSigmaText(corr.replace('timespan: 5m', 'timespan: 5 minutes').replace('event_count', 'event_sum'), 'c.yml').documents[0]!;
  assert.deepEqual(codes(bad.diagnostics, 'error').sort(), ['invalid-correlation-type', 'invalid-timespan']);
});
