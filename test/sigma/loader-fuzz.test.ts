// Seeded, time-bounded mutation fuzzing of the YAML loader and the condition parser, on real rules
// (examples/ and a sample of the SigmaHQ corpus). Every input must give rules or located
// diagnostics, never an exception; no case may take long; and the counts must add up (documents =
// rules + filters + correlations + rejected, for every file). Accepted rules go on through lowering,
// compiling and evaluation, which recurse over the condition. The figures are printed for the record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { addParsedFile, emptyCollection, parseSigmaText } from '../../src/sigma/load.js';
import { ConditionError, parseCondition } from '../../src/sigma/condition.js';
import { MAX_CONDITION_DEPTH } from '../../src/sigma/limits.js';
import { lowerRule } from '../../src/ir/lower.js';
import { compileRuleSet } from '../../src/engine/rule-set.js';
import { EventView } from '../../src/engine/event-access.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { createRandom, type Random } from '../../src/generate/random.js';
import { DATA, REPO } from '../helpers.js';

const SEED = 'issue-15-loader';
/** Wall-clock budget of each fuzz loop; the case count varies with the machine, the sequence does not. */
const BUDGET_MS = 3_000;
/** A single case slower than this is a hang in the making (real rules parse in about a millisecond). */
const SLOW_CASE_MS = 1_500;

/** examples/ and every 60th file of the SigmaHQ rule folders (sorted, so the sample is stable). */
function seedRules(): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const examples = join(REPO, 'examples/rules');
  for (const f of readdirSync(examples).sort()) out.push({ file: join(examples, f), text: readFileSync(join(examples, f), 'utf8') });
  out.push({ file: 'correlation.yml', text: readFileSync(join(REPO, 'examples/correlations/bitsadmin_then_bits_transfer.yml'), 'utf8') });
  const corpus = join(DATA, 'sigmahq/rules/windows');
  const files = (readdirSync(corpus, { recursive: true }) as string[]).filter((f) => f.endsWith('.yml')).sort();
  for (let i = 0; i < files.length; i += 60) out.push({ file: files[i]!, text: readFileSync(join(corpus, files[i]!), 'utf8') });
  return out;
}

const YAML_BITS = [':', ': ', '-', '- ', '[', ']', '{', '}', '|', '>', '&a', '*a', '!!str', '%', '@', '#', "'", '"', '\n', '\t', '    ', '? ', '---\n', '...\n', '\\', '\u0000', '\uFEFF', 'é', '😀'];
const CONDITION_BITS = ['(', ')', ' not ', ' and ', ' or ', '1 of ', 'all of ', ' them', 'selection', 'sel*', ''];
/** The old aggregation syntax, rare: any one of these makes the whole condition an aggregation error. */
const AGGREGATION_BITS = ['|', ' count() > 5', '->'];

