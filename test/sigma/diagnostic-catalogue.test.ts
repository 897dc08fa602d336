// The catalogue of diagnostic codes, case by case: each code produced from a small rule, pipeline or
// file, with its severity, start and (exclusive) end; and every code in the catalogue either has a
// case here or a written reason why no text can produce it. The cases cover pipelines and the CLI's
// pipeline resolution too, because the catalogue does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { addParsedFile, checkCollection, emptyCollection, loadSigmaPaths, parseSigmaText } from '../../src/sigma/load.js';
import { DIAGNOSTIC_CODES, type DiagnosticCode } from '../../src/sigma/diagnostic-codes.js';
import type { Diagnostic, Severity } from '../../src/sigma/diagnostics.js';
import { parsePipelineYaml } from '../../src/pipeline/parse.js';
import { resolvePipelines } from '../../src/pipeline/resolve.js';

interface Case {
  code: DiagnosticCode;
  severity: Severity;
  /** `line:col-endLine:endCol`, 1-based, end exclusive. */
  span: string;
  /** What produces it: a rule text, a text checked as a collection, a pipeline text, paths to load, --pipeline arguments. */
  rule?: string;
  collection?: string;
  pipeline?: string;
  paths?: string[];
  pipelineArgs?: string[];
}

const RULE = `title: T
id: 11111111-2222-4333-8444-555555555555
status: test
logsource:
    product: windows
detection:
    sel:
        Image: x
    condition: sel
level: low
`;
const files = mkdtempSync(join(tmpdir(), 'quarry-catalogue-'));
/** A rule file on disk with exactly these bytes. */
function ruleFile(name: string, bytes: Buffer): string {
  writeFileSync(join(files, name), bytes);
  return join(files, name);
}

/** The base rule with its one selection line replaced (lines are indented by the caller). */
const sel = (lines: string) => RULE.replace('        Image: x\n', lines + '\n');
const swap = (from: string, to: string) => {
  assert.ok(RULE.includes(from), from);
  return RULE.replace(from, to);
};

/** Paths that a rule tree can hold and that no rule text can produce: a link loop, an oversized file. */
const TREE = mkdtempSync(join(tmpdir(), 'quarry-catalogue-'));
mkdirSync(join(TREE, 'loop'));
symlinkSync('..', join(TREE, 'loop', 'back'));
writeFileSync(join(TREE, 'huge.yml'), '');
truncateSync(join(TREE, 'huge.yml'), 5 * 1024 * 1024); // sparse: its size is checked before any read

const CORRELATION = `title: C
correlation:
    type: event_count
    rules:
        - 11111111-2222-4333-8444-555555555555
    group-by:
        - Computer
    timespan: 5m
    condition:
        gte: 10
level: high
`;
const corr = (from: string, to: string) => {
  assert.ok(CORRELATION.includes(from), from);
  return CORRELATION.replace(from, to);
};

const FILTER = `title: F
logsource:
    product: windows
filter:
    rules:
        - 11111111-2222-4333-8444-555555555555
    sel:
        User: x
    condition: sel
`;
const filt = (from: string, to: string) => {
  assert.ok(FILTER.includes(from), from);
  return FILTER.replace(from, to);
};

const PIPELINE = `name: p
transformations:
  - id: a
    type: field_name_prefix
    prefix: x.
`;
const pipe = (from: string, to: string) => {
  assert.ok(PIPELINE.includes(from), from);
  return PIPELINE.replace(from, to);
};
/** The base pipeline's item with extra keys (indented by 4). */
const item = (lines: string) => PIPELINE + lines.replace(/^/gm, '    ') + '\n';

const E = 'error';
const W = 'warning';

