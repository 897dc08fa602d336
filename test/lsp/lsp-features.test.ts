// The language server's answers, called directly: cursor contexts of text being typed, completion,
// hover, outline, the pipelines' taxonomy, and the validator's quick fixes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KNOWN_MODIFIERS } from '../../src/sigma/modifiers.js';
import { ATTRIBUTE_DOCS, MODIFIER_DOCS } from '../../src/sigma/keyword-docs.js';
import { CORRELATION_ATTRIBUTES, FILTER_ATTRIBUTES, RULE_ATTRIBUTES } from '../../src/sigma/parse-document.js';
import { lineContext, logsourceAt } from '../../src/lsp/text-context.js';
import { completeAt } from '../../src/lsp/completion.js';
import { hoverAt } from '../../src/lsp/hover.js';
import { outline } from '../../src/lsp/symbols.js';
import { fieldsOf, logsourceValues, shippedTaxonomy } from '../../src/lsp/taxonomy.js';
import { lintSource } from '../../src/lsp/findings.js';
import { DEFAULT_CONFIG } from '../../src/lint/config.js';
import { DATA } from '../helpers.js';

const tax = shippedTaxonomy();

test('every modifier and every attribute has its one line of documentation, and nothing else does', () => {
  assert.deepEqual(Object.keys(MODIFIER_DOCS).sort(), [...KNOWN_MODIFIERS].sort());
  assert.deepEqual(Object.keys(ATTRIBUTE_DOCS).sort(), [...new Set([...RULE_ATTRIBUTES, ...FILTER_ATTRIBUTES, ...CORRELATION_ATTRIBUTES])].sort());
});

test('the cursor context of a rule being typed, from its lines', () => {
  const lines = [
    'title: x',
    'tags:',
    '    - attack.t10',
    'logsource:',
    "    product: 'windows'",
    '    category: process_creation # Sysmon 1',
    'detection:',
    '    selection:',
    "        - Image|endswith: '\\\\a.exe'",
    '          Comm',
    '        - ParentImage|ends',
    '    condition: sel',
    'lev',
  ];
  const ctx = (line: number) => lineContext(lines, line, lines[line]!.length);
  assert.deepEqual(ctx(2), { path: ['tags'], mode: 'item', prefix: 'attack.t10' });
  assert.deepEqual(ctx(5), { path: ['logsource'], mode: 'value', key: 'category', prefix: 'process_creation # Sysmon 1' });
  // The list item above is a sibling map's key, not the parent of the line under it.
  assert.deepEqual(ctx(9), { path: ['detection', 'selection'], mode: 'key', prefix: 'Comm' });
  assert.deepEqual(ctx(10), { path: ['detection', 'selection'], mode: 'key', prefix: 'ParentImage|ends' });
  assert.deepEqual(ctx(11), { path: ['detection'], mode: 'value', key: 'condition', prefix: 'sel' });
  assert.deepEqual(ctx(12), { path: [], mode: 'key', prefix: 'lev' });
  assert.deepEqual(logsourceAt(lines, 9), { product: 'windows', category: 'process_creation' });
});

test('the taxonomy of the shipped pipelines: fields per log source, log source values', () => {
  const proc = fieldsOf(tax, { product: 'windows', category: 'process_creation' });
  assert.deepEqual(proc.get('CommandLine')!.map((u) => `${u.pipeline}: ${u.mappedTo.join(',')}`).sort().slice(0, 2), ['defender-xdr: ProcessCommandLine', 'ecs-windows: process.command_line']);
  assert.ok(proc.has('Channel') && proc.has('EventID'), 'the windows pipeline tests Channel and EventID');
  assert.ok(!proc.has('QueryName') && !proc.has('cs-host'));
  const dns = fieldsOf(tax, { product: 'windows', category: 'dns_query' });
  assert.ok(dns.has('QueryName') && !dns.has('ParentCommandLine'));
  const proxy = fieldsOf(tax, { category: 'proxy' });
  assert.ok(proxy.has('c-uri') && proxy.has('cs-host') && !proxy.has('CommandLine'));
  const windowsCategories = logsourceValues(tax, 'category', { product: 'windows' });
  assert.ok(windowsCategories.includes('process_creation') && !windowsCategories.includes('proxy'));
  assert.ok(logsourceValues(tax, 'category', {}).includes('proxy'));
  assert.ok(logsourceValues(tax, 'service', { product: 'windows' }).includes('security'));
});

