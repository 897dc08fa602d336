// An interrupted hunt never destroys an earlier result: `quarry hunt --output FILE` writes under a
// staging name and renames at the end; SIGINT mid-way keeps the partial detections beside it
// (FILE.incomplete) with a record saying so, and the explorer shows that record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProxyLogs } from '../../src/generate/index.js';
import { readDetectionsFile } from '../../src/report/detections-read.js';
import { huntInfoSidecar, incompletePath } from '../../src/report/hunt-info.js';
import { startExplorer } from '../../src/server/index.js';
import type { HuntSummaryView } from '../../src/server/api-types.js';
import { REPO } from '../helpers.js';

const RULES = join(REPO, '../shared/data/sigmahq/rules/web');
const BIN = join(REPO, 'bin/quarry.js');

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-interrupt-'));
  const log = join(dir, 'proxy.log');
  // 10,000 Squid lines: about 1,000 detections with the SigmaHQ web rules
  writeFileSync(log, generateProxyLogs({ format: 'squid', lines: 10_000, seed: 3 }).text);
  // the same log 120 times under other names (inputs are read once per path): long enough to be interrupted mid-way
  const many = join(dir, 'many');
  mkdirSync(many);
  for (let i = 0; i < 120; i++) symlinkSync(log, join(many, `proxy-${String(i).padStart(3, '0')}.log`));
  return { dir, log, many };
}

/** Runs a hunt over `inputs`, sends `signal` once its staging file has grown, resolves to its exit code and stderr. */
function interrupt(args: string[], dir: string, signal: NodeJS.Signals = 'SIGINT'): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'hunt', '--quiet', ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    const started = Date.now();
    const poll = setInterval(() => {
      const staged = readdirSync(dir).find((f) => f.endsWith('.partial'));
      if (staged && statSync(join(dir, staged)).size > 0) {
        clearInterval(poll);
        // a moment more, so that detections have been written (DuckDB creates its file at once)
        setTimeout(() => child.kill(signal), 500);
      } else if (Date.now() - started > 60_000) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error('the hunt never started writing'));
      }
    }, 20);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, stderr });
    });
  });
}

for (const format of ['jsonl', 'duckdb'] as const) {
  test(`SIGINT mid-hunt (${format}): the earlier result is intact, the partial one is kept beside and marked incomplete`, { timeout: 120_000 }, async (t) => {
    const { dir, log, many } = setup();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, `hunt.${format}`);
    const first = spawnSync(process.execPath, [BIN, 'hunt', '--quiet', '--rules', RULES, '--format', format, '--output', out, log], { cwd: REPO, encoding: 'utf8' });
    assert.equal(first.status, 0, first.stderr);
    const before = await readDetectionsFile(out);
    assert.ok(before.detections.length > 500, `${before.detections.length} detections in the first hunt`);
    assert.equal(before.info?.completed, true);
    assert.equal(before.info?.detections, before.detections.length);
    const bytes = readFileSync(out);

    const r = await interrupt(['--rules', RULES, '--format', format, '--output', out, many], dir);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted by SIGINT: \d+ detections in \d+ events so far, kept in .*\.incomplete/);

    // the earlier result: byte for byte, still complete
    assert.deepEqual(readFileSync(out), bytes);
    assert.equal((await readDetectionsFile(out)).info?.completed, true);
    // no staging file left behind
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.partial')), []);

    // the partial result, marked as such, with what was written before the signal
    const partial = await readDetectionsFile(incompletePath(out));
    assert.equal(partial.info?.completed, false);
    assert.equal(partial.info?.reason, 'interrupted by SIGINT');
    assert.equal(partial.info?.detections, partial.detections.length);
    assert.ok(partial.detections.length > 0 && partial.info!.events < 120 * 10_000);
    if (format === 'jsonl') assert.ok(existsSync(huntInfoSidecar(incompletePath(out))));

    // the explorer's hunt list says which is which
    const ex = await startExplorer({ rules: [RULES], hunts: [out, incompletePath(out)], port: 0, log: () => {} });
    try {
      const hunts = (await (await fetch(new URL('/api/hunts', ex.url))).json()) as HuntSummaryView[];
      assert.deepEqual(hunts.map((h) => [h.detections, h.info?.completed, h.info?.reason]), [
        [before.detections.length, true, undefined],
        [partial.detections.length, false, 'interrupted by SIGINT'],
      ]);
    } finally {
      await ex.close();
    }
  });
}

test('a hunt killed outright leaves its staging file; the next hunt to the same output removes it and says so', { timeout: 120_000 }, async (t) => {
  const { dir, log, many } = setup();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'hunt.jsonl');
  const killed = await interrupt(['--rules', RULES, '--format', 'jsonl', '--output', out, many], dir, 'SIGKILL');
  assert.equal(killed.code, null);
  const left = readdirSync(dir).filter((f) => f.endsWith('.partial'));
  assert.equal(left.length, 1, `staging files after SIGKILL: ${left}`);
  // a staging file of a process that still runs (this one) is not touched
  const live = `.hunt.jsonl.${process.pid}.partial`;
  writeFileSync(join(dir, live), 'in use\n');

  const again = spawnSync(process.execPath, [BIN, 'hunt', '--quiet', '--rules', RULES, '--format', 'jsonl', '--output', out, log], { cwd: REPO, encoding: 'utf8' });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, new RegExp(`removed .*${left[0]!.replace(/\./g, '\\.')}, left by a hunt that was killed`));
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.partial')), [live]);
  const result = await readDetectionsFile(out);
  assert.equal(result.info?.completed, true);
  assert.equal(result.info?.detections, result.detections.length);
});

test('results files written by other tools (no side-car) read with no completion record', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-nosidecar-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const f = join(dir, 'other.jsonl');
  writeFileSync(f, JSON.stringify({ rule: { title: 'T', path: 'r.yml' }, event: { a: 1 } }) + '\n');
  const got = await readDetectionsFile(f);
  assert.equal(got.detections.length, 1);
  assert.equal(got.info, null);
});
