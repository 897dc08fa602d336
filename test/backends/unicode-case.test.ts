// Case-insensitive values with letters beyond ASCII. Kusto's `=~`, `contains`, `startswith`,
// `endswith` and Elasticsearch's `:` / `regex~` fold ASCII letters only, so the SigmaHQ rules whose
// values hold other letters (Cyrillic homoglyphs, French and Finnish group names, `contraseña`…)
// are written with tolower() on both sides (KQL) or as case-sensitive RegExps of letter classes
// (EQL, Lucene). Checked here: the classes, every such rule's queries with every KQL and ECS
// pipeline (validated by the Kusto language service and Quarry's EQL validator), and the EQL form
// evaluated (eql-eval.ts, whose `:` folds ASCII only) on upper-, lower- and mixed-case texts
// against the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DATA, parseRule, ruleWith } from '../helpers.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import type { SigmaRule } from '../../src/sigma/model.js';
import { fieldTests, lowerRule } from '../../src/ir/lower.js';
import type { FieldTest } from '../../src/ir/types.js';
import { convertRule } from '../../src/backends/common/convert.js';
import { caseVariants, hasNonAsciiCase } from '../../src/backends/common/unicode-case.js';
import { TARGETS } from '../../src/backends/targets.js';
import { VALIDATORS } from '../../src/backends/validators.js';
import { resolveConvertPipelines } from '../../src/backends/resolve-pipelines.js';
import { evaluateEql } from './eql-eval.js';
import { engineSelect } from './sql-differential.js';

const base = join(DATA, 'sigmahq');
const col = loadSigmaPaths(readdirSync(base).filter((f) => f.startsWith('rules')).map((f) => join(base, f)));

/** The case-insensitive string tests of a rule whose literal text has letters beyond ASCII. */
function nonAsciiTests(rule: SigmaRule): FieldTest[] {
  return fieldTests(lowerRule(rule).detection).filter((t) => t.value.type === 'string' && !t.cased && t.value.parts.some((p) => typeof p === 'string' && hasNonAsciiCase(p)));
}
const RULES = col.rules.filter((r) => nonAsciiTests(r).length > 0);

/** String literals (double-quoted, with escapes) of a query and the text before each. */
function literals(query: string): Array<{ text: string; before: string }> {
  return [...query.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => ({ text: m[1]!, before: query.slice(0, m.index) }));
}

test('letter classes: every character the engine lower-cases alike', () => {
  assert.deepEqual(caseVariants('ß'), ['ß', 'ẞ']);
  assert.deepEqual(caseVariants('а'), ['А', 'а']);
  assert.deepEqual(caseVariants('Ê'), ['Ê', 'ê']);
  assert.deepEqual(caseVariants('k'), ['K', 'k', '\u212A']);
  // Final sigma lower-cases to itself, so it is not the class of σ.
  assert.deepEqual(caseVariants('σ'), ['Σ', 'σ']);
  assert.equal(hasNonAsciiCase('Administrator'), false);
  assert.equal(hasNonAsciiCase('密碼'), false);
  assert.equal(hasNonAsciiCase('Järjestelmänvalvoja'), true);
});

test('the SigmaHQ rules with such values: KQL uses tolower() and case-sensitive operators for them, and every query passes the Kusto analyzer', () => {
  console.log(`rules with case-insensitive values holding letters beyond ASCII: ${RULES.length}\n  ${RULES.map((r) => r.file.replace(base + '/', '')).join('\n  ')}`);
  assert.ok(RULES.length >= 10, `${RULES.length}`);
  const validate = VALIDATORS.kql!;
  const counts: Record<string, number> = {};
  const problems: string[] = [];
  for (const pipeline of TARGETS.kql!.listPipelines()) {
    const pipelines = resolveConvertPipelines('kql', [pipeline]);
    for (const rule of RULES) {
      const r = convertRule(rule, TARGETS.kql!.backend, pipelines, col.filters);
      if (!r.ok) continue;
      counts[pipeline] = (counts[pipeline] ?? 0) + 1;
      const check = validate(r.query);
      if (!check.ok) problems.push(`${pipeline} ${rule.file}: ${check.problems.slice(0, 2).join('; ')}`);
      for (const { text, before } of literals(r.query))
        if (hasNonAsciiCase(text) && !/tolower\([^()]*(\([^()]*\))?\) (==|contains_cs|startswith_cs|endswith_cs|matches regex) $/.test(before))
          problems.push(`${pipeline} ${rule.file}: "${text}" after '${before.slice(-40)}'`);
    }
  }
  console.log(`KQL queries of these rules by pipeline: ${JSON.stringify(counts)}`);
  assert.deepEqual(problems.slice(0, 5), []);
  assert.ok((counts['sentinel-windowsevent'] ?? 0) >= 10);
});

