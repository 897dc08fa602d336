// `quarry serve` end to end: the same detections as `quarry hunt` over the demo logs (from standard
// input and over HTTP), detections written as they are found, the bounded lateness, back-pressure
// and located errors of the HTTP input, metrics and health, state saved on SIGTERM and resumed,
// rule reload on SIGHUP keeping only unchanged correlations' state, and a webhook that fails first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA } from '../helpers.js';
import { DEMO_CORRELATIONS, DEMO_LOGS, QUARRY, demoEventLines, demoRules, jsonl, serve, sortedComparable } from './serve-helpers.js';

const huntDemo = (rules: string) => {
  const r = spawnSync(process.execPath, [QUARRY, 'hunt', '--rules', rules, '--format', 'jsonl', '--quiet', DEMO_LOGS], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return jsonl(r.stdout);
};

const post = (port: number, body: string) => fetch(`http://127.0.0.1:${port}/events`, { method: 'POST', body });

test('serve over the demo logs on standard input gives exactly the detections of hunt over them, written as they are found', async () => {
  const rules = demoRules();
  const expected = huntDemo(rules);
  assert.equal(expected.length, 6);
  assert.equal(expected.filter((d) => d.rule.type === 'correlation').length, 2);
  const lines = (await demoEventLines());
  const s = serve(['--rules', rules, '--lateness', '1d']);
  // The third event (BITS-Client, a match of its own) is answered before the input ends.
  s.child.stdin.write(lines.slice(0, 3).join('\n') + '\n');
  for (let i = 0; !s.stdout().includes('\n'); i++) {
    assert.ok(i < 600, 'no detection written while the input stays open');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(jsonl(s.stdout())[0]!.rule.title, 'BITS Transfer From A Host Outside Common Top-Level Domains');
  s.child.stdin.end(lines.slice(3).join('\n') + '\n');
  assert.equal(await s.exit, 0);
  const got = jsonl(s.stdout());
  assert.deepEqual(sortedComparable(got), sortedComparable(expected));
  assert.deepEqual(got[0]!.source, { file: '-', line: 3, record: 3 });
  const stopped = s.logs().find((l) => l.msg === 'stopped')!;
  assert.equal(stopped.events, lines.length);
  assert.equal(stopped.detections, 6);
});

test('lateness is bounded: a match older than the released ones by more than --lateness is dropped and counted', async () => {
  // Proxy matches of one client at 09:30:12, then 09:40:12 (which releases 09:30 under 5 minutes of
  // lateness), then 08:15:03: too late to be placed, so the count of two is met at 09:40, not 09:30.
  const proxy = (await demoEventLines()).filter((l) => l.includes('"cdn-update.top"') || l.includes('"files.example-mirror.de"'));
  assert.equal(proxy.length, 2);
  const [early, later] = proxy as [string, string];
  const stream = [later, later.replace('09:30:12.010Z', '09:40:12.010Z'), early];
  const run = async (lateness: string) => {
    const s = serve(['--rules', demoRules(), '--lateness', lateness]);
    s.child.stdin.end(stream.join('\n') + '\n');
    assert.equal(await s.exit, 0);
    return { detections: jsonl(s.stdout()).filter((d) => d.rule.type === 'correlation'), late: s.logs().find((l) => l.msg === 'stopped')!.drops.late };
  };
  const bounded = await run('5m');
  assert.equal(bounded.late, 1);
  assert.deepEqual(bounded.detections.map((d) => d.window), [{ start: '2026-11-20T09:30:12.010Z', end: '2026-11-20T09:40:12.010Z' }]);
  const patient = await run('1d');
  assert.equal(patient.late, 0);
  assert.deepEqual(patient.detections.map((d) => d.window), [{ start: '2026-11-20T08:15:03.200Z', end: '2026-11-20T09:30:12.010Z' }]);
});

test('HTTP input: 202 when queued, 429 past the queue, 400 with the line for unreadable events; /healthz, /metrics; SIGTERM drains and exits 0', async () => {
  const rules = demoRules();
  const out = join(mkdtempSync(join(tmpdir(), 'quarry-serve-')), 'detections.jsonl');
  writeFileSync(out, '');
  const s = serve(['--rules', rules, '--input', 'http://127.0.0.1:0', '--queue', '5', '--output', out, '--lateness', '1d', '--fsync-ms', '50']);
  const { port } = await s.waitLog('serving');
  const lines = (await demoEventLines());
  const full = await post(port, lines.slice(0, 6).join('\n'));
  assert.equal(full.status, 429);
  assert.equal(full.headers.get('retry-after'), '1');
  const bad = await post(port, `${lines[0]}\n{"ts": 12,\n`);
  assert.equal(bad.status, 400);
  const badBody = (await bad.json()) as { problems: Array<{ line: number; message: string }> };
  assert.equal(badBody.problems[0]!.line, 2);
  for (let i = 0; i < lines.length; i += 4) {
    const r = await post(port, lines.slice(i, i + 4).join('\n'));
    assert.equal(r.status, 202);
    assert.deepEqual(await r.json(), { accepted: Math.min(4, lines.length - i) });
  }
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(health.status, 200);
  let metrics = '';
  for (let i = 0; i < 50 && !metrics.includes(`quarry_serve_events_in_total ${lines.length}\n`); i++) metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  assert.match(metrics, new RegExp(`^quarry_serve_events_in_total ${lines.length}$`, 'm'));
  assert.match(metrics, /^quarry_serve_dropped_total\{reason="queue_full"\} 6$/m);
  assert.match(metrics, /^quarry_serve_dropped_total\{reason="unreadable"\} 1$/m);
  assert.match(metrics, /^quarry_serve_detections_out_total\{kind="rule"\} 4$/m);
  // Every correlation match is still held for ordering (a day of lateness): state the service reports.
  assert.match(metrics, /^quarry_serve_state_buffered_matches 4$/m);
  assert.match(metrics, /^# TYPE quarry_serve_lag_seconds gauge$/m);
  s.child.kill('SIGTERM');
  assert.equal(await s.exit, 0);
  assert.deepEqual(sortedComparable(jsonl(readFileSync(out, 'utf8'))), sortedComparable(huntDemo(rules)));
  assert.deepEqual(jsonl(readFileSync(out, 'utf8'))[0]!.source, { file: 'http', record: 3 });
});

test('--state: SIGTERM saves the open windows, the next start resumes them; both runs together equal one hunt', async () => {
  const rules = demoRules();
  const dir = mkdtempSync(join(tmpdir(), 'quarry-serve-state-'));
  const state = join(dir, 'state.json');
  const lines = (await demoEventLines());
  const first = serve(['--rules', rules, '--input', 'http://127.0.0.1:0', '--lateness', '1d', '--state', state]);
  const { port } = await first.waitLog('serving');
  assert.equal((await post(port, lines.slice(0, 8).join('\n'))).status, 202);
  first.child.kill('SIGTERM');
  assert.equal(await first.exit, 0);
  const saved = first.logs().find((l) => l.msg === 'state saved')!;
  assert.ok(saved.buffered > 0, 'correlation matches were held when the service stopped');
  const second = serve(['--rules', rules, '--lateness', '1d', '--state', state]);
  second.child.stdin.end(lines.slice(8).join('\n') + '\n');
  assert.equal(await second.exit, 0);
  assert.equal(second.logs().find((l) => l.msg === 'state restored')!.events, 8);
  const both = [...jsonl(first.stdout()), ...jsonl(second.stdout())];
  assert.deepEqual(sortedComparable(both), sortedComparable(huntDemo(rules)));
  assert.equal(jsonl(first.stdout()).filter((d) => d.rule.type === 'correlation').length, 0, 'no window was finished at SIGTERM');
});

test('SIGTERM while the service is still starting (loading the rules) is carried out once it can stop: exit 0', async () => {
  // Every SigmaHQ Windows rule without the cache: a second or so of loading after the 'starting' line.
  const windowsRules = join(DATA, 'sigmahq/rules/windows');
  const s = serve(['--rules', windowsRules, '--no-cache']);
  await s.waitLog('starting');
  s.child.kill('SIGTERM');
  assert.equal(await s.exit, 0, s.logs().map((l) => l.msg).join(', '));
  const msgs = s.logs().map((l) => l.msg);
  assert.equal(s.logs().find((l) => l.msg === 'stopping')?.signal, 'SIGTERM', msgs.join(', '));
  assert.equal(s.stdout(), '');
});

test('SIGHUP reloads the rules: an unchanged correlation keeps its matches, a changed one starts over', async () => {
  const rules = demoRules();
  const lines = (await demoEventLines());
  const proxyFirst = lines.findIndex((l) => l.includes('"cdn-update.top"'));
  const sysmon = lines.filter((l) => l.includes('Microsoft-Windows-Sysmon'));
  const rest = lines.filter((l, i) => i !== proxyFirst && !sysmon.includes(l));
  const s = serve(['--rules', rules, '--input', 'http://127.0.0.1:0', '--lateness', '1d', '--no-watch']);
  const { port } = await s.waitLog('serving');
  assert.equal((await post(port, [lines[proxyFirst], ...sysmon].join('\n'))).status, 202);
  // The ordered pair gets a longer timespan; the proxy count stays as it was.
  writeFileSync(join(rules, 'demo_correlations.yml'), DEMO_CORRELATIONS.replace('timespan: 10m', 'timespan: 15m'));
  s.child.kill('SIGHUP');
  const reloaded = await s.waitLog('rules reloaded');
  assert.deepEqual(reloaded.correlationsKept, ['Repeated BITS Downloads From One Client']);
  assert.equal((await post(port, rest.join('\n'))).status, 202);
  s.child.kill('SIGTERM');
  assert.equal(await s.exit, 0);
  const correlations = jsonl(s.stdout()).filter((d) => d.rule.type === 'correlation');
  assert.deepEqual(correlations.map((d) => [d.rule.title, d.value]), [['Repeated BITS Downloads From One Client', 2]]);
  const metricsReload = s.logs().find((l) => l.msg === 'stopped');
  assert.ok(metricsReload);
});

test('a changed rule file reloads the rules as SIGHUP does (the unchanged correlation keeps its matches)', async () => {
  const rules = demoRules();
  const lines = await demoEventLines();
  const proxyFirst = lines.findIndex((l) => l.includes('"cdn-update.top"'));
  const rest = lines.filter((_, i) => i !== proxyFirst);
  const s = serve(['--rules', rules, '--input', 'http://127.0.0.1:0', '--lateness', '1d']);
  const { port } = await s.waitLog('serving');
  assert.equal((await post(port, lines[proxyFirst]!)).status, 202);
  writeFileSync(join(rules, 'demo_correlations.yml'), DEMO_CORRELATIONS.replace('timespan: 10m', 'timespan: 15m'));
  await s.waitLog('rule files changed: reloading');
  const reloaded = await s.waitLog('rules reloaded');
  assert.deepEqual(reloaded.correlationsKept, ['Repeated BITS Downloads From One Client']);
  assert.equal((await post(port, rest.join('\n'))).status, 202);
  s.child.kill('SIGTERM');
  assert.equal(await s.exit, 0);
  // The proxy count kept its first match across the reload: it fires with both.
  const counted = jsonl(s.stdout()).filter((d) => d.rule.title === 'Repeated BITS Downloads From One Client');
  assert.deepEqual(counted.map((d) => d.value), [2]);
});

test('a webhook output that fails twice gets every detection once it recovers (retries are logged)', async () => {
  const received: string[] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      calls++;
      if (calls <= 2) {
        res.writeHead(503).end();
        return;
      }
      received.push(...body.split('\n').filter(Boolean));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    const rules = demoRules();
    const s = serve(['--rules', rules, '--lateness', '1d', '--output', `http://127.0.0.1:${port}/hook`]);
    s.child.stdin.end((await demoEventLines()).join('\n') + '\n');
    assert.equal(await s.exit, 0);
    assert.equal(s.logs().filter((l) => l.msg === 'webhook delivery failed; retrying').length, 2);
    assert.deepEqual(sortedComparable(received.map((l) => JSON.parse(l))), sortedComparable(huntDemo(rules)));
  } finally {
    server.close();
  }
});

test('usage errors are one line with exit status 2', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [QUARRY, 'serve', ...args], { encoding: 'utf8' });
  const noRules = run();
  assert.equal(noRules.status, 2);
  assert.match(noRules.stderr, /give the rules with --rules PATH/);
  const lateness = run('--rules', demoRules(), '--lateness', '5 minutes');
  assert.equal(lateness.status, 2);
  assert.match(lateness.stderr, /--lateness must be a number followed by s, m, h/);
  const input = run('--rules', demoRules(), '--input', 'kafka://127.0.0.1:9092/events');
  assert.equal(input.status, 2);
  assert.match(input.stderr, /--input must be -, http:\/\/HOST:PORT .* or nats:\/\/HOST:PORT\/STREAM/);
  const natsNoOutput = run('--rules', demoRules(), '--input', 'nats://127.0.0.1:4222/EVENTS');
  assert.equal(natsNoOutput.status, 2);
  assert.match(natsNoOutput.stderr, /with --input nats:\/\/, give --output nats:\/\/HOST:PORT\/SUBJECT/);
  const natsOutputAlone = run('--rules', demoRules(), '--output', 'nats://127.0.0.1:4222/detections');
  assert.equal(natsOutputAlone.status, 2);
  assert.match(natsOutputAlone.stderr, /--output nats:\/\/ is for the NATS topology/);
});