function mutate(text: string, r: Random): string {
  const at = () => r.int(0, text.length);
  switch (r.int(0, 9)) {
    case 0: {
      // Delete a stretch.
      const a = at();
      return text.slice(0, a) + text.slice(a + r.int(1, 40));
    }
    case 1: {
      // Duplicate a stretch somewhere else.
      const a = at();
      const piece = text.slice(a, a + r.int(1, 80));
      const b = at();
      return text.slice(0, b) + piece + text.slice(b);
    }
    case 2: {
      const b = at();
      return text.slice(0, b) + r.pick(YAML_BITS) + text.slice(b);
    }
    case 3: {
      // Re-indent one line.
      const lines = text.split('\n');
      const i = r.int(0, lines.length - 1);
      lines[i] = ' '.repeat(r.int(0, 12)) + lines[i]!.trimStart();
      return lines.join('\n');
    }
    case 4: {
      // Swap two lines.
      const lines = text.split('\n');
      const i = r.int(0, lines.length - 1);
      const j = r.int(0, lines.length - 1);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }
    case 5:
      return text.slice(0, at());
    case 6:
      // A new condition: random tokens, sometimes nested far past the limit.
      return text.replace(/condition: .*/, `condition: ${randomCondition(r)}`);
    case 7: {
      // Insert condition syntax into the condition line.
      const m = /condition: .*/.exec(text);
      if (!m) return text;
      const b = m.index + r.int(11, m[0].length);
      return text.slice(0, b) + r.pick(CONDITION_BITS) + text.slice(b);
    }
    case 8: {
      // Inflate a value list: many values under the first field of the detection.
      const m = /\n( +)([A-Za-z]+(\|[a-z|]+)?):( .*)?\n/.exec(text.slice(text.indexOf('detection:')));
      if (!m) return text;
      // Rarely past the limit (20,000): those cases cost a few hundred milliseconds each.
      const n = r.weighted([[10, 2], [6, 50], [3, 2_000], [1, 25_000]] as const);
      const list = Array.from({ length: n }, (_, i) => `\n${m[1]}    - 'v${i}'`).join('');
      return text.replace(m[0], `\n${m[1]}${m[2]}:${list}\n`);
    }
    default: {
      // Flip bytes.
      const chars = [...text];
      for (let k = r.int(1, 5); k > 0; k--) chars[r.int(0, chars.length - 1)] = String.fromCharCode(r.int(0, 0x7f));
      return chars.join('');
    }
  }
}

function randomCondition(r: Random): string {
  if (r.chance(0.2)) {
    const depth = r.pick([MAX_CONDITION_DEPTH - 1, MAX_CONDITION_DEPTH, MAX_CONDITION_DEPTH + 1, 5_000]);
    return r.chance(0.5) ? `${'('.repeat(depth)}selection${')'.repeat(depth)}` : `${'not '.repeat(depth)}selection`;
  }
  const parts: string[] = [];
  for (let k = r.int(1, 12); k > 0; k--) parts.push(r.chance(0.01) ? r.pick(AGGREGATION_BITS) : r.pick([...CONDITION_BITS, 'selection', 'filter', 'sel_1']));
  return parts.join(' ');
}

/** A diagnostic is located: a line and column inside the text (the end may be one past it). */
function assertLocated(text: string, d: { line: number; col: number; endLine: number; endCol: number; file: string }, label: string): void {
  const lines = text.split('\n');
  assert.ok(d.line >= 1 && d.line <= lines.length + 1, `${label}: line ${d.line} of ${lines.length}`);
  assert.ok(d.col >= 1, `${label}: col ${d.col}`);
  assert.ok(d.endLine > d.line || (d.endLine === d.line && d.endCol >= d.col), `${label}: end before start`);
}

