// Least-frequency stacking: counts, distinct clients, first/last seen, rarest first, selections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { generateProxyLogs } from '../../src/generate/index.js';
import { REPO } from '../helpers.js';

function proxyLog(): string {
  const lines: unknown[] = [];
  const hosts = [['cdn.example.com', 40], ['updates.vendor.net', 20], ['evil.top', 3], ['x.duckdns.org', 1], ['LEGIT.COM.', 2]] as const;
  let t = Date.UTC(2026, 10, 20, 8, 0, 0);
  for (const [host, n] of hosts)
    for (let i = 0; i < n; i++) {
      t += 60_000;
      lines.push({ ts: new Date(t).toISOString(), 'c-ip': `10.0.0.${(i % 4) + 1}`, 'cs-host': host, 'c-useragent': i % 2 ? 'Microsoft BITS/7.8' : 'Mozilla/5.0' });
    }
  const file = join(mkdtempSync(join(tmpdir(), 'quarry-stack-')), 'proxy.ndjson');
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

const quarry = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), ...args], { encoding: 'utf8' });

test('stack --by cs-host@tld: rarest first, with clients and first/last seen', () => {
  const r = quarry('stack', '--by', 'cs-host@tld', '--format', 'jsonl', proxyLog());
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((x) => [x.value, x.count, x.clients]), [['top', 3, 3], ['net', 20, 4], ['com', 42, 4], ['org', 1, 1]].sort((a, b) => (a[1] as number) - (b[1] as number)));
  const top = rows.find((x) => x.value === 'top');
  assert.ok(top.firstSeen < top.lastSeen);
  assert.match(r.stderr, /4 distinct values of cs-host@tld in 66 selected events \(66 read/);
});

test('stack with --where narrows to BITS user agents (rarest first)', () => {
  const r = quarry('stack', '--by', 'cs-host@suffix', '--where', 'c-useragent|startswith=Microsoft BITS/', '--format', 'csv', proxyLog());
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'value,count,clients,first_seen,last_seen');
  assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(':')), ['top:1', 'net:10', 'com:21']);
  assert.match(r.stderr, /in 32 selected events/);
});

test('stack with --rules keeps only events a rule matches', () => {
  const r = quarry('stack', '--by', 'cs-host@host', '--rules', join(REPO, 'rules/hardened'), '--format', 'jsonl', proxyLog());
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  // BITS requests to hosts outside the allow-lists: evil.top (1 of 3 is BITS) and x.duckdns.org has no BITS request.
  assert.deepEqual(rows.map((x) => [x.value, x.count]), [['evil.top', 1]]);
});

test('stacking through DuckDB gives the same rows as in memory, and --db keeps the events', async () => {
  const { stack } = await import('../../src/hunt/stack.js');
  const { stackWithDuckDb } = await import('../../src/hunt/stack-duckdb.js');
  const { openSource } = await import('../../src/sources/open-source.js');
  const { generateProxyLogs } = await import('../../src/generate/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'quarry-stackdb-'));
  const file = join(dir, 'squid.log');
  writeFileSync(file, generateProxyLogs({ seed: 3, lines: 5000, format: 'squid' }).text);
  const opts = { by: 'host@suffix', client: 'client' };
  const mem = await stack([await openSource(file)], opts);
  const db = join(dir, 'kept.duckdb');
  const viaDb = await stackWithDuckDb([await openSource(file)], opts, db);
  assert.deepEqual(viaDb, mem);
  assert.ok(mem.rows.length > 10 && mem.selected === 5000);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(db);
  const c = await instance.connect();
  const n = (await c.runAndReadAll("SELECT count(*) AS n, count(DISTINCT event->>'user_agent') AS uas FROM stack_events")).getRowObjects()[0]!;
  assert.equal(Number(n.n), mem.rows.reduce((s, r) => s + r.count, 0));
  assert.ok(Number(n.uas) > 3, 'whole events are kept, queryable as JSON');
  c.closeSync();
  instance.closeSync();
});

test('stack through a temporary DuckDB database removes it on SIGINT', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-stack-signal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const log = join(dir, 'proxy.log');
  writeFileSync(log, generateProxyLogs({ format: 'squid', lines: 150_000, seed: 5 }).text);
  const child = spawn(process.execPath, [join(REPO, 'bin/quarry.js'), 'stack', '--duckdb', '--by', 'host', log], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr += b));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  // wait for the temporary database's folder, then interrupt
  const started = Date.now();
  while (!readdirSync(tmp).some((f) => f.startsWith('quarry-stack-'))) {
    assert.ok(Date.now() - started < 30_000, 'no temporary database appeared');
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 200));
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  assert.match(stderr, /interrupted by SIGINT; temporary database removed/);
  assert.deepEqual(readdirSync(tmp), []);
});
