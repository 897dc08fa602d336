// Who may talk to the explorer (src/server/request-guard.ts): only requests that name the server by
// a literal loopback name or address with its port (DNS rebinding names such as 127.evil.example
// are refused), and state-changing requests only with this launch's token and no foreign Origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExplorer, type Explorer } from '../../src/server/index.js';
import { allowedHosts } from '../../src/server/request-guard.js';
import { REPO } from '../helpers.js';
import { rawGet, sendJson } from './client.js';

const tmp = mkdtempSync(join(tmpdir(), 'quarry-guard-'));
const rules = join(tmp, 'rules');
const web = join(tmp, 'web');
const RULE_ID = '9f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c';
const EXCLUSION = JSON.stringify({ rule: RULE_ID, field: 'cs-host', modifier: 'endswith', values: ['.de'] });
let ex: Explorer;
let P: number;

before(async () => {
  mkdirSync(rules);
  copyFileSync(join(REPO, 'examples/rules/proxy_bits_user_agent_uncommon_tld.yml'), join(rules, 'proxy_bits_user_agent_uncommon_tld.yml'));
  mkdirSync(web);
  writeFileSync(join(web, 'index.html'), '<!doctype html><html><head><title>Quarry</title></head><body></body></html>');
  ex = await startExplorer({ rules: [rules], hunts: [], demo: false, port: 0, webRoot: web, log: () => {} });
  P = ex.port;
});
after(() => ex.close());

const filterFiles = () => {
  try {
    return readdirSync(join(rules, 'filters'));
  } catch {
    return [];
  }
};

/** A request written byte for byte (no Host header added by a client library). */
function rawRequest(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(P, '127.0.0.1', () => s.end(text));
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    s.on('error', reject);
  });
}

