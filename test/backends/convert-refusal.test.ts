// A rule that a backend refuses for what its pipelines did is refused before lowering and
// rendering (backends/common/convert.ts), with the code and reason the renderer gives on the plain
// path; a pipeline's failure comes first, as on the plain path. The whole corpus is compared in
// convert-early.test.ts (corpus tier); these are the cases on the examples' rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { convertRule } from '../../src/backends/common/convert.js';
import type { Backend } from '../../src/backends/common/types.js';
import { kqlBackend } from '../../src/backends/kql/index.js';
import { splBackend } from '../../src/backends/spl/index.js';
import { resolveConvertPipelines } from '../../src/backends/resolve-pipelines.js';
import type { SigmaRule } from '../../src/sigma/model.js';
import { REPO } from '../helpers.js';

const col = loadSigmaPaths([join(REPO, 'examples/rules')]);
const rule = (file: string): SigmaRule => {
  const r = col.rules.find((x) => x.file.endsWith(file));
  assert.ok(r, file);
  return r;
};
const proxy = rule('proxy_bits_user_agent_uncommon_tld.yml');
const registry = rule('registry_set_run_key.yml');

/** The backend with a renderer that must not be reached. */
const unrendered = (b: Backend): Backend => ({
  ...b,
  render: () => {
    throw new Error('rendered');
  },
});

test('KQL: a proxy rule has no SecurityEvent table: refused before rendering, as the renderer refuses it', () => {
  const pipelines = resolveConvertPipelines('kql', ['sentinel-securityevent']);
  const early = convertRule(proxy, unrendered(kqlBackend), pipelines);
  assert.deepEqual(early, { ok: false, code: 'no-table', error: 'no table for log source category=proxy in pipelines windows, sentinel-securityevent' });
  assert.deepEqual(convertRule(proxy, kqlBackend, pipelines, [], { early: false }), early);
  // The plain path does render it (and so reaches the renderer).
  assert.throws(() => convertRule(proxy, unrendered(kqlBackend), pipelines, [], { early: false }), /rendered/);
});

test('KQL: a rule with a table goes on to the renderer', () => {
  const pipelines = resolveConvertPipelines('kql', ['sentinel-asim']);
  assert.throws(() => convertRule(proxy, unrendered(kqlBackend), pipelines), /rendered/);
  const r = convertRule(proxy, kqlBackend, pipelines);
  assert.ok(r.ok && r.query.startsWith('imWebSession\n'), JSON.stringify(r));
});

test('a pipeline failure comes before the backend refusal, as on the plain path', () => {
  // ASIM maps the registry log source to imRegistry but refuses TargetObject (a pipeline failure);
  // with the table taken away, the rule is both without a table and failed: the failure is said.
  const pipelines = resolveConvertPipelines('kql', ['sentinel-asim']);
  const noTable: Backend = { ...kqlBackend, refusal: (input) => kqlBackend.refusal!({ ...input, state: {} }) };
  const r = convertRule(registry, noTable, pipelines);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.code, 'pipeline-failure');
  assert.match(!r.ok ? r.error : '', /ASIM imRegistry has no column for Sigma's TargetObject/);
  assert.deepEqual(convertRule(registry, kqlBackend, pipelines, [], { early: false }), r);
});

test('SPL: a rule outside the CIM data models and an unscoped rule are refused before rendering', () => {
  const cim = resolveConvertPipelines('spl', ['splunk-cim']);
  const r = convertRule(registry, unrendered(splBackend), cim);
  assert.deepEqual(r, { ok: false, code: 'no-datamodel', error: 'no CIM data model for log source category=registry_set,product=windows in splunk-cim' });
  assert.deepEqual(convertRule(registry, splBackend, cim, [], { early: false }), r);
  const windows = resolveConvertPipelines('spl', ['splunk-windows']);
  const unscoped = convertRule(proxy, unrendered(splBackend), windows);
  assert.equal(!unscoped.ok && unscoped.code, 'no-logsource-guard');
  assert.deepEqual(convertRule(proxy, splBackend, windows, [], { early: false }), unscoped);
  // A Windows rule the pipeline scopes is rendered.
  assert.throws(() => convertRule(registry, unrendered(splBackend), windows), /rendered/);
});
