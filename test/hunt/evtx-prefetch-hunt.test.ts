// `quarry hunt`'s read-ahead of EVTX inputs (setup.ts `startHuntPrefetch`, sources/evtx-prefetch.ts)
// against the plain hunt: the same detections in the same order, the same counts, routing and
// problems, on the EVTX samples and on a mixed folder (JSON, EVTX, Zeek proxy logs) with a correlation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { setupHunt, startHuntPrefetch } from '../../src/hunt/setup.js';
import { hunt, type HuntSummary } from '../../src/hunt/hunt.js';
import { toJsonLine, type HuntDetection } from '../../src/hunt/detection.js';
import { makeMixedFolder } from './mixed-folder.js';
import { EvtxPrefetch } from '../../src/sources/evtx-prefetch.js';

const DATA = path.resolve('../shared/data');
const EVTX = path.join(DATA, 'evtx');
const BUILTIN_RULES = path.join(DATA, 'sigmahq/rules/windows/builtin');

async function run(rules: string[], inputs: string[], prefetch?: EvtxPrefetch) {
  try {
    await prefetch?.finished(); // all read ahead, as when the rules take longer to load than the EVTX to read
    const col = loadSigmaPaths(rules);
    const setup = await setupHunt(col, inputs, { pipelines: [builtinPipeline('windows')!], formatPipelines: true, regex: re2Regex, ...(prefetch ? { prefetch } : {}) });
    const detections: HuntDetection[] = [];
    const summary = await hunt(setup.prepared.set, setup.inputs, { regex: re2Regex, correlation: setup.correlation, onDetection: (d) => void detections.push(d) });
    // the read-ahead really served every EVTX input
    if (prefetch) assert.deepEqual(prefetch.stats, { given: summary.inputs.filter((i) => i.format === 'evtx').length, takenOver: 0 });
    return { summary: plainSummary(summary), lines: detections.map(toJsonLine), correlated: detections.filter((d) => d.correlation).length, openProblems: setup.openProblems };
  } finally {
    prefetch?.close();
  }
}

function plainSummary(s: HuntSummary) {
  return { ...s, perRule: [...s.perRule], perLevel: [...s.perLevel] };
}

test('the EVTX samples read ahead: the plain hunt\'s detections, order, counts and problems', async () => {
  const plain = await run([BUILTIN_RULES], [EVTX]);
  const ahead = await run([BUILTIN_RULES], [EVTX], new EvtxPrefetch([EVTX]));
  assert.ok(plain.lines.length > 100, `${plain.lines.length} detections`);
  assert.deepEqual(ahead.lines, plain.lines);
  assert.deepEqual(ahead.summary, plain.summary);
});

test('a mixed folder with a correlation, its EVTX files read ahead: the plain hunt\'s result', async () => {
  const dir = makeMixedFolder('quarry-prefetch-');
  try {
    const rules = ['examples/rules', 'examples/correlations', BUILTIN_RULES];
    // inputs the read-ahead lists: a folder, a missing path, a file that is not EVTX
    const inputs = [dir, path.join(dir, 'missing.evtx'), 'examples/logs/proxy.ndjson'];
    const plain = await run(rules, inputs);
    const ahead = await run(rules, inputs, new EvtxPrefetch(inputs));
    assert.equal(plain.openProblems.length, 1);
    assert.deepEqual(ahead.openProblems, plain.openProblems);
    assert.ok(plain.correlated > 0, 'the example correlation fires');
    assert.ok(plain.summary.inputs.filter((i) => i.format === 'evtx').length === 3);
    assert.deepEqual(ahead.lines, plain.lines);
    assert.deepEqual(ahead.summary, plain.summary);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no read-ahead when --workers is given (1 means this thread alone) or no input can be EVTX', () => {
  assert.equal(startHuntPrefetch([EVTX], 1), undefined);
  assert.equal(startHuntPrefetch([EVTX], 2), undefined);
  assert.equal(startHuntPrefetch([], undefined), undefined);
  assert.equal(startHuntPrefetch(['-', path.join(DATA, 'proxy/zeek-tsv-simda-dga-http.log'), 'examples/logs/proxy.ndjson', 'no/such/file'], undefined), undefined);
  const started = startHuntPrefetch([path.join(EVTX, 'evtx-crate/security.evtx')], undefined);
  assert.ok(started);
  started.close();
});