test('completion: attributes not yet written, enumerated values, ATT&CK tags, keywords of a filter', () => {
  const labels = (text: string, line: number, character: number) => completeAt(text, line, character, tax).candidates.map((c) => c.label);
  const rule = 'title: x\nstatus: te\nlogsource:\n    product: windows\nl';
  const top = labels(rule, 4, 1);
  assert.ok(top.includes('level') && top.includes('detection') && !top.includes('title') && !top.includes('logsource'));
  assert.ok(!top.includes('filter') && !top.includes('correlation'), 'a rule is offered rule attributes only');
  assert.deepEqual(labels(rule, 1, 10), ['stable', 'test', 'experimental', 'deprecated', 'unsupported']);
  const tags = completeAt('tags:\n    - attack.t119', 1, 17, tax);
  assert.equal(tags.replace, 11);
  assert.equal(tags.candidates.find((c) => c.label === 'attack.t1197')?.detail, 'T1197 BITS Jobs');
  assert.equal(tags.candidates.find((c) => c.label === 'attack.persistence')?.detail, 'TA0003 Persistence (tactic)');
  const filter = 'title: f\nlogsource:\n    product: windows\nfilter:\n    rules: [a]\n    '.split('\n');
  const fa = labels(filter.join('\n'), 5, 4);
  assert.deepEqual(fa, [], 'under filter, a key that is not in a search identifier has no candidates');
  const filterTop = labels('title: f\nfilter:\n    rules: [a]\nd', 3, 1);
  assert.ok(filterTop.includes('description') && !filterTop.includes('detection'), 'a filter document offers filter attributes');
  const fieldsInFilter = labels('title: f\nlogsource:\n    product: windows\n    category: process_creation\nfilter:\n    rules: [a]\n    selection:\n        Parent', 7, 14);
  assert.ok(fieldsInFilter.includes('ParentImage'));
});

test('hover: unknown fields and modifiers say so; outline of a file with two documents', () => {
  const text = 'title: one\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        CommandLin|contans: x\n    condition: sel\n---\ntitle: two\ncorrelation:\n    type: event_count\n';
  assert.match(hoverAt(text, { line: 7, col: 10 }, tax)!.markdown, /\*\*CommandLin\*\*: no shipped pipeline names this field for product=windows,category=process_creation/);
  const mod = hoverAt(text, { line: 7, col: 21 }, tax)!;
  assert.equal(mod.markdown, '**|contans**: not a Sigma modifier');
  assert.deepEqual(mod.span, { start: { line: 7, col: 20 }, end: { line: 7, col: 27 } });
  assert.equal(hoverAt(text, { line: 7, col: 25 + 5 }, tax), undefined, 'values have no hover');
  const symbols = outline(text);
  assert.deepEqual(symbols.map((s) => [s.name, s.children.map((c) => `${c.name}:${c.detail ?? ''}:${c.children.map((x) => x.name).join(',')}`)]), [
    ['one', ['detection::sel,condition']],
    ['two', ['correlation:event_count:']],
  ]);
});

test('quick fixes of the validity checks: quoted keys, several modifiers, case, dates; none without a likely meaning', () => {
  const rule = readFileSync(join(DATA, 'sigmahq/rules/windows/process_creation/proc_creation_win_bitsadmin_download.yml'), 'utf8');
  const broken = rule
    .replace("CommandLine|contains: ' /transfer '", "'CommandLine|Contains|windsh': ' /transfer '")
    .replace("CommandLine|contains: 'http'", "CommandLine|zzzzzz: 'http'")
    .replace('modified: 2023-02-15', "modified: '2023/02/15'");
  // Named as SigmaHQ names it, so the file name check has nothing to say.
  const findings = lintSource(() => DEFAULT_CONFIG).findings(broken, 'proc_creation_win_bitsadmin_download.yml');
  const fixes = findings.map((f) => [f.diagnostic.code, f.fixes.map((x) => x.title).join(' / ')]);
  assert.deepEqual(fixes, [
    ['legacy-date-format', 'write 2023-02-15'],
    ['unknown-modifier', "Change modifier 'Contains' → 'contains', 'windsh' → 'windash'"],
    ['unknown-modifier', ''],
  ]);
  const edits = findings[1]!.fixes[0]!.edits;
  const line = broken.split('\n')[edits[0]!.span.start.line - 1]!;
  assert.deepEqual(edits.map((e) => line.slice(e.span.start.col - 1, e.span.end.col - 1)), ['Contains', 'windsh']);
});
