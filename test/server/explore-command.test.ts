// `quarry explore` as users run it: prints the URL, serves until interrupted, exits cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../helpers.js';

const BIN = join(REPO, 'bin/quarry.js');

test('quarry explore --port 0 prints its URL, serves the API, and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [BIN, 'explore', '--port', '0', '--rules', join(REPO, 'examples/rules')], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /^(http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', () => reject(new Error(`exited before printing a URL: ${stderr}`)));
    });
    const catalog = (await (await fetch(new URL('/api/catalog', url))).json()) as { entries: unknown[]; counts: { rules: number } };
    assert.equal(catalog.counts.rules, 8);
    const hunts = (await (await fetch(new URL('/api/hunts', url))).json()) as unknown[];
    assert.deepEqual(hunts, [], 'rules given and no --hunt: no demo hunt');
    assert.match(stderr, /rules {3}8 rules, 0 correlations, 0 filters from .*examples\/rules; 0 rejected/);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, stderr);
});

test('quarry explore: usage errors and help', () => {
  const bad = spawnSync(process.execPath, [BIN, 'explore', '--port', 'eighty'], { encoding: 'utf8', cwd: REPO });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--port must be a port number/);
  const help = spawnSync(process.execPath, [BIN, 'explore', '--help'], { encoding: 'utf8', cwd: REPO });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: quarry explore/);
  const main = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8', cwd: REPO });
  assert.match(main.stdout, /quarry explore \[--rules PATH…\]/);
});

test('quarry explore --attack FILE: a STIX bundle replaces the bundled ATT&CK data; a bad file is a clear error', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { startExplorer } = await import('../../src/server/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'quarry-attack-'));
  const ref = (id: string) => [{ source_name: 'mitre-attack', external_id: id, url: `https://attack.mitre.org/${id}` }];
  const bundle = {
    type: 'bundle',
    objects: [
      { type: 'x-mitre-collection', id: 'x-mitre-collection--1', x_mitre_version: '99.9' },
      { type: 'x-mitre-matrix', id: 'x-mitre-matrix--1', external_references: ref('enterprise-attack'), tactic_refs: ['x-mitre-tactic--p'] },
      { type: 'x-mitre-tactic', id: 'x-mitre-tactic--p', name: 'Persistence', x_mitre_shortname: 'persistence', external_references: ref('TA0003') },
      { type: 'attack-pattern', id: 'attack-pattern--b', name: 'BITS Jobs (test bundle)', kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'persistence' }], external_references: ref('T1197') },
    ],
  };
  const file = join(dir, 'attack.json');
  writeFileSync(file, JSON.stringify(bundle));
  const ex = await startExplorer({ rules: [join(REPO, 'examples/rules')], hunts: [], port: 0, attackFile: file, log: () => {} });
  try {
    const attack = (await (await fetch(new URL('/api/attack', ex.url))).json()) as { version: string; tactics: unknown[] };
    assert.equal(attack.version, '99.9');
    assert.equal(attack.tactics.length, 1);
    const detail = (await (await fetch(new URL('/api/rules/3f7d2c1a-5b8e-4c6d-9a0f-1e2b3c4d5e6f', ex.url))).json()) as { attack: Array<{ tag: string; name: string | null }> };
    assert.equal(detail.attack.find((t) => t.tag === 'attack.t1197')?.name, 'BITS Jobs (test bundle)');
  } finally {
    await ex.close();
  }
  writeFileSync(file, '{"not": "a bundle"}');
  const bad = spawnSync(process.execPath, [BIN, 'explore', '--port', '0', '--attack', file], { encoding: 'utf8', cwd: REPO });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^quarry explore: --attack .*attack\.json: .*STIX bundle/);
});

test('quarry explore --hunt with a missing or foreign file: one clear line, exit 1', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { startExplorer } = await import('../../src/server/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'quarry-hunt-arg-'));
  const missing = spawnSync(process.execPath, [BIN, 'explore', '--port', '0', '--hunt', join(dir, 'nope.jsonl')], { encoding: 'utf8', cwd: REPO });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^quarry explore: --hunt .*nope\.jsonl: ENOENT: no such file or directory/);
  // A DuckDB database without a detections table (here: one written by quarry stack --db).
  const db = join(dir, 'stack.duckdb');
  const stack = spawnSync(process.execPath, [BIN, 'stack', '--by', 'cs-host', '--db', db, join(REPO, 'examples/logs/proxy.ndjson')], { encoding: 'utf8', cwd: REPO });
  assert.equal(stack.status, 0, stack.stderr);
  const foreign = spawnSync(process.execPath, [BIN, 'explore', '--port', '0', '--hunt', db], { encoding: 'utf8', cwd: REPO });
  assert.equal(foreign.status, 1);
  assert.match(foreign.stderr, /^quarry explore: --hunt .*stack\.duckdb: this DuckDB database has no table 'detections' \(expected JSONL/);
  // A JSONL file with no detection at all is read (its lines counted as problems), not refused.
  writeFileSync(join(dir, 'empty.jsonl'), 'hello\n');
  const ex = await startExplorer({ rules: [], hunts: [join(dir, 'empty.jsonl')], port: 0, log: () => {} });
  try {
    assert.deepEqual(ex.hunts[0]!.problems, { count: 1, first: [{ line: 1, message: 'not JSON: ' + ex.hunts[0]!.problems.first[0]!.message.slice(10) }] });
    assert.equal(ex.hunts[0]!.records.length, 0);
  } finally {
    await ex.close();
  }
});

test('quarry explore --check: the bundled default answers the page, catalog, a rule and the demo hunt, then exits', () => {
  const r = spawnSync(process.execPath, [BIN, 'explore', '--check'], { encoding: 'utf8', cwd: REPO, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.match(r.stdout, /ok {4}GET \/api\/catalog: 15 catalog entries/);
  assert.match(r.stdout, /ok {4}GET \/api\/rules\/[^:]+: '.+': \d+ of \d+ translations, \d+ validated/);
  assert.match(r.stdout, /ok {4}GET \/api\/hunts: Demo hunt over the bundled sample logs: 13 detections/);
  assert.doesNotMatch(r.stdout, /FAIL/);
  // the bundled folders are named relative to the working directory, not by absolute paths
  assert.match(r.stderr, /^ {2}rules {3}12 rules, 1 correlations, 2 filters from examples\/rules, examples\/correlations, rules\/hardened; 0 rejected$/m);
});

test('the explorer check fails on a missing front end and says why', async () => {
  const { startExplorer } = await import('../../src/server/index.js');
  const { checkExplorer } = await import('../../src/server/self-check.js');
  const ex = await startExplorer({ rules: [join(REPO, 'examples/rules')], hunts: [], demo: false, port: 0, webRoot: join(REPO, 'no-such-web-root'), log: () => {} });
  try {
    const lines = await checkExplorer(ex);
    const page = lines.find((l) => l.what === 'GET /')!;
    assert.equal(page.ok, false);
    assert.match(page.detail, /^503: /);
    assert.ok(lines.filter((l) => l.what !== 'GET /').every((l) => l.ok));
  } finally {
    await ex.close();
  }
});
