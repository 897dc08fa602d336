// How `hunt --workers` cuts inputs into shares: every chunk slot of a big EVTX file in exactly one
// share, in order, the input's last share marked; with several threads the last input's runs get
// shorter towards its end (so the threads finish together), never shorter than an eighth of a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { planShares, huntThreads, type ShareableInput } from '../../src/hunt/shares.js';
import { evtxChunkSlots } from '../../src/sources/evtx-source.js';

/** A sparse file of `bytes` named as EVTX (planning reads only its size). */
function sized(dir: string, name: string, bytes: number): ShareableInput {
  const file = path.join(dir, name);
  const fd = openSync(file, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return { source: { name: file, format: 'evtx' } as ShareableInput['source'] };
}

test('chunk shares cover every slot once, in order; the last input tapers when several threads hunt', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'quarry-shares-'));
  try {
    const big = sized(dir, 'big.evtx', 64 * 1024 * 1024);
    const other = sized(dir, 'other.evtx', 40 * 1024 * 1024);
    const small = sized(dir, 'small.evtx', 3 * 1024 * 1024);
    const slots = (i: ShareableInput) => evtxChunkSlots(64 * 1024 * 1024 * (i === big ? 1 : 0) + (i === other ? 40 * 1024 * 1024 : 0) + (i === small ? 3 * 1024 * 1024 : 0));
    for (const threads of [1, 2, 3, 8]) {
      const inputs = [other, small, big];
      const shares = planShares(inputs, 64, threads);
      assert.deepEqual(shares.map((s) => s.id), shares.map((_, i) => i));
      for (const [index, input] of inputs.entries()) {
        const mine = shares.filter((s) => s.input === index);
        assert.equal(mine.filter((s) => s.last).length, 1);
        assert.equal(mine.at(-1)!.last, true);
        if (input === small) {
          assert.equal(mine.length, 1);
          assert.equal(mine[0]!.chunks, undefined); // a small file is one whole share
          continue;
        }
        let next = 0;
        for (const s of mine) {
          assert.equal(s.chunks!.from, next, `threads ${threads}: runs follow each other`);
          const run = s.chunks!.to - s.chunks!.from;
          assert.ok(run <= 64 && run >= 8, `threads ${threads}: a run of ${run}`);
          next = s.chunks!.to;
        }
        assert.equal(next, slots(input));
        const runs = mine.map((s) => s.chunks!.to - s.chunks!.from);
        if (threads > 1 && input === big) {
          // tapered: shorter towards the end (the last run may hold a remainder under 8 slots)
          assert.ok(runs.at(-1)! < 16 && runs.at(-2)! < 16, runs.join(','));
          for (let k = 1; k < runs.length - 1; k++) assert.ok(runs[k]! <= runs[k - 1]!, runs.join(','));
        } else assert.ok(runs.slice(0, -1).every((r) => r === 64), `threads ${threads}: full runs except the last (${runs.join(',')})`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('huntThreads: asked for, or one per idle processor from 192 MB of inputs that can be shared', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'quarry-shares-'));
  try {
    const big = sized(dir, 'big.evtx', 200 * 1024 * 1024);
    const mid = sized(dir, 'mid.evtx', 100 * 1024 * 1024);
    assert.equal(huntThreads(3, [mid], 2, 0), 3);
    assert.equal(huntThreads(3, [mid], 2, 9), 3, 'asked for: whatever the load');
    assert.equal(huntThreads(0, [big], 2, 0), 1);
    assert.equal(huntThreads(undefined, [big], 2, 0), 2);
    assert.equal(huntThreads(undefined, [big], 2, 0.9), 2, 'less than a processor busy');
    assert.equal(huntThreads(undefined, [big], 2, 1.2), 1, 'one of two processors busy with other work');
    assert.equal(huntThreads(undefined, [big], 4, 2.5), 2, 'two of four idle');
    assert.equal(huntThreads(undefined, [big], 1, 0), 1);
    assert.equal(huntThreads(undefined, [mid], 2, 0), 1);
    assert.equal(huntThreads(undefined, [{ source: { name: '-', format: 'json' } as ShareableInput['source'] }], 2, 0), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
