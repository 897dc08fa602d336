// `quarry hunt --workers N` as a user runs it: the results file, its completion side-car, the
// summary on standard error and the exit status are those of `--workers 1`, with the options that
// work on the detections after the hunt (time sort, duplicates, per-rule limit) and a correlation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA, REPO } from '../helpers.js';

const BUILTIN = join(DATA, 'sigmahq/rules/windows/builtin');
const EVTX = join(DATA, 'evtx');

function hunt(dir: string, workers: string, ...args: string[]) {
  const out = join(dir, `w${workers}.jsonl`);
  const r = spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), 'hunt', '--workers', workers, '--format', 'jsonl', '--output', out, ...args], { encoding: 'utf8', cwd: REPO });
  const info = JSON.parse(readFileSync(`${out}.hunt.json`, 'utf8')) as Record<string, unknown>;
  delete info.started;
  delete info.finished;
  // the summary, without the banner's timing-free lines that name the output
  const summary = r.stderr.slice(r.stderr.indexOf('Summary:'));
  return { status: r.status, lines: readFileSync(out, 'utf8'), info, summary, stderr: r.stderr };
}

test('--workers 3 against --workers 1: same detections file, side-car, summary and exit status (time sort, dedupe, per-rule limit, a correlation, problems)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-workers-cli-'));
  try {
    const args = ['--rules', join(BUILTIN, 'system'), '--rules', join(BUILTIN, 'security'), '--rules', join(REPO, 'examples/correlations'), '--rules', join(REPO, 'examples/rules'),
      '--sort', 'time', '--dedupe', '--limit-per-rule', '3', join(EVTX, 'bits'), join(EVTX, 'windows'), join(EVTX, 'evtx-crate'), join(REPO, 'examples/logs')];
    const one = hunt(dir, '1', ...args);
    const three = hunt(dir, '3', ...args);
    assert.equal(one.status, 3, one.stderr); // records of the damaged samples are unreadable: partial
    assert.ok(one.lines.split('\n').length > 50);
    assert.match(one.lines, /"type":"correlation"/);
    assert.match(one.summary, /Not written \(--limit-per-rule 3\)/);
    assert.equal(three.status, one.status);
    assert.equal(three.lines, one.lines);
    assert.deepEqual(three.info, one.info);
    assert.equal(three.summary, one.summary);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--workers takes a whole number', () => {
  const r = spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), 'hunt', '--workers', 'two', '--rules', BUILTIN, EVTX], { encoding: 'utf8', cwd: REPO });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--workers must be a whole number \(0 or 1: one thread\), not 'two'/);
});
