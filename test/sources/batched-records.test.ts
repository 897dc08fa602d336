// batchedRecords: the records of the batches, in order, with an async generator's manners.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchedRecords } from '../../src/sources/batched-records.js';

async function* batches(list: number[][], log: string[]): AsyncGenerator<number[], void, undefined> {
  try {
    for (const b of list) {
      await null;
      yield b;
    }
    log.push('ended');
  } finally {
    log.push('closed');
  }
}

test('yields every element of every batch in order, empty batches included', async () => {
  const log: string[] = [];
  const seen: number[] = [];
  for await (const x of batchedRecords(batches([[1, 2], [], [3], [], [4, 5, 6]], log))) seen.push(x);
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(log, ['ended', 'closed']);
});

test('a generator may refill one array for every batch', async () => {
  async function* refilled(): AsyncGenerator<number[], void, undefined> {
    const ready: number[] = [];
    for (let b = 0; b < 3; b++) {
      for (let i = 0; i < 3; i++) ready.push(b * 3 + i);
      await null;
      yield ready;
      ready.length = 0;
    }
  }
  const seen: number[] = [];
  for await (const x of batchedRecords(refilled())) seen.push(x);
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
});

test('leaving a for await early closes the generator (so a reader closes its input)', async () => {
  const log: string[] = [];
  const seen: number[] = [];
  for await (const x of batchedRecords(batches([[1, 2], [3, 4]], log))) {
    seen.push(x);
    if (x === 3) break;
  }
  assert.deepEqual(seen, [1, 2, 3]);
  assert.deepEqual(log, ['closed']);
});

test('next() calls made before the previous one settled are answered in order', async () => {
  const it = batchedRecords(batches([[1], [2, 3]], []));
  const results = await Promise.all([it.next(), it.next(), it.next(), it.next(), it.next()]);
  assert.deepEqual(
    results.map((r) => (r.done ? 'done' : r.value)),
    [1, 2, 3, 'done', 'done'],
  );
});

test("the generator's error reaches the consumer, once; then the iteration is done", async () => {
  async function* failing(): AsyncGenerator<number[], void, undefined> {
    yield [1];
    throw new Error('read error');
  }
  const it = batchedRecords(failing());
  assert.deepEqual(await it.next(), { value: 1, done: false });
  await assert.rejects(it.next(), /read error/);
  assert.deepEqual(await it.next(), { value: undefined, done: true });
});
