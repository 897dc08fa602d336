// A processing pipeline kept among the rules (detection-as-code repositories keep them side by side)
// is recognised and named, not rejected as a rule with every attribute missing: validate and test
// do not fail on it, hunt says it was not loaded, and a file that is a rule stays a rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { REPO } from '../helpers.js';

function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-pipeline-files-'));
  cpSync(join(REPO, 'examples/rules'), join(dir, 'rules'), { recursive: true });
  cpSync(join(REPO, 'examples/logs'), join(dir, 'logs'), { recursive: true });
  cpSync(join(REPO, 'examples/pipelines/splunk-windows-xml.yml'), join(dir, 'rules/splunk-windows-xml.yml'));
  // a rule that happens to carry a custom `transformations` attribute is still a rule
  writeFileSync(
    join(dir, 'rules/custom_attribute.yml'),
    'title: Custom attribute\nstatus: test\ntransformations: note\nlogsource:\n    product: windows\n    service: security\ndetection:\n    selection:\n        EventID: 4625\n    condition: selection\nlevel: low\n',
  );
  return dir;
}

const quarry = (env: NodeJS.ProcessEnv, ...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

test('a pipeline file among the rules is named, not rejected; a rule with the same key stays a rule', (t) => {
  const dir = repository();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const col = loadSigmaPaths([join(dir, 'rules')]);
  assert.deepEqual(col.pipelineFiles, [join(dir, 'rules/splunk-windows-xml.yml')]);
  assert.deepEqual(col.rejected, []);
  assert.ok(col.rules.some((r) => r.title === 'Custom attribute'));
});

test('validate, test and hunt say so, cold and from the rule cache, and do not fail on it', (t) => {
  const dir = repository();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { QUARRY_CACHE_DIR: join(dir, 'cache') };
  const note = /1 processing pipeline file among the rules \(.*splunk-windows-xml\.yml\): not validated as rules \(pass them with --pipeline\)/;
  for (const run of ['cold', 'warm']) {
    const v = quarry(env, 'validate', join(dir, 'rules'));
    assert.equal(v.status, 0, `${run}: ${v.stdout}${v.stderr}`);
    assert.match(v.stdout, note, run);
    assert.match(v.stdout, / 0 rejected/, run);
  }
  const json = quarry(env, 'validate', '--format', 'json', join(dir, 'rules'));
  const line = json.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((f) => f.file.endsWith('splunk-windows-xml.yml'));
  assert.deepEqual(line, { file: join(dir, 'rules/splunk-windows-xml.yml'), pipeline: true, documents: [] });

  const tested = quarry(env, 'test', join(dir, 'rules'));
  assert.equal(tested.status, 0, tested.stdout + tested.stderr);
  assert.match(tested.stdout, /1 processing pipeline file among the rules .*: not rules, not tested \(pass them with --pipeline\)/);
  assert.match(tested.stdout, /, 0 failed,/);

  const hunted = quarry(env, 'hunt', '--rules', join(dir, 'rules'), '--format', 'jsonl', '--output', join(dir, 'out.jsonl'), join(dir, 'logs'));
  assert.equal(hunted.status, 0, hunted.stderr);
  assert.match(hunted.stderr, /note +1 processing pipeline file among the rules .*: not loaded as rules/);
});
