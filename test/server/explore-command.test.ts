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