test('a KQL keyword with letters beyond ASCII is refused with its reason (`* contains` folds ASCII only)', () => {
  const { rule } = parseRule(ruleWith(`keywords:\n    - 'Администратор'\ncondition: keywords`));
  const r = convertRule(rule!, TARGETS.kql!.backend, resolveConvertPipelines('kql', ['sentinel-windowsevent']));
  assert.equal(r.ok ? '' : r.code, 'unicode-case');
  assert.match(r.ok ? '' : r.error, /letters beyond ASCII/);
});

test('EQL and Lucene: such values are case-sensitive RegExps of letter classes, never `:` or `regex~`; queries validate', () => {
  for (const target of ['eql', 'lucene']) {
    const problems: string[] = [];
    let n = 0;
    for (const pipeline of ['ecs-windows', 'ecs-none']) {
      const pipelines = resolveConvertPipelines(target, [pipeline]);
      for (const rule of RULES) {
        const r = convertRule(rule, TARGETS[target]!.backend, pipelines, col.filters);
        if (!r.ok) continue;
        n++;
        const check = VALIDATORS[target]!(r.query);
        if (!check.ok) problems.push(`${target} ${rule.file}: ${check.problems[0]}`);
        if (target === 'eql')
          for (const { text, before } of literals(r.query)) if (hasNonAsciiCase(text) && !/ regex $/.test(before)) problems.push(`${rule.file}: "${text}" after '${before.slice(-30)}'`);
      }
    }
    console.log(`${target}: ${n} queries of these rules (ecs-windows, ecs-none)`);
    assert.deepEqual(problems.slice(0, 5), []);
    assert.ok(n >= 15);
  }
});

/** Texts around a test's value in several cases: as written, upper, lower, each letter's case swapped, inside other text. */
function texts(t: FieldTest): string[] {
  if (t.value.type !== 'string') return [];
  const v = t.value.parts.map((p) => (typeof p === 'string' ? p : 'q')).join('');
  const swap = [...v].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
  const asciiUpper = v.replace(/[a-z]/g, (c) => c.toUpperCase());
  return [v, v.toUpperCase(), v.toLowerCase(), swap, asciiUpper, `x ${v.toUpperCase()} y`, `X${swap}`, 'unrelated'];
}

test('EQL on the corpus values: every case of the text selects what the engine matches (ASCII-only `:` would miss the upper-cased letters)', () => {
  let compared = 0;
  const failures: string[] = [];
  for (const rule of RULES) {
    const ir = lowerRule(rule);
    for (const t of nonAsciiTests(rule)) {
      // The test alone, with the rule's own field name (as ecs-none leaves it).
      const single = { ...ir, guard: null, detection: t };
      const field = t.field!;
      const events = texts(t).map((x) => ({ [field]: x }));
      const want = engineSelect(single, events);
      assert.ok(Array.isArray(want));
      const query = TARGETS.eql!.backend.render({ ir: single, state: {}, pipelines: [] });
      const got = events.flatMap((e, i) => (evaluateEql(query, (f) => (f === field ? e[field]! : null)) ? [i] : []));
      compared++;
      if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${rule.file} ${field}: EQL ${JSON.stringify(got)}, engine ${JSON.stringify(want)}: ${query.slice(0, 200)}`);
      // The engine matches the upper-cased text: the case that ASCII-only folding gets wrong.
      assert.ok(want.includes(1), `${rule.file} ${field}: the engine should match ${JSON.stringify(events[1])}`);
    }
  }
  console.log(`EQL differential on letters beyond ASCII: ${compared} value tests, 8 texts each`);
  assert.deepEqual(failures.slice(0, 5), []);
  assert.ok(compared >= 100, `${compared}`);
});
