// The regression pin for fields the windows pipeline gives several names (`Image`: Sysmon's `Image`
// or Security 4688's `NewProcessName`). A test that holds on a missing field (`Image: null`,
// `exists: false`) must hold for every name: written as an OR of the names it held on every real
// event (each carries one name), so `not filter_null` was always false and these rules never fired
// in the engine nor in any target. Every such rule of the corpus must fire on a generated Sysmon 1
// event and a 4688 event that meet it, in the engine (the Detector through windows) and in every
// target that converts it, and the KQL and SPL queries must join the names' null tests with AND.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import type { SigmaRule } from '../../src/sigma/model.js';
import { fieldTests } from '../../src/ir/lower.js';
import { ruleToIR } from '../../src/ir/rule-path.js';
import { convertRule } from '../../src/backends/common/convert.js';
import { TARGETS, targetPipelineChain } from '../../src/backends/targets.js';
import { PgCluster } from '../backends/postgres-cluster.js';
import { needs } from '../services.js';
import { buildCorpus, loadWindowsRules, WINDOWS, type Corpus, type RuleCase } from './corpus.js';
import { Shaper } from './shape.js';
import type { TargetAnswers } from './targets/answers.js';
import { runEngine } from './targets/engine.js';
import { runDuckdb } from './targets/duckdb.js';
import { runPostgres } from './targets/postgres.js';
import { ELASTIC_TARGETS, runElastic } from './targets/elastic.js';
import { nullTestJoins } from './null-joins.js';

/** Rules named in the bug report: the list found in the corpus must include them. */
const NAMED = [
  'proc_creation_win_susp_userinit_child.yml',
  'proc_creation_win_whoami_parent_anomaly.yml',
  'proc_creation_win_susp_elevated_system_shell_uncommon_parent.yml',
  'proc_creation_win_susp_non_exe_image.yml',
];

const windowsShaper = new Shaper('windows', WINDOWS);

/** Logical fields of the rule with a test that holds when they are missing, which the windows pipeline maps to several names. */
function negatedAlternativeFields(rule: SigmaRule): string[] {
  const fields = new Set<string>();
  for (const t of fieldTests(ruleToIR(rule, { pipelines: [] }).ir.detection)) {
    const holdsOnMissing = !t.negate && (t.value.type === 'null' || (t.value.type === 'exists' && !t.value.value));
    if (holdsOnMissing && t.field !== null && windowsShaper.namesOf(rule.logsource, t.field).length > 1) fields.add(t.field);
  }
  return [...fields];
}

let found: { corpus: Corpus; fields: Map<SigmaRule, string[]> } | undefined;
function pinned(): NonNullable<typeof found> {
  if (!found) {
    const { all, windows } = loadWindowsRules();
    const fields = new Map<SigmaRule, string[]>();
    for (const r of windows) {
      const f = negatedAlternativeFields(r);
      if (f.length) fields.set(r, f);
    }
    found = { corpus: buildCorpus(all, [...fields.keys()]), fields };
  }
  return found;
}

test('the corpus rules with a missing-field test on a field of several names are found', () => {
  const { fields } = pinned();
  const lines = [...fields].map(([r, f]) => `  ${basename(r.file)}: ${f.join(', ')}`).sort();
  process.stdout.write(`negated alternatives: ${fields.size} rules\n${lines.join('\n')}\n`);
  const names = new Set([...fields.keys()].map((r) => basename(r.file)));
  assert.deepEqual(NAMED.filter((n) => !names.has(n)), []);
});

/** The rule's generated events that meet it (the oracle says so) in shape 0 (Sysmon 1) and shape 1 (Security 4688). */
function meetingByShape(c: RuleCase): Map<number, number[]> {
  const by = new Map<number, number[]>();
  c.events.forEach((e, i) => {
    if (e.logical.kind !== 'meets' || !e.expected) return;
    by.set(e.shape, [...(by.get(e.shape) ?? []), i]);
  });
  return by;
}

test('each of them has generated Sysmon 1 and Security 4688 events that meet it', () => {
  const { corpus } = pinned();
  const missing: string[] = [];
  for (const c of corpus.cases) {
    const by = meetingByShape(c);
    for (const k of [0, 1]) {
      const first = by.get(k)?.[0];
      const ev = first === undefined ? undefined : c.events[first]!.windows;
      if (!ev) missing.push(`${basename(c.rule.file)}: no meeting event in shape ${k}`);
    }
  }
  assert.deepEqual(missing, []);
  // The two shapes are what the pipeline says: Sysmon's channel and event id, then Security's.
  const sample = corpus.cases[0]!.events;
  const shapes = new Set(sample.map((e) => `${e.windows.Channel}/${e.windows.EventID}`));
  assert.ok(shapes.has('Microsoft-Windows-Sysmon/Operational/1') && shapes.has('Security/4688'), [...shapes].join(', '));
});

