import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readEvtx } from '../../src/sources/evtx/index.js';
import { EVTX_DIR, DATA, manifestExpectations } from './helpers.js';

const rows = manifestExpectations();

test('manifest lists the EVTX corpus', () => {
  assert.ok(rows.length >= 30, `only ${rows.length} EVTX rows in manifest.tsv`);
});

for (const row of rows) {
  test(`record counts: ${row.path} = ${row.ok} ok / ${row.err} err (${row.source})`, async () => {
    const reader = readEvtx(path.join(DATA, row.path), { workers: 0 });
    let ok = 0, err = 0;
    for await (const item of reader) {
      if (item.kind === 'record') {
        ok++;
        assert.equal(typeof item.recordId, 'number');
        assert.match(item.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
        assert.ok(item.event.Event, 'event has an Event root');
      } else if (item.scope !== 'lost') err++;
    }
    const s = reader.stats;
    assert.equal(ok, row.ok, 'records ok');
    assert.equal(err, row.err, 'errors');
    assert.equal(s.recordsOk, ok);
    assert.equal(s.recordsFailed + s.chunkErrors, err);
  });
}

test('parser-hard files parse completely', async () => {
  for (const row of rows.filter((r) => r.path.startsWith('evtx/parser-hard/'))) {
    const reader = readEvtx(path.join(EVTX_DIR, row.path.slice('evtx/'.length)), { workers: 0 });
    let n = 0;
    for await (const item of reader) if (item.kind === 'record') n++;
    assert.equal(n, row.ok, row.path);
    assert.equal(reader.stats.errors.length, 0);
    assert.ok(reader.stats.header, 'header parsed');
  }
});
