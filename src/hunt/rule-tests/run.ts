// `quarry test PATH…`: every rule under the paths with a `regression_tests_path` runs its SigmaHQ
// regression samples, and every Quarry test file (`*.test.yml`) runs its tests, each through the
// hunt road (run-sample.ts). A failure carries the reason and the explain of the sample's events.
// Nothing is dropped quietly: a rule that does not load fails, a test that cannot be run is
// skipped with its reason, and both are counted.
import { performance } from 'node:perf_hooks';
import { sep } from 'node:path';
import { addParsedFile, checkCollection, emptyCollection, listRuleFiles, pipelineFilesNote, readRuleFile, type SigmaCollection } from '../../sigma/load.js';
import { formatDiagnostic } from '../../sigma/diagnostics.js';
import type { SigmaRule } from '../../sigma/model.js';
import type { ProcessingPipeline } from '../../pipeline/types.js';
import { resolvePipelines } from '../../pipeline/resolve.js';
import type { RegexFactory } from '../../engine/regex.js';
import { createExplainer, type ExplainedEvent } from '../explain-events.js';
import type { SourceProblem } from '../../sources/types.js';
import { repositoryRoot } from './repository-root.js';
import { isKnownRegressionType, readRegressionInfo, sampleFile, type RegressionEntry } from './sigmahq-info.js';
import { readQuarryTestFile, type QuarryTest, type QuarryTestFile } from './test-file.js';
import { runSample, ruleKeyOf, type Sample, type SampleOutcome } from './run-sample.js';
import { TestFileError } from './yaml-fields.js';
import type { TestCaseResult, TestRun } from './types.js';

export interface RuleTestOptions {
  pipelines: ProcessingPipeline[];
  regex: RegexFactory;
  /** How many of a failing sample's events to explain (default 3). */
  explainEvents?: number;
}

const inRegressionData = (f: string) => f.split(/[\\/]/).includes('regression_data');

function loadCollection(files: string[]): SigmaCollection {
  const col = emptyCollection();
  for (const f of files) addParsedFile(col, readRuleFile(f));
  checkCollection(col);
  return col;
}

const ruleRef = (r: SigmaRule) => ({ ...(r.id ? { id: r.id } : {}), title: r.title, file: r.file });

export async function runRuleTests(paths: string[], opts: RuleTestOptions): Promise<TestRun> {
  const started = performance.now();
  const listing = listRuleFiles(paths);
  // SigmaHQ's info.yml files live under regression_data/: they are test data, not rules.
  const ruleFiles = listing.files.filter((f) => !inRegressionData(f));
  const testFiles = listing.tests;
  const col = loadCollection(ruleFiles);
  for (const p of listing.problems) addParsedFile(col, p);
  const cases: TestCaseResult[] = [];

  // A rule that does not load cannot pass its tests: one failed case per rejected document.
  for (const r of col.rejected) {
    const d = r.diagnostics.find((x) => x.severity === 'error');
    cases.push({ suite: r.file, rule: { title: r.title || `document ${r.docIndex + 1}`, file: r.file }, name: 'rule loads', sample: '-', expected: 'the rule loads', status: 'failed', reason: d ? formatDiagnostic(d) : 'rejected', notes: [] });
  }

  const tested = new Set<string>();
  for (const rule of col.rules) {
    if (!rule.regressionTestsPath) continue;
    tested.add(ruleKeyOf(rule));
    cases.push(...(await regressionCases(rule, col, opts)));
  }
  for (const file of testFiles) {
    const out = await testFileCases(file, opts);
    for (const k of out.rules) tested.add(k);
    cases.push(...out.cases);
  }

  const run: TestRun = { cases, passed: 0, failed: 0, skipped: 0, skipReasons: new Map(), ruleFiles: ruleFiles.length - col.pipelineFiles.length, testFiles: testFiles.length, pipelineFiles: col.pipelineFiles, pipelineNote: col.pipelineFiles.length ? pipelineFilesNote(col.pipelineFiles) : null, untested: col.rules.filter((r) => !tested.has(ruleKeyOf(r))).length, seconds: 0 };
  for (const c of cases) {
    run[c.status]++;
    if (c.status === 'skipped') run.skipReasons.set(c.reason!.split(':')[0]!, (run.skipReasons.get(c.reason!.split(':')[0]!) ?? 0) + 1);
  }
  run.seconds = (performance.now() - started) / 1000;
  return run;
}

