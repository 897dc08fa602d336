// Batched Kusto analysis gives each query exactly the errors it has alone: clean batches, a broken
// query among clean ones, a `let` that would lend its name to the next query, a string that would
// swallow its neighbour, and batch edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kustoErrors, kustoErrorsOfMany } from '../../src/backends/kql/validate.js';

const ok = (n: number) => `DeviceProcessEvents\n| where FileName =~ "a${n}.exe" and ProcessCommandLine contains "x;y"`;

function sameAsAlone(queries: string[], batchSize?: number): void {
  const many = kustoErrorsOfMany(queries, batchSize);
  assert.equal(many.length, queries.length);
  queries.forEach((q, i) => assert.deepEqual(many[i], kustoErrors(q), q));
}

test('clean queries, in one batch and across batch edges, have no errors', () => {
  const qs = Array.from({ length: 7 }, (_, i) => ok(i));
  assert.deepEqual(kustoErrorsOfMany(qs), qs.map(() => []));
  assert.deepEqual(kustoErrorsOfMany(qs, 3), qs.map(() => []));
});

test('a broken query among clean ones keeps its own errors, at its own offsets', () => {
  const qs = [ok(1), 'DeviceProcessEvents | where NoSuchColumn == 1', ok(2), 'DeviceProcessEvents | where (FileName == "a"', ok(3)];
  sameAsAlone(qs);
  const many = kustoErrorsOfMany(qs);
  assert.ok(many[1]!.length > 0 && many[3]!.length > 0);
  assert.deepEqual([many[0], many[2], many[4]], [[], [], []]);
});

test('a let cannot lend its name to the next query of the batch', () => {
  const qs = ['let x = 1; print x', 'print x', ok(1)];
  sameAsAlone(qs);
  assert.ok(kustoErrorsOfMany(qs)[1]!.length > 0, 'x is unknown in the second query alone');
});

test('a query that would run into its neighbour (open string, trailing semicolon, empty) is analysed alone', () => {
  sameAsAlone([ok(1), 'print "open', ok(2)]);
  sameAsAlone([ok(1), `${ok(2)};`, ok(3), '', ok(4)]);
  sameAsAlone([ok(1), 'DeviceProcessEvents | take 1 // a comment', ok(2)], 2);
});
