// `quarry lint` as a script runs it: exit codes (0 clean, 1 findings at --fail-on or above, 2 usage
// or a bad config), the three formats, the config file found in the current folder, and --fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA, REPO } from '../helpers.js';

function quarry(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'bin/quarry.js'), 'lint', ...args], { cwd, encoding: 'utf8' }, (err, stdout, stderr) => resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }));
  });
}

const REAL = join(DATA, 'sigmahq/rules/windows/process_creation/proc_creation_win_icacls_deny.yml');

test('quarry lint: exit codes, formats, config discovery and --fix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-lint-cli-'));
  try {
    copyFileSync(REAL, join(dir, 'proc_creation_win_icacls_deny.yml'));
    // A warning only: exit 0 by default, 1 with --fail-on warning.
    const text = await quarry(['.'], dir);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /proc_creation_win_icacls_deny\.yml:\d+:\d+: warning \[contains-wildcard\] .* \(fixable\)/);
    assert.match(text.stdout, /1 files: 1 findings \(1 fixable\), 0 suppressed/);
    assert.equal((await quarry(['--fail-on', 'warning', '.'], dir)).status, 1);

    const json = JSON.parse((await quarry(['--format', 'json', '.'], dir)).stdout);
    assert.deepEqual(json.counts, { 'contains-wildcard': 1 });
    assert.equal(json.findings[0].fix.edits.length, 1);
    const sarif = JSON.parse((await quarry(['--format', 'sarif', '.'], dir)).stdout);
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.runs[0].results[0].ruleId, 'contains-wildcard');
    assert.equal(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'proc_creation_win_icacls_deny.yml');

    // The config in the current folder turns the check off; a mistake in it is exit 2, one line.
    writeFileSync(join(dir, '.quarry-lint.yml'), 'disable: [contains-wildcard]\n');
    assert.match((await quarry(['.'], dir)).stdout, /1 files: 0 findings/);
    writeFileSync(join(dir, '.quarry-lint.yml'), 'disable: [contains-wildcards]\n');
    const bad = await quarry(['.'], dir);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, "quarry lint: .quarry-lint.yml: disable: no check or group 'contains-wildcards' (did you mean 'contains-wildcard'?)\n".replace('.quarry-lint.yml', join(dir, '.quarry-lint.yml')));
    rmSync(join(dir, '.quarry-lint.yml'));

    const fixed = await quarry(['--fix', '.'], dir);
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.match(fixed.stdout, /--fix: 1 edits in 1 files/);
    assert.match(fixed.stdout, /1 files: 0 findings/);
    assert.notEqual(readFileSync(join(dir, 'proc_creation_win_icacls_deny.yml'), 'utf8'), readFileSync(REAL, 'utf8'));

    // A rule that does not load is an error finding: exit 1.
    writeFileSync(join(dir, 'proc_creation_win_broken.yml'), 'title: Broken\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    selection:\n        Image|endswit: x\n    condition: selection\n');
    const broken = await quarry(['.'], dir);
    assert.equal(broken.status, 1);
    assert.match(broken.stdout, /proc_creation_win_broken\.yml:7:9: error \[unknown-modifier\]/);

    // A device named *.yml is a finding, never read; a file that is not UTF-8 is not rewritten by --fix (exit 3).
    rmSync(join(dir, 'proc_creation_win_broken.yml'));
    symlinkSync('/dev/zero', join(dir, 'zero.yml'));
    const device = await quarry(['.'], dir);
    assert.equal(device.status, 1);
    assert.match(device.stdout, /zero\.yml:1:1: error \[not-a-file\]/);
    rmSync(join(dir, 'zero.yml'));
    const latin1 = Buffer.concat([readFileSync(REAL), Buffer.from('# caf\xe9\n', 'latin1')]);
    writeFileSync(join(dir, 'proc_creation_win_icacls_deny.yml'), latin1);
    const notUtf8 = await quarry(['--fix', '.'], dir);
    assert.equal(notUtf8.status, 3);
    assert.match(notUtf8.stderr, /cannot write .*proc_creation_win_icacls_deny\.yml: not UTF-8: not rewritten/);
    assert.match(notUtf8.stdout, /warning \[not-utf8\]/);
    assert.deepEqual(readFileSync(join(dir, 'proc_creation_win_icacls_deny.yml')), latin1);

    const usage = await quarry(['--fixx', '.'], dir);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /did you mean --fix\?/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