/** The first events of a sample explained for one collection (a failure's "why"). */
async function explainSample(col: SigmaCollection, sample: Sample, pipelines: ProcessingPipeline[], opts: RuleTestOptions, onlyDetected: boolean): Promise<ExplainedEvent[]> {
  const max = opts.explainEvents ?? 3;
  const explainer = createExplainer(col, { pipelines, regex: opts.regex });
  const out: ExplainedEvent[] = [];
  const keep = (ev: ExplainedEvent) => !onlyDetected || ev.rules.some((r) => r.detected);
  if ('events' in sample) return explainer.explainEvents(sample.events, sample.name).filter(keep).slice(0, max);
  const problems: SourceProblem[] = [];
  for await (const ev of explainer.explainFile(sample.file, problems)) {
    if (keep(ev)) out.push(ev);
    if (out.length >= max) break;
  }
  return out;
}

function single(rule: SigmaRule, col: SigmaCollection): SigmaCollection {
  return { ...emptyCollection(), rules: [rule], files: 1, filters: [], correlations: [], diagnostics: col.diagnostics.filter((d) => d.file === rule.file) };
}

async function regressionCases(rule: SigmaRule, col: SigmaCollection, opts: RuleTestOptions): Promise<TestCaseResult[]> {
  const base = { rule: ruleRef(rule), notes: [] as string[] };
  const root = repositoryRoot(rule.file);
  if (!root) return [{ ...base, suite: rule.file, name: 'regression tests', sample: rule.regressionTestsPath!, expected: 'info.yml found', status: 'failed', reason: `regression_tests_path '${rule.regressionTestsPath}': no folder above the rule holds regression_data/ or .git, so the repository root is unknown` }];
  const infoPath = [root, ...rule.regressionTestsPath!.split(/[\\/]/)].join(sep);
  let info;
  try {
    info = readRegressionInfo(infoPath, root);
  } catch (e) {
    if (!(e instanceof TestFileError)) throw e;
    return [{ ...base, suite: infoPath, name: 'regression tests', sample: infoPath, expected: 'a readable info.yml', status: 'failed', reason: `regression_tests_path: ${e.message}` }];
  }
  const out: TestCaseResult[] = [];
  const idNote = rule.id && info.ruleIds.length && !info.ruleIds.includes(rule.id) ? [`info.yml's rule_metadata names ${info.ruleIds.join(', ')}, not this rule's id ${rule.id}`] : [];
  for (const entry of info.entries) out.push(await regressionCase(rule, col, entry, infoPath, opts, idNote));
  return out;
}

async function regressionCase(rule: SigmaRule, col: SigmaCollection, entry: RegressionEntry, suite: string, opts: RuleTestOptions, notes: string[]): Promise<TestCaseResult> {
  const expected = `at least ${entry.matchCount ?? 1} match${(entry.matchCount ?? 1) === 1 ? '' : 'es'}`;
  const c: TestCaseResult = { suite, rule: ruleRef(rule), name: entry.name, sample: entry.path, expected, status: 'passed', notes: [...notes] };
  if (!isKnownRegressionType(entry.type)) return { ...c, status: 'skipped', reason: `test type not supported: '${entry.type}' (evtx, json, ndjson, jsonl are)` };
  if (entry.filters.length) return { ...c, status: 'skipped', reason: `filters in info.yml not supported: ${entry.filters.join(', ')}` };
  const found = sampleFile(entry);
  if (!found) return { ...c, status: 'failed', reason: `sample not found: ${entry.path}` };
  if (found.note) c.notes.push(found.note);
  c.sample = found.file;
  let pipelines = opts.pipelines;
  if (entry.pipelines.length) {
    const r = resolvePipelines(entry.pipelines, true);
    if (r.errors.length) return { ...c, status: 'failed', reason: `pipeline: ${formatDiagnostic(r.errors[0]!)}` };
    pipelines = r.pipelines;
  }
  const one = single(rule, col);
  const outcome = await runSample(one, { file: found.file }, { pipelines, regex: opts.regex });
  if (outcome.cannotRun.length) return { ...c, status: 'skipped', reason: `rule cannot run in the engine: ${outcome.cannotRun.join('; ')}` };
  const got = outcome.matches.get(ruleKeyOf(rule)) ?? 0;
  c.matches = got;
  c.events = outcome.events;
  if (outcome.problems.length) c.notes.push(...outcome.problems.map((p) => `unreadable: ${p}`));
  const want = entry.matchCount ?? 1;
  if (got >= want) {
    if (entry.matchCount !== undefined && got > want) c.notes.push(`match_count below the matches: ${got} matches, info.yml expects ${want}`);
    return c;
  }
  return { ...c, status: 'failed', reason: `${got} of ${outcome.events} events matched, expected ${expected}`, explained: await explainSample(one, { file: found.file }, pipelines, opts, false) };
}

