// The built front end is served from its folder and nothing else: traversal with `..`, encoded
// dots and slashes, absolute paths, NUL and symbolic links pointing out are refused; deep links get
// index.html; every answer carries the security headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExplorer, type Explorer } from '../../src/server/index.js';
import { rawGet } from './client.js';

const tmp = mkdtempSync(join(tmpdir(), 'quarry-static-'));
const web = join(tmp, 'web');
const SECRET = 'TOP-SECRET-CONTENT';
const INDEX = '<!doctype html><title>Quarry</title><script type="module" src="/assets/app.js"></script>';
let ex: Explorer;
/** The page as served: the launch's token in a meta tag first (the file has no <head>). */
const PAGE = () => `<meta name="quarry-token" content="${ex.token}" />\n${INDEX}`;

before(async () => {
  mkdirSync(join(web, 'assets'), { recursive: true });
  writeFileSync(join(web, 'index.html'), INDEX);
  writeFileSync(join(web, 'assets/app.js'), 'console.log("app")');
  writeFileSync(join(tmp, 'secret.txt'), SECRET);
  mkdirSync(join(tmp, 'outside'));
  writeFileSync(join(tmp, 'outside/inner.txt'), SECRET);
  symlinkSync(join(tmp, 'secret.txt'), join(web, 'leak.txt'));
  symlinkSync(join(tmp, 'outside'), join(web, 'assets/linked'));
  ex = await startExplorer({ rules: [], hunts: [], demo: false, port: 0, webRoot: web, log: () => {} });
});
after(() => ex.close());

test('files of the front end, with their types and the security headers', async () => {
  const page = await rawGet(ex.url, '/');
  assert.equal(page.status, 200);
  assert.equal(page.text, PAGE());
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(page.headers['content-security-policy'], "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  const js = await rawGet(ex.url, '/assets/app.js');
  assert.equal(js.status, 200);
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  // Deep links of the app get the page; a missing asset is a 404.
  for (const p of ['/rule/9eb68894-7476-4cd6-8752-23b51f5883a7', '/hunts?rule=x', '/coverage']) {
    const r = await rawGet(ex.url, p);
    assert.equal(r.status, 200, p);
    assert.equal(r.text, PAGE(), p);
  }
  assert.equal((await rawGet(ex.url, '/assets/missing.js')).status, 404);
});

test('traversal attempts never reach a file outside the front end folder', async () => {
  const attempts = [
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/%2e%2e/secret.txt',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%2fsecret.txt',
    '/..%5csecret.txt',
    '/%2fetc%2fpasswd',
    '//etc/passwd',
    `/${join(tmp, 'secret.txt')}`,
    '/leak.txt',
    '/assets/linked/inner.txt',
    '/index.html%00.js',
    '/%zz',
  ];
  for (const p of attempts) {
    const r = await rawGet(ex.url, p);
    assert.ok(!r.text.includes(SECRET) && !r.text.includes('root:x:0:0'), `${p} leaked a file`);
    assert.ok([403, 404].includes(r.status) || (r.status === 200 && r.text === PAGE()), `${p}: ${r.status} ${r.text.slice(0, 80)}`);
  }
  // Those that name a path outside, or a link out, are refused outright.
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/leak.txt', '/assets/linked/inner.txt', '/index.html%00.js']) {
    const r = await rawGet(ex.url, p);
    assert.equal(r.status, 403, p);
    assert.match(JSON.parse(r.text).error, /^refused: /);
  }
});

test('API keys are looked up, never used as paths', async () => {
  const r = await rawGet(ex.url, '/api/rules/..%2F..%2F..%2Fetc%2Fpasswd');
  assert.equal(r.status, 404);
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
  assert.match(JSON.parse(r.text).error, /no rule with key/);
  assert.equal((await rawGet(ex.url, '/api/rules/..%2F..%2F..%2Fetc%2Fpasswd/raw')).status, 404);
});