const CASES: Case[] = [
  // YAML
  { code: 'yaml-syntax', severity: E, span: '11:1-11:2', rule: sel("        Image: 'x") },
  { code: 'yaml-too-deep', severity: E, span: '1:68-1:72', rule: `a: ${'['.repeat(66)}${']'.repeat(66)}\n` },
  { code: 'yaml-alias', severity: E, span: '2:4-2:6', rule: 'a: &x 1\nb: *x\n' },
  { code: 'yaml-complex-key', severity: E, span: '1:3-1:6', rule: '? [a]\n: 1\n' },
  { code: 'duplicate-key', severity: E, span: '11:1-11:6', rule: RULE + 'level: high\n' },

  // Files
  { code: 'unreadable', severity: E, span: '1:1-1:1', paths: [join(tmpdir(), 'quarry-no-such-folder', 'r.yml')] },
  { code: 'link-loop', severity: E, span: '1:1-1:1', paths: [join(TREE, 'loop')] },
  { code: 'not-a-file', severity: E, span: '1:1-1:1', paths: ['/dev/null'] },
  { code: 'file-too-large', severity: E, span: '1:1-1:1', paths: [join(TREE, 'huge.yml')] },
  { code: 'not-utf8', severity: W, span: '1:11-1:11', paths: [ruleFile('latin1.yml', Buffer.from(RULE.replace('title: T', 'title: Caf\xe9 rule'), 'latin1'))] },
  { code: 'empty-file', severity: W, span: '1:1-1:1', paths: [ruleFile('empty.yml', Buffer.alloc(0))] },
  { code: 'unknown-pipeline', severity: E, span: '1:1-1:1', pipelineArgs: ['quarry-no-such-pipeline'] },

  // Document attributes
  { code: 'not-a-map', severity: E, span: '1:1-2:4', rule: '- a\n- b\n' },
  { code: 'flattened-indentation', severity: E, span: '6:1-6:10', rule: swap('detection:\n    sel:\n        Image: x\n    condition: sel\n', 'detection:\nsel:\nImage: x\ncondition: sel\n') },
  { code: 'missing-title', severity: E, span: '1:1-1:6', rule: swap('title: T', 'title:') },
  { code: 'invalid-type', severity: E, span: '1:8-1:11', rule: swap('title: T', 'title: [T]') },
  { code: 'too-long', severity: W, span: '1:8-1:265', rule: swap('title: T', `title: ${'T'.repeat(257)}`) },
  { code: 'expected-list', severity: W, span: '11:7-11:16', rule: RULE + 'tags: attack.t1\n' },
  { code: 'missing-logsource', severity: E, span: '1:1-1:1', rule: swap('logsource:\n    product: windows\n', '') },
  { code: 'invalid-logsource', severity: E, span: '4:12-4:19', rule: swap('logsource:\n    product: windows\n', 'logsource: windows\n') },
  { code: 'empty-logsource', severity: E, span: '4:1-4:10', rule: swap('    product: windows\n', '    definition: x\n') },
  { code: 'missing-detection', severity: E, span: '1:1-1:1', rule: swap('detection:\n    sel:\n        Image: x\n    condition: sel\n', '') },
  { code: 'invalid-related', severity: E, span: '11:10-11:11', rule: RULE + 'related: x\n' },

  // Detection
  { code: 'invalid-detection', severity: E, span: '6:12-6:15', rule: swap('detection:\n    sel:\n        Image: x\n    condition: sel\n', 'detection: sel\n') },
  { code: 'missing-condition', severity: E, span: '6:1-6:10', rule: swap('    condition: sel\n', '') },
  { code: 'invalid-condition', severity: E, span: '9:16-9:24', rule: swap('condition: sel', 'condition: {sel: 1}') },
  { code: 'deprecated-timeframe', severity: W, span: '10:5-10:14', rule: swap('    condition: sel\n', '    condition: sel\n    timeframe: 5m\n') },
  { code: 'empty-detection', severity: E, span: '7:5-7:8', rule: sel('        []').replace('    sel:\n        []', '    sel: []') },
  { code: 'invalid-value', severity: E, span: '8:16-8:22', rule: sel('        Image: {a: 1}') },
  { code: 'too-many-values', severity: E, span: '8:9-8:14', rule: sel(`        Image: [${Array.from({ length: 20_001 }, (_, i) => `v${i}`).join(', ')}]`) },
  { code: 'empty-value-list', severity: E, span: '8:9-8:14', rule: sel('        Image: []') },

  // Condition
  { code: 'condition-syntax', severity: E, span: '9:23-9:23', rule: swap('condition: sel', 'condition: sel and') },
  { code: 'condition-too-deep', severity: E, span: '9:272-9:275', rule: swap('condition: sel', `condition: ${'not '.repeat(65)}sel`) },
  { code: 'aggregation-syntax', severity: E, span: '9:20-9:33', rule: swap('condition: sel', 'condition: sel | count() > 5') },

  // Modifiers
  { code: 'unknown-modifier', severity: E, span: '8:9-8:22', rule: sel('        Image|contans: x') },
  { code: 'null-in-list', severity: E, span: '8:9-8:14', rule: sel('        Image: [a, null]') },
  { code: 'exists-without-field', severity: E, span: '8:9-8:18', rule: sel("        '|exists': true") },
  { code: 'exists-needs-boolean', severity: E, span: '8:9-8:21', rule: sel('        Image|exists: yes') },
  { code: 'all-single-value', severity: E, span: '8:9-8:27', rule: sel('        Image|contains|all: x') },
  { code: 'wildcard-encoding', severity: E, span: '8:9-8:21', rule: sel("        Image|base64: 'a*'") },
  { code: 'double-encoding', severity: E, span: '8:9-8:30', rule: sel('        Image|utf16le|utf16be: x') },
  { code: 'regex-flag-without-re', severity: E, span: '8:9-8:16', rule: sel('        Image|i: x') },
  { code: 'invalid-cidr', severity: E, span: '8:9-8:19', rule: sel('        Image|cidr: nope') },
  { code: 'time-part-twice', severity: E, span: '8:9-8:26', rule: sel('        Image|minute|hour: 5') },
  { code: 'modifier-type', severity: E, span: '8:9-8:23', rule: sel('        Image|contains: null') },
  { code: 'windash-explosion', severity: E, span: '8:9-8:22', rule: sel("        Image|windash: '-a -b -c -d -e -f'") },

  // Filters
  { code: 'invalid-filter', severity: E, span: '4:9-4:10', rule: filt('filter:\n    rules:\n        - 11111111-2222-4333-8444-555555555555\n    sel:\n        User: x\n    condition: sel\n', 'filter: x\n') },
  { code: 'missing-filter-rules', severity: E, span: '4:1-4:7', rule: filt('    rules:\n        - 11111111-2222-4333-8444-555555555555\n', '') },

  // Correlations
  { code: 'invalid-correlation', severity: E, span: '2:14-2:15', rule: 'title: C\ncorrelation: x\n' },
  { code: 'missing-correlation-type', severity: E, span: '2:1-2:12', rule: corr('    type: event_count\n', '') },
  { code: 'invalid-correlation-type', severity: E, span: '3:11-3:20', rule: corr('event_count', 'event_sum') },
  { code: 'missing-correlation-rules', severity: E, span: '2:1-2:12', rule: corr('    rules:\n        - 11111111-2222-4333-8444-555555555555\n', '') },
  { code: 'missing-timespan', severity: E, span: '2:1-2:12', rule: corr('    timespan: 5m\n', '') },
  { code: 'invalid-timespan', severity: E, span: '8:15-8:24', rule: corr('timespan: 5m', 'timespan: 5 minutes') },
  { code: 'missing-correlation-condition', severity: E, span: '2:1-2:12', rule: corr('    condition:\n        gte: 10\n', '') },
  { code: 'invalid-correlation-condition', severity: E, span: '10:9-10:14', rule: corr('gte: 10', 'above: 10') },
  { code: 'missing-correlation-field', severity: E, span: '9:5-9:14', rule: corr('event_count', 'value_count') },
  { code: 'missing-group-by', severity: W, span: '2:1-2:12', rule: corr('    group-by:\n        - Computer\n', '') },
  { code: 'invalid-aliases', severity: E, span: '11:14-11:15', rule: corr('        gte: 10\n', '        gte: 10\n    aliases: x\n') },

  // Lint checks
  { code: 'invalid-id', severity: W, span: '2:5-2:15', rule: swap('id: 11111111-2222-4333-8444-555555555555', 'id: not-a-uuid') },
  { code: 'invalid-status', severity: E, span: '3:9-3:16', rule: swap('status: test', 'status: testing') },
  { code: 'invalid-level', severity: E, span: '10:8-10:14', rule: swap('level: low', 'level: severe') },
  { code: 'invalid-date', severity: E, span: '11:7-11:17', rule: RULE + 'date: 2026-13-02\n' },
  { code: 'legacy-date-format', severity: W, span: '11:7-11:17', rule: RULE + 'date: 2026/01/02\n' },
  { code: 'modified-before-date', severity: W, span: '12:11-12:21', rule: RULE + 'date: 2026-01-02\nmodified: 2025-01-02\n' },
  { code: 'invalid-tag', severity: W, span: '12:7-12:19', rule: RULE + 'tags:\n    - Attack T1033\n' },
  { code: 'duplicate-tag', severity: W, span: '12:5-13:19', rule: RULE + 'tags:\n    - attack.t1033\n    - attack.t1033\n' },
  { code: 'invalid-related', severity: W, span: '12:5-13:19', rule: RULE + 'related:\n    - id: 11111111-2222-4333-8444-555555555555\n      type: copied\n' },
  { code: 'logsource-case', severity: W, span: '5:5-5:21', rule: swap('product: windows', 'product: Windows') },
  { code: 'undefined-identifier', severity: E, span: '9:23-9:29', rule: swap('condition: sel', 'condition: sel or filter') },
  { code: 'unused-identifier', severity: W, span: '9:5-9:11', rule: swap('    condition: sel\n', '    filter:\n        User: x\n    condition: sel\n') },
  { code: 'missing-filter-target', severity: E, span: '4:1-4:7', rule: filt('    rules:\n        - 11111111-2222-4333-8444-555555555555\n', '    rules: []\n') },

  // Across documents
  { code: 'duplicate-id', severity: W, span: '12:1-12:1', collection: RULE + '---\n' + RULE },
  { code: 'filter-unknown-rule', severity: W, span: '1:1-1:1', collection: filt('11111111-2222-4333-8444-555555555555', 'some-rule') },
  { code: 'correlation-unknown-rule', severity: W, span: '1:1-1:1', collection: CORRELATION },

  // Processing pipelines
  { code: 'pipeline-multiple-documents', severity: E, span: '6:1-6:1', pipeline: PIPELINE + '---\nname: q\n' },
  { code: 'pipeline-not-a-map', severity: E, span: '1:1-1:4', pipeline: '- a\n' },
  { code: 'pipeline-is-a-rule', severity: E, span: '1:1-1:1', pipeline: 'title: t\nlogsource:\n    product: windows\ndetection:\n    sel:\n        a: 1\n    condition: sel\n' },
  { code: 'unknown-pipeline-key', severity: W, span: '6:1-6:6', pipeline: PIPELINE + 'extra: 1\n' },
  { code: 'unsupported-pipeline-key', severity: W, span: '6:1-6:11', pipeline: PIPELINE + 'finalizers: []\n' },
  { code: 'no-transformations', severity: W, span: '2:1-2:16', pipeline: 'name: p\ntransformations:\n' },
  { code: 'duplicate-item-id', severity: W, span: '6:5-8:15', pipeline: PIPELINE + '  - id: a\n    type: field_name_prefix\n    prefix: y.\n' },
  { code: 'invalid-vars', severity: E, span: '7:6-7:12', pipeline: PIPELINE + 'vars:\n  a: {b: c}\n' },
  { code: 'invalid-type', severity: E, span: '1:7-1:10', pipeline: pipe('name: p', 'name: [p]') },
  { code: 'invalid-transformation', severity: E, span: '3:5-3:6', pipeline: 'name: p\ntransformations:\n  - x\n' },
  { code: 'missing-transformation-type', severity: E, span: '4:10-4:10', pipeline: pipe('type: field_name_prefix', 'type:') },
  { code: 'unknown-transformation-type', severity: E, span: '4:11-4:27', pipeline: pipe('field_name_prefix', 'field_name_prefx') },
  { code: 'unknown-parameter', severity: E, span: '6:5-6:10', pipeline: item('extra: 1') },
  { code: 'missing-parameter', severity: E, span: '3:5-3:5', pipeline: pipe('    prefix: x.\n', '') },
  { code: 'invalid-parameter', severity: E, span: '5:13-5:16', pipeline: pipe('prefix: x.', 'prefix: [x]') },
  { code: 'invalid-condition', severity: E, span: '7:9-7:10', pipeline: item('rule_conditions:\n  - x') },
  { code: 'missing-condition-type', severity: E, span: '7:9-7:9', pipeline: item('rule_conditions:\n  - product: windows') },
  { code: 'unknown-condition-type', severity: E, span: '7:15-7:23', pipeline: item('rule_conditions:\n  - type: logsorce\n    product: windows') },
  { code: 'invalid-condition-expression', severity: E, span: '10:26-10:26', pipeline: item('rule_conditions:\n  a:\n    type: logsource\n    product: windows\nrule_cond_expr: a and') },
  { code: 'unknown-condition-id', severity: E, span: '10:27-10:28', pipeline: item('rule_conditions:\n  a:\n    type: logsource\n    product: windows\nrule_cond_expr: a and b') },
  { code: 'unreferenced-condition', severity: E, span: '11:9-12:23', pipeline: item('rule_conditions:\n  a:\n    type: logsource\n    product: windows\n  b:\n    type: logsource\n    product: linux\nrule_cond_expr: a') },
];