async function testFileCases(file: string, opts: RuleTestOptions): Promise<{ cases: TestCaseResult[]; rules: string[] }> {
  let tf: QuarryTestFile;
  try {
    tf = readQuarryTestFile(file);
  } catch (e) {
    if (!(e instanceof TestFileError)) throw e;
    return { cases: [{ suite: file, rule: { title: '(test file)', file }, name: 'test file', sample: file, expected: 'a readable test file', status: 'failed', reason: e.message, notes: [] }], rules: [] };
  }
  const col = loadCollection(tf.ruleFiles);
  const head = col.rules[0] ?? col.correlations[0];
  const rule = head ? { ...(head.id ? { id: head.id } : {}), title: head.title, file: head.file } : { title: '(no rule)', file: tf.ruleFiles[0]! };
  if (col.rejected.length || !head) {
    const d = col.rejected.flatMap((r) => r.diagnostics).find((x) => x.severity === 'error');
    const reason = d ? `rule does not load: ${formatDiagnostic(d)}` : `no rule in ${tf.ruleFiles.join(', ')}`;
    return { cases: tf.tests.map((t) => ({ suite: file, rule, name: t.name, sample: sampleName(t), expected: expectedText(t), status: 'failed' as const, reason, notes: [] })), rules: [] };
  }
  let pipelines = opts.pipelines;
  if (tf.pipelines) {
    const r = resolvePipelines(tf.pipelines.map((p) => p), false);
    if (r.errors.length) {
      const reason = `pipeline: ${formatDiagnostic(r.errors[0]!)}`;
      return { cases: tf.tests.map((t) => ({ suite: file, rule, name: t.name, sample: sampleName(t), expected: expectedText(t), status: 'failed' as const, reason, notes: [] })), rules: [] };
    }
    pipelines = r.pipelines;
  }
  const cases: TestCaseResult[] = [];
  for (const t of tf.tests) {
    const sample: Sample = 'file' in t.sample ? { file: t.sample.file } : { events: t.sample.events, name: `${file}:${t.line}` };
    const c: TestCaseResult = { suite: file, rule, name: t.name, sample: sampleName(t), expected: expectedText(t), status: 'passed', notes: [] };
    const outcome = await runSample(col, sample, { pipelines, regex: opts.regex });
    c.events = outcome.events;
    c.matches = [...outcome.matches.values()].reduce((a, b) => a + b, 0);
    if (outcome.problems.length) c.notes.push(...outcome.problems.map((p) => `unreadable: ${p}`));
    if (outcome.cannotRun.length) {
      cases.push({ ...c, status: 'skipped', reason: `rule cannot run in the engine: ${outcome.cannotRun.join('; ')}` });
      continue;
    }
    if (outcome.events === 0) {
      cases.push({ ...c, status: 'failed', reason: `no event could be read from ${c.sample}${outcome.problems.length ? ` (${outcome.problems[0]})` : ''}` });
      continue;
    }
    const verdict = judge(t, outcome);
    if (verdict) {
      const wantedMatch = t.expect.kind === 'match' ? t.expect.match : t.expect.kind === 'count' ? t.expect.count > 0 : true;
      cases.push({ ...c, status: 'failed', reason: verdict, explained: await explainSample(col, sample, pipelines, opts, !wantedMatch) });
    } else cases.push(c);
  }
  return { cases, rules: col.rules.map(ruleKeyOf) };
}

function sampleName(t: QuarryTest): string {
  return 'file' in t.sample ? t.sample.file : `inline (${t.sample.events.length} event${t.sample.events.length === 1 ? '' : 's'})`;
}

function expectedText(t: QuarryTest): string {
  switch (t.expect.kind) {
    case 'match':
      return t.expect.match ? 'a match' : 'no match';
    case 'count':
      return `exactly ${t.expect.count} match${t.expect.count === 1 ? '' : 'es'}`;
    case 'fires':
      return t.expect.groups.length ? `groups fire: ${t.expect.groups.map(groupText).join(', ')}` : 'no correlation fires';
  }
}

const groupText = (g: Record<string, string>) => `{${Object.entries(g).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(', ')}}`;

/** Null when the outcome meets the expectation; otherwise why not, in one line. */
function judge(t: QuarryTest, o: SampleOutcome): string | null {
  const total = [...o.matches.values()].reduce((a, b) => a + b, 0);
  switch (t.expect.kind) {
    case 'match':
      if (t.expect.match && total === 0) return `no event of ${o.events} matched, expected a match`;
      if (!t.expect.match && total > 0) return `${total} of ${o.events} events matched, expected no match`;
      return null;
    case 'count':
      return total === t.expect.count ? null : `${total} of ${o.events} events matched, expected exactly ${t.expect.count}`;
    case 'fires': {
      const want = new Set(t.expect.groups.map(groupText));
      const got = new Set(o.fired.map((f) => groupText(f.group)));
      const missing = [...want].filter((g) => !got.has(g));
      const extra = [...got].filter((g) => !want.has(g));
      if (!missing.length && !extra.length) return null;
      return [missing.length ? `did not fire: ${missing.join(', ')}` : '', extra.length ? `fired unexpectedly: ${extra.join(', ')}` : ''].filter(Boolean).join('; ');
    }
  }
}