test('Host names that are not this server (DNS rebinding, wrong port, none) are refused with 421', async () => {
  const refused = [
    `127.evil.example:${P}`,
    `localhost.evil:${P}`,
    `127.0.0.1.nip.io:${P}`,
    `attacker.example:${P}`,
    `127.0.0.2:${P}`,
    `127.0.0.1:${P + 1}`,
    `localhost:${P + 1}`,
    `[::1]:${P + 1}`,
    'localhost',
    '127.0.0.1',
    `127.0.0.1:${P}.evil.example`,
    `[::1].evil:${P}`,
  ];
  for (const host of refused) {
    for (const path of ['/api/catalog', '/', '/api/tuning']) {
      const r = await rawGet(ex.url, path, { Host: host });
      assert.equal(r.status, 421, `${host} ${path}: ${r.status}`);
      assert.doesNotMatch(r.text, new RegExp(ex.token), `${host} ${path} leaks the token`);
    }
  }
  // A refused Host cannot change anything either, even with the token.
  const post = await rawGet(ex.url, '/api/tuning', { Host: `127.evil.example:${P}`, 'Content-Type': 'application/json', 'X-Quarry-Token': ex.token }, 'POST', EXCLUSION);
  assert.equal(post.status, 421);
  assert.deepEqual(filterFiles(), []);
  // No Host at all: HTTP/1.0 may omit it (421 from the explorer); HTTP/1.1 requires it (400 from Node).
  assert.match(await rawRequest('GET /api/catalog HTTP/1.0\r\n\r\n'), /^HTTP\/1\.1 421 /);
  assert.match(await rawRequest('GET /api/catalog HTTP/1.1\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 400 /);
});

test('the allow-list: loopback names, the --host given, interface addresses only for a wildcard bind', () => {
  assert.deepEqual([...allowedHosts('127.0.0.1', 8737)].sort(), ['127.0.0.1:8737', '[::1]:8737', 'localhost:8737']);
  const lan = allowedHosts('192.168.1.5', 8737);
  assert.ok(lan.has('192.168.1.5:8737') && lan.has('localhost:8737'));
  assert.ok(!lan.has('192.168.1.6:8737') && !lan.has('192.168.1.5'));
  // A name given with --host is allowed as given (the user chose it), IPv6 in brackets, and port 80 may be omitted.
  assert.ok(allowedHosts('quarry.lab.example', 9000).has('quarry.lab.example:9000'));
  assert.deepEqual([...allowedHosts('::1', 80)].sort(), ['127.0.0.1', '127.0.0.1:80', '[::1]', '[::1]:80', 'localhost', 'localhost:80']);
  // Bound to every interface: each interface address (never a name) answers.
  const any = allowedHosts('0.0.0.0', 8737);
  assert.ok(any.has('127.0.0.1:8737'));
  assert.ok(!any.has('0.0.0.0:8737'));
  assert.ok(![...any].some((h) => /[a-z]{2,}/i.test(h.replace('localhost', '')) && !h.startsWith('[')), [...any].join(' '));
});

test('literal loopback names and addresses with the right port are served', async () => {
  for (const host of [`127.0.0.1:${P}`, `localhost:${P}`, `LocalHost:${P}`, `[::1]:${P}`]) {
    const r = await rawGet(ex.url, '/api/catalog', { Host: host });
    assert.equal(r.status, 200, host);
    assert.equal(JSON.parse(r.text).counts.rules, 1, host);
  }
});

test('the served page carries this launch token; another launch has another', async () => {
  const page = await rawGet(ex.url, '/');
  assert.equal(page.status, 200);
  assert.match(ex.token, /^[A-Za-z0-9_-]{32}$/);
  assert.ok(page.text.includes(`<head>\n    <meta name="quarry-token" content="${ex.token}" />`), page.text);
  assert.equal(page.headers['cache-control'], 'no-store');
  const other = await startExplorer({ rules: [], hunts: [], demo: false, port: 0, webRoot: web, log: () => {} });
  try {
    assert.notEqual(other.token, ex.token);
    // The other launch's token is refused here.
    const r = await rawGet(ex.url, '/api/tuning', { 'Content-Type': 'application/json', 'X-Quarry-Token': other.token }, 'POST', EXCLUSION);
    assert.equal(r.status, 403);
  } finally {
    await other.close();
  }
});

test('state-changing requests need the token and, when they carry an Origin, this server', async () => {
  const json = { 'Content-Type': 'application/json' };
  const cases: Array<[string, Record<string, string>]> = [
    ['no token', json],
    ['empty token', { ...json, 'X-Quarry-Token': '' }],
    ['wrong token', { ...json, 'X-Quarry-Token': ex.token.slice(0, -1) + (ex.token.endsWith('A') ? 'B' : 'A') }],
    ['longer token', { ...json, 'X-Quarry-Token': ex.token + 'x' }],
    ['foreign Origin', { ...json, 'X-Quarry-Token': ex.token, Origin: `http://127.evil.example:${P}` }],
    ['Origin of another port', { ...json, 'X-Quarry-Token': ex.token, Origin: `http://127.0.0.1:${P + 1}` }],
    ['opaque Origin', { ...json, 'X-Quarry-Token': ex.token, Origin: 'null' }],
    ['https Origin', { ...json, 'X-Quarry-Token': ex.token, Origin: `https://127.0.0.1:${P}` }],
  ];
  for (const [what, headers] of cases) {
    for (const [method, path, body] of [['POST', '/api/tuning', EXCLUSION], ['POST', '/api/check', JSON.stringify({ target: 'kql', query: 'x' })]] as const) {
      const r = await rawGet(ex.url, path, headers, method, body);
      assert.equal(r.status, 403, `${what} ${method} ${path}: ${r.status} ${r.text}`);
      assert.match(JSON.parse(r.text).error, /token|Origin/, what);
    }
  }
  assert.deepEqual(filterFiles(), [], 'a refused POST wrote a filter');

  // The front end's request: token and its own Origin.
  const ok = await rawGet(ex.url, '/api/tuning', { ...json, 'X-Quarry-Token': ex.token, Origin: `http://127.0.0.1:${P}` }, 'POST', EXCLUSION);
  assert.equal(ok.status, 201, ok.text);
  const [name] = filterFiles();
  assert.match(name!, /^mf_quarry_.*\.yml$/);
  // A script without Origin (curl, the tests) with the token is accepted too.
  assert.equal((await sendJson(ex, 'POST', '/api/check', { target: 'nope', query: 'x' })).status, 400);

  // DELETE likewise: refused without the token, the file stays; accepted with it.
  const del = await rawGet(ex.url, `/api/tuning/${name}`, {}, 'DELETE');
  assert.equal(del.status, 403);
  assert.deepEqual(filterFiles(), [name]);
  assert.equal((await sendJson(ex, 'DELETE', `/api/tuning/${name}`, undefined)).status, 200);
  assert.deepEqual(filterFiles(), []);
});
