// `hunt` with worker threads against the one-thread hunt: the same detections in the same order,
// the same counts, routing, problems and correlations, on the EVTX samples split into chunk shares
// and on a mixed folder (JSON, EVTX, Zeek proxy logs) with a correlation; a worker that dies and an
// input that a worker cannot read are reported, not lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { openHuntInputs, setupHunt, type HuntSetupOptions } from '../../src/hunt/setup.js';
import { hunt, type HuntSummary, type HuntWorkers } from '../../src/hunt/hunt.js';
import { toJsonLine, type HuntDetection } from '../../src/hunt/detection.js';
import { makeMixedFolder } from './mixed-folder.js';
import { planShares } from '../../src/hunt/shares.js';

const DATA = path.resolve('../shared/data');
const EVTX = path.join(DATA, 'evtx');
const BUILTIN_RULES = path.join(DATA, 'sigmahq/rules/windows/builtin');

async function run(rules: string[], inputs: string[], workers?: Omit<HuntWorkers, 'rules'>) {
  const col = loadSigmaPaths(rules);
  const setup = await setupHunt(col, inputs, { pipelines: [builtinPipeline('windows')!], formatPipelines: true, regex: re2Regex });
  const detections: HuntDetection[] = [];
  const summary = await hunt(setup.prepared.set, setup.inputs, {
    regex: re2Regex,
    correlation: setup.correlation,
    onDetection: (d) => void detections.push(d),
    ...(workers ? { workers: { ...workers, rules: setup.recipe } } : {}),
  });
  return { detections, summary, setup, lines: detections.map(toJsonLine) };
}

function plainSummary(s: HuntSummary) {
  return { ...s, perRule: [...s.perRule], perLevel: [...s.perLevel] };
}

test('EVTX samples cut into chunk shares, hunted by two workers only: the one-thread detections, order, counts and problems', async () => {
  const plain = await run([BUILTIN_RULES], [EVTX]);
  const split = await run([BUILTIN_RULES], [EVTX], { threads: 3, hereToo: false, chunksPerShare: 2 });
  // the split really happened: the bad-magic sample (problems in several chunks) is cut in several shares
  const shares = planShares(plain.setup.inputs, 2);
  assert.ok(shares.filter((s) => s.file.endsWith('sample_with_a_bad_chunk_magic.evtx')).length > 3);
  assert.ok(plain.detections.length > 100, `${plain.detections.length} detections`);
  assert.deepEqual(split.lines, plain.lines);
  assert.deepEqual(plainSummary(split.summary), plainSummary(plain.summary));
  assert.ok(plain.summary.inputs.some((i) => i.problemCount > 100));
});