test('fuzz: mutated real rules load as rules or located diagnostics, fast, with counts that add up', { timeout: 120_000 }, () => {
  const seeds = seedRules();
  const r = createRandom(SEED);
  const col = emptyCollection();
  const event = new EventView({ Image: 'C:\\Windows\\System32\\bitsadmin.exe', CommandLine: 'bitsadmin /transfer x', EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational' });
  let cases = 0;
  let documents = 0;
  let compiled = 0;
  let slowest = 0;
  const start = Date.now();
  while (Date.now() - start < BUDGET_MS) {
    const seed = r.pick(seeds);
    let text = seed.text;
    // Mostly one mutation: a rule broken in three places tells little more than one broken in one.
    for (let k = r.chance(0.75) ? 1 : r.int(2, 3); k > 0; k--) text = mutate(text, r);
    const label = `case ${cases} (${seed.file})`;
    const t0 = performance.now();
    let parsed;
    try {
      parsed = parseSigmaText(text, `fuzz-${cases}.yml`);
    } catch (e) {
      assert.fail(`${label}: the loader threw ${(e as Error).stack}\n--- input ---\n${text.slice(0, 2000)}`);
    }
    for (const d of parsed.documents) {
      const errors = d.diagnostics.filter((x) => x.severity === 'error');
      assert.ok(d.document !== null || errors.length > 0, `${label}: a document neither loaded nor rejected with a reason`);
      for (const x of d.diagnostics) assertLocated(text, x, `${label} [${x.code}]`);
      // What loads goes on: lowering, compiling and evaluation recurse over the condition tree.
      if (d.document?.kind === 'rule' && errors.length === 0) {
        try {
          const set = compileRuleSet([lowerRule(d.document)], { regex: re2Regex });
          for (const rule of set.rules) rule.detection(event);
          compiled += set.rules.length;
        } catch (e) {
          assert.fail(`${label}: a loaded rule failed downstream: ${(e as Error).stack}\n--- input ---\n${text.slice(0, 2000)}`);
        }
      }
    }
    slowest = Math.max(slowest, performance.now() - t0);
    assert.ok(performance.now() - t0 < SLOW_CASE_MS, `${label} took ${Math.round(performance.now() - t0)} ms`);
    documents += parsed.documents.length;
    addParsedFile(col, parsed);
    cases++;
  }
  const elapsed = (Date.now() - start) / 1000;
  // The counts add up: every file counted, every document either loaded or rejected.
  assert.equal(col.files, cases);
  assert.equal(col.rules.length + col.filters.length + col.correlations.length + col.rejected.length, documents);
  assert.ok(cases >= 100, `only ${cases} cases in ${BUDGET_MS} ms`);
  assert.ok(col.rules.length > 0 && col.rejected.length > 0, 'the mutations both keep and break rules');
  const rejectedBy = new Map<string, number>();
  for (const d of col.rejected) for (const x of d.diagnostics.filter((y) => y.severity === 'error').slice(0, 1)) rejectedBy.set(x.code, (rejectedBy.get(x.code) ?? 0) + 1);
  const top = [...rejectedBy].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([c, n]) => `${c} ${n}`).join(', ');
  process.stdout.write(
    `loader fuzz (seed ${SEED}, ${seeds.length} seed rules): ${cases} cases in ${elapsed.toFixed(1)} s = ${Math.round(cases / elapsed)} inputs/s; ` +
      `${documents} documents: ${col.rules.length} rules (${compiled} compiled and evaluated), ${col.filters.length} filters, ${col.correlations.length} correlations, ${col.rejected.length} rejected (${top}); slowest case ${slowest.toFixed(0)} ms\n`,
  );
});

test('fuzz: the condition parser returns a tree or a located ConditionError, nothing else', { timeout: 60_000 }, () => {
  const r = createRandom(SEED + '-condition');
  const at = (offset: number) => ({ line: 1, col: offset + 1 });
  let cases = 0;
  let parsed = 0;
  const codes = new Map<string, number>();
  const start = Date.now();
  while (Date.now() - start < BUDGET_MS / 2) {
    const text = randomCondition(r) + (r.chance(0.3) ? r.pick(CONDITION_BITS) + randomCondition(r) : '');
    try {
      parseCondition(text, at);
      parsed++;
    } catch (e) {
      if (!(e instanceof ConditionError)) assert.fail(`'${text.slice(0, 200)}': threw ${(e as Error).stack}`);
      assert.ok(e.offset >= 0 && e.length >= 0 && e.offset + e.length <= text.length, `'${text.slice(0, 200)}': error at ${e.offset}+${e.length} outside the text`);
      codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
    }
    cases++;
  }
  const elapsed = (Date.now() - start) / 1000;
  assert.ok(codes.get('condition-too-deep'), 'the deep cases reach the depth limit');
  assert.ok(parsed > 0 && codes.get('condition-syntax'), 'both valid and invalid conditions are generated');
  process.stdout.write(`condition fuzz: ${cases} conditions in ${elapsed.toFixed(1)} s = ${Math.round(cases / elapsed)}/s; ${parsed} parsed, rejected: ${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}\n`);
});