/** Every meeting event of shapes 0 and 1 fires in the target, and no event of the rule disagrees with the oracle. */
function assertFires(run: TargetAnswers): void {
  const { corpus } = pinned();
  const problems: string[] = [];
  let fired = 0;
  let refused = 0;
  for (const c of corpus.cases) {
    const a = run.answers.get(c)!;
    if ('refused' in a) {
      refused++;
      continue;
    }
    if ('error' in a) {
      problems.push(`${basename(c.rule.file)}: ${run.target} failed: ${a.error}`);
      continue;
    }
    for (const [k, idx] of meetingByShape(c)) {
      if (k > 1) continue;
      for (const i of idx) {
        const e = c.events[i]!;
        if (a.got[i] === null) continue;
        if (a.got[i]) fired++;
        else problems.push(`${basename(c.rule.file)}: ${run.target} does not fire on the shape-${k} event ${e.logical.note}: ${JSON.stringify(run.target.match(/lucene|esql|eql/) ? e.ecs : e.windows)}\n  query: ${a.query.slice(0, 500)}`);
      }
    }
    c.events.forEach((e, i) => {
      if (a.got[i] !== null && a.got[i] !== e.expected && !(e.logical.kind === 'meets' && e.shape <= 1))
        problems.push(`${basename(c.rule.file)}: ${run.target} says ${a.got[i] ? 'match' : 'no match'} on ${e.logical.kind} ${e.logical.note} (shape ${e.shape}), the oracle ${e.expected ? 'match' : 'no match'}`);
    });
  }
  process.stdout.write(`  ${run.target}: ${fired} meeting events fired, ${refused} rules refused, ${problems.length} problems\n`);
  assert.deepEqual(problems.slice(0, 10), [], `${problems.length} problems`);
  assert.ok(fired > 0, `${run.target} fired on nothing`);
}

test('the engine (Detector, windows pipeline) fires on them', () => assertFires(runEngine(pinned().corpus)));
test('DuckDB fires on them', async () => assertFires(await runDuckdb(pinned().corpus)));
test('PostgreSQL fires on them', { skip: needs('postgres') }, () => {
  const cluster = PgCluster.start();
  try {
    assertFires(runPostgres(pinned().corpus, cluster));
  } finally {
    cluster.stop();
  }
});
for (const target of ELASTIC_TARGETS) test(`${target} (ecs-windows) fires on them`, () => assertFires(runElastic(pinned().corpus, target)));

const TEXT_TARGETS: Array<[string, string]> = [
  ['kql', 'sentinel-event'],
  ['kql', 'sentinel-windowsevent'],
  ['spl', 'splunk-windows'],
];

for (const [target, pipeline] of TEXT_TARGETS) {
  test(`${target} with ${pipeline} joins the names' missing-field tests with AND`, () => {
    const { fields } = pinned();
    const chain = targetPipelineChain(target, pipeline);
    const shaper = new Shaper(pipeline, chain);
    const problems: string[] = [];
    let checked = 0;
    for (const [rule, fs] of fields) {
      const r = convertRule(rule, TARGETS[target]!.backend, chain);
      if (!r.ok) {
        problems.push(`${basename(rule.file)}: not converted [${r.code}] ${r.error}`);
        continue;
      }
      for (const f of fs) {
        const names = shaper.namesOf(rule.logsource, f);
        if (names.length < 2) {
          problems.push(`${basename(rule.file)}: ${pipeline} gives ${f} one name`);
          continue;
        }
        // KQL reads a nested name (`EventData.Image`) into a column of its last segment (kql-conditions.ts does the same).
        const leaf = (n: string) => n.split('.').pop()!;
        const joins = nullTestJoins(r.query, leaf(names[0]!), leaf(names[1]!));
        checked++;
        if (!joins.includes('and') || joins.includes('or')) problems.push(`${basename(rule.file)}: the missing-field tests of ${names.join(' and ')} are joined by [${joins.join(', ')}]\n  ${r.query.slice(-600)}`);
      }
    }
    process.stdout.write(`  ${target} ${pipeline}: ${checked} missing-field tests checked\n`);
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} problems`);
  });
}

test('the join reader tells AND from OR in both syntaxes and skips value tests', () => {
  assert.deepEqual(nullTestJoins('x and (isempty(Image) or isempty(NewProcessName))', 'Image', 'NewProcessName'), ['or']);
  assert.deepEqual(nullTestJoins('x and (isempty(Image) and isempty(NewProcessName))', 'Image', 'NewProcessName'), ['and']);
  assert.deepEqual(nullTestJoins('x NOT (NOT Image=* OR NOT NewProcessName=*)', 'Image', 'NewProcessName'), ['or']);
  assert.deepEqual(nullTestJoins('x NOT (NOT Image=* NOT NewProcessName=*)', 'Image', 'NewProcessName'), ['and']);
  assert.deepEqual(nullTestJoins('(Image endswith "a" or NewProcessName endswith "a") and ParentImage=*', 'Image', 'NewProcessName'), []);
});