test('a mixed folder (JSON, EVTX, Zeek JSON and TSV) with a correlation: workers and this thread together give the one-thread result', async () => {
  const dir = makeMixedFolder('quarry-par-');
  try {
    const rules = ['examples/rules', 'examples/correlations', BUILTIN_RULES];
    const plain = await run(rules, [dir]);
    assert.ok(plain.setup.correlation, 'the example correlation runs');
    const corr = plain.detections.filter((d) => d.correlation).length;
    assert.ok(corr >= 1, 'the correlation fires');
    assert.deepEqual(new Set(plain.setup.inputs.map((i) => i.source.format)), new Set(['json', 'evtx', 'zeek-json', 'zeek-tsv']));
    for (const workers of [{ threads: 2, hereToo: false }, { threads: 3, chunksPerShare: 3 }]) {
      const par = await run(rules, [dir], workers);
      assert.deepEqual(par.lines, plain.lines, JSON.stringify(workers));
      assert.deepEqual(plainSummary(par.summary), plainSummary(plain.summary));
      assert.deepEqual(par.setup.correlation!.correlator.stats, plain.setup.correlation!.correlator.stats);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a worker that dies fails the hunt, naming the share it was hunting; the detections before it were delivered in order', async () => {
  const inputs = ['windows/mdec-system-7045-new-service.evtx', 'evtx-crate/security.evtx', 'windows/mdec-security-wmiexec-1023-events.evtx'].map((f) => path.join(EVTX, f));
  const plain = await run([BUILTIN_RULES], inputs);
  const script = new URL('./crashing-hunt-worker.js', import.meta.url);
  const got: HuntDetection[] = [];
  const col = loadSigmaPaths([BUILTIN_RULES]);
  const setup = await setupHunt(col, inputs, { pipelines: [builtinPipeline('windows')!], formatPipelines: true, regex: re2Regex });
  await assert.rejects(
    hunt(setup.prepared.set, setup.inputs, { regex: re2Regex, onDetection: (d) => void got.push(d), workers: { threads: 2, hereToo: false, rules: setup.recipe, script } }),
    /worker thread hunting .*security\.evtx stopped: exited with code 70/,
  );
  const first = plain.detections.filter((d) => d.source.file === inputs[0]).map(toJsonLine);
  assert.ok(first.length > 0);
  assert.deepEqual(got.map(toJsonLine), first);
});

test('an input a worker cannot open any more: an EVTX file is a problem of that input as in one thread, a JSON file fails the hunt with its name', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'quarry-par-'));
  try {
    const evtx = path.join(dir, 'gone.evtx');
    const json = path.join(dir, 'gone.json');
    copyFileSync(path.join(EVTX, 'windows/mdec-system-7045-new-service.evtx'), evtx);
    copyFileSync('examples/logs/security-cleared.json', json);
    const col = loadSigmaPaths([BUILTIN_RULES]);
    const open = async () => setupHunt(col, [evtx], { pipelines: [builtinPipeline('windows')!], formatPipelines: true, regex: re2Regex });
    const a = await open();
    const b = await open();
    unlinkSync(evtx);
    const one = await hunt(a.prepared.set, a.inputs, { regex: re2Regex, onDetection: () => {} });
    const two = await hunt(b.prepared.set, b.inputs, { regex: re2Regex, onDetection: () => {}, workers: { threads: 2, hereToo: false, rules: b.recipe } });
    assert.equal(one.inputs[0]!.problemCount, 1);
    assert.match(one.inputs[0]!.problems[0]!.message, /cannot open/);
    assert.deepEqual(plainSummary(two), plainSummary(one));

    const c = await setupHunt(col, [json], { pipelines: [builtinPipeline('windows')!], formatPipelines: true, regex: re2Regex });
    unlinkSync(json);
    await assert.rejects(hunt(c.prepared.set, c.inputs, { regex: re2Regex, onDetection: () => {}, workers: { threads: 2, hereToo: false, rules: c.recipe } }), /gone\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stopped (SIGINT) while workers hunt: the summary says interrupted, what came before is in order, the workers end', async () => {
  const plain = await run([BUILTIN_RULES], [EVTX]);
  const col = loadSigmaPaths([BUILTIN_RULES]);
  const setup = await setupHunt(col, [EVTX], { pipelines: [builtinPipeline('windows')!], formatPipelines: true, regex: re2Regex });
  const stop = new AbortController();
  const got: string[] = [];
  const summary = await hunt(setup.prepared.set, setup.inputs, {
    regex: re2Regex,
    signal: stop.signal,
    onDetection: (d) => {
      got.push(toJsonLine(d));
      if (got.length === 20) stop.abort();
    },
    workers: { threads: 3, hereToo: false, chunksPerShare: 2, rules: setup.recipe },
  });
  assert.equal(summary.interrupted, true);
  assert.ok(got.length >= 20 && got.length < plain.lines.length);
  assert.deepEqual(got, plain.lines.slice(0, got.length));
});

/** A rule of the Security log on one event id: 583 events of security.evtx are 4624, 459 are 4672. */
const probe = (eventId: number) => `title: Probe of the Security log
id: 0d6a7a3c-5b7e-4f57-9a43-3f3b1c1d2e01
status: test
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: ${eventId}
    condition: selection
level: low
`;

test('workers that load the rule paths themselves (as quarry hunt starts them): the one-thread result; a worker that loaded other rules is let go', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'quarry-par-'));
  try {
    const rules = path.join(dir, 'rules');
    mkdirSync(rules);
    for (const f of readdirSync(path.join(BUILTIN_RULES, 'security')).filter((f) => f.endsWith('.yml'))) copyFileSync(path.join(BUILTIN_RULES, 'security', f), path.join(rules, f));
    writeFileSync(path.join(rules, 'probe.yml'), probe(4624));
    const inputs = [path.join(EVTX, 'evtx-crate/security.evtx')];
    const opts: HuntSetupOptions = { pipelines: [builtinPipeline('windows')!], formatPipelines: true, regex: re2Regex, threads: 3 };
    const huntWith = async (change?: () => void) => {
      const opened = await openHuntInputs(inputs, opts, { paths: [rules], cache: false });
      assert.equal(opened.workers?.threads, 3);
      if (change) {
        // once the workers have built their rules from the paths, before this thread loads them
        while (!opened.workers!.pool.threads.every((t) => t.ready)) await new Promise((r) => setTimeout(r, 20));
        change();
      }
      const setup = await setupHunt(loadSigmaPaths([rules]), opened, opts);
      const lines: string[] = [];
      await hunt(setup.prepared.set, setup.inputs, { regex: re2Regex, onDetection: (d) => void lines.push(toJsonLine(d)), workers: { ...setup.workers!, hereToo: false, chunksPerShare: 2 } });
      return { lines, retired: opened.workers!.pool.threads.filter((t) => t.retired).length };
    };

    const same = await huntWith();
    const plain = await run([rules], inputs);
    assert.ok(plain.lines.filter((l) => l.includes('Probe of the Security log')).length >= 500);
    assert.equal(same.retired, 0);
    assert.deepEqual(same.lines, plain.lines);

    // the probe's text changes once the workers have started: they built 4624, this thread 4672
    const changed = await huntWith(() => writeFileSync(path.join(rules, 'probe.yml'), probe(4672)));
    const plainChanged = await run([rules], inputs);
    assert.notDeepEqual(plainChanged.lines, plain.lines);
    assert.equal(changed.retired, 2);
    assert.deepEqual(changed.lines, plainChanged.lines);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