/** Codes no case produces, each with the reason. Empty today: every code has a case. */
const UNTRIGGERABLE: Partial<Record<DiagnosticCode, string>> = {};

function produce(c: Case): Diagnostic[] {
  if (c.rule !== undefined) return parseSigmaText(c.rule, 'r.yml').documents.flatMap((d) => d.diagnostics);
  if (c.collection !== undefined) {
    const col = emptyCollection();
    addParsedFile(col, parseSigmaText(c.collection, 'r.yml'));
    checkCollection(col);
    return col.diagnostics;
  }
  if (c.pipeline !== undefined) return parsePipelineYaml(c.pipeline, 'p.yml').diagnostics;
  if (c.paths) return loadSigmaPaths(c.paths).diagnostics;
  if (c.pipelineArgs) return resolvePipelines(c.pipelineArgs, false).errors;
  throw new Error(`case ${c.code} has no input`);
}

const spanText = (d: Diagnostic) => `${d.line}:${d.col}-${d.endLine}:${d.endCol}`;

for (const c of CASES) {
  test(`${c.code}: ${c.severity} at ${c.span}`, () => {
    const all = produce(c);
    const found = all.filter((d) => d.code === c.code);
    assert.equal(found.length, 1, `${c.code} reported ${found.length} times; all: ${all.map((d) => `${d.code}@${spanText(d)}`).join(', ')}`);
    const d = found[0]!;
    assert.equal(d.severity, c.severity, `${c.code}: ${d.message}`);
    assert.equal(spanText(d), c.span, `${c.code}: ${d.message}`);
  });
}

test('every code in the catalogue has a case, or a reason why no text can produce it', () => {
  const covered = new Set(CASES.map((c) => c.code));
  const missing = (Object.keys(DIAGNOSTIC_CODES) as DiagnosticCode[]).filter((code) => !covered.has(code) && !UNTRIGGERABLE[code]);
  assert.deepEqual(missing, []);
  for (const code of Object.keys(UNTRIGGERABLE)) assert.ok(!covered.has(code as DiagnosticCode), `${code} has a case: drop it from UNTRIGGERABLE`);
});

test('the codes are a closed union: an unknown code does not compile', () => {
  // @ts-expect-error 'no-such-code' is not in the catalogue (tsc fails here if it ever becomes valid)
  const unknown: DiagnosticCode = 'no-such-code';
  assert.equal(Object.hasOwn(DIAGNOSTIC_CODES, unknown), false);
});

test('a producer reports the catalogue severity, except the overrides the catalogue describes', () => {
  const overridden = CASES.filter((c) => c.severity !== DIAGNOSTIC_CODES[c.code].severity).map((c) => c.code);
  assert.deepEqual(overridden, ['invalid-related']);
});

test('not-utf8 and empty-file are warnings on the file: the rule with odd bytes still loads, nothing is rejected', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-file-warnings-'));
  writeFileSync(join(dir, 'a-latin1.yml'), Buffer.from(RULE.replace('title: T', 'title: Caf\xe9 rule'), 'latin1'));
  writeFileSync(join(dir, 'b-empty.yml'), '');
  writeFileSync(join(dir, 'c-comments.yml'), '# nothing here yet\n');
  writeFileSync(join(dir, 'd-ok.yml'), RULE.replace('11111111-2222-4333-8444-555555555555', '11111111-2222-4333-8444-555555555556'));
  const col = loadSigmaPaths([dir]);
  assert.equal(col.rules.length, 2);
  assert.equal(col.rejected.length, 0);
  assert.deepEqual(col.diagnostics.map((d) => `${d.file.slice(dir.length + 1)} ${d.code}: ${d.message}`), [
    'a-latin1.yml not-utf8: bytes that are not UTF-8 from line 1, column 11 on (read as U+FFFD); save the file as UTF-8',
    'b-empty.yml empty-file: the file is empty',
    'c-comments.yml empty-file: the file holds only comments: no YAML document',
  ]);
});
