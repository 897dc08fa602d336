// `--format elastic-rule` beyond the seed (eql.test.ts): the ES|QL rule's FROM asks for the
// metadata Kibana deduplicates alerts by (and the bare query does not), and every technique of the
// SigmaHQ corpus is named as ATT&CK names it, checked against the shared ATT&CK extract rather
// than the catalog's embedded copy that the CLI reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { V19_TECHNIQUE_NAMES } from '../../src/catalog/v19-names.js';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DATA, REPO } from '../helpers.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { convertCollection } from '../../src/backends/common/convert.js';
import { TARGETS } from '../../src/backends/targets.js';
import { validateEsql } from '../../src/backends/elastic/esql/validate.js';
import { withRuleMetadata } from '../../src/backends/elastic/rule-format.js';
import { renderRuleFormat } from '../../src/backends/rule-formats.js';
import { resolveConvertPipelines } from '../../src/backends/resolve-pipelines.js';
import { techniqueName } from '../../src/catalog/attack.js';
import { CLI } from './elastic-helpers.js';

const WIN_SEED = join(DATA, 'sigmahq/rules/windows/builtin/bits_client/win_bits_client_new_transfer_via_uncommon_tld.yml');

interface Technique {
  id: string;
  name: string;
  subtechnique?: Technique[];
}

test('ES|QL rule: FROM carries METADATA _id, _version, _index; the bare --target esql query does not', () => {
  const bare = spawnSync(process.execPath, CLI(['--target', 'esql', '--pipeline', 'ecs-windows', WIN_SEED]), { encoding: 'utf8', cwd: REPO });
  assert.equal(bare.status, 0, bare.stderr);
  assert.doesNotMatch(bare.stdout, /METADATA/);
  const r = spawnSync(process.execPath, CLI(['--target', 'esql', '--pipeline', 'ecs-windows', '--format', 'elastic-rule', WIN_SEED]), { encoding: 'utf8', cwd: REPO });
  assert.equal(r.status, 0, r.stderr);
  const rule = JSON.parse(r.stdout);
  const [from, ...rest] = (rule.query as string).split('\n');
  assert.equal(from, 'FROM winlogbeat-*, logs-windows.*, logs-system.* METADATA _id, _version, _index');
  // Only the FROM line changes.
  assert.deepEqual(rest, bare.stdout.trimEnd().split('\n').slice(1));
  assert.deepEqual(validateEsql(rule.query).problems, []);
  // Lucene and EQL rules keep their query as converted.
  for (const target of ['lucene', 'eql']) {
    const q = spawnSync(process.execPath, CLI(['--target', target, '--pipeline', 'ecs-windows', WIN_SEED]), { encoding: 'utf8', cwd: REPO }).stdout.trimEnd();
    const f = spawnSync(process.execPath, CLI(['--target', target, '--pipeline', 'ecs-windows', '--format', 'elastic-rule', WIN_SEED]), { encoding: 'utf8', cwd: REPO });
    assert.equal(JSON.parse(f.stdout).query, q);
  }
});

test('withRuleMetadata: a quoted index pattern and a one-line query; anything but a FROM query is a bug', () => {
  assert.equal(withRuleMetadata('FROM "my index"\n| WHERE a == 1'), 'FROM "my index" METADATA _id, _version, _index\n| WHERE a == 1');
  assert.equal(withRuleMetadata('FROM logs-*'), 'FROM logs-* METADATA _id, _version, _index');
  assert.throws(() => withRuleMetadata('any where true'), /not an ES\|QL query/);
});

test('threat: techniques and sub-techniques by their ATT&CK names (current, revoked, unknown)', () => {
  const yaml = `title: Names
id: 6a2ddf3e-73b4-4c0b-9fcd-2b1c2b4d8e61
status: test
tags:
    - attack.command-and-control
    - attack.t1071.001
    - attack.t1197
    - attack.t1086
    - attack.t1999
logsource:
    category: proxy
detection:
    selection:
        c-useragent: x
    condition: selection
`;
  const file = join(mkdtempSync(join(tmpdir(), 'quarry-threat-')), 'names.yml');
  writeFileSync(file, yaml);
  const r = spawnSync(process.execPath, CLI(['--target', 'lucene', '--pipeline', 'ecs-proxy', '--format', 'elastic-rule', file]), { encoding: 'utf8', cwd: REPO });
  assert.equal(r.status, 0, r.stderr);
  const technique: Technique[] = JSON.parse(r.stdout).threat[0].technique;
  assert.deepEqual(
    technique.map((t) => [t.id, t.name, (t.subtechnique ?? []).map((s) => [s.id, s.name])]),
    [
      ['T1071', 'Application Layer Protocol', [['T1071.001', 'Web Protocols']]],
      ['T1197', 'BITS Jobs', []],
      // Revoked (replaced by T1059.001): the name it had.
      ['T1086', 'PowerShell', []],
      // Not an ATT&CK id: Kibana requires a name, so the id stands in.
      ['T1999', 'T1999', []],
    ],
  );
});

test('SigmaHQ corpus: every technique named in elastic-rule output as the shared ATT&CK extract names it', () => {
  const attack = JSON.parse(readFileSync(join(DATA, 'attack/enterprise-attack.json'), 'utf8')) as {
    techniques: Array<{ id: string; name: string }>;
    retired: Array<{ id: string; type: string; name: string }>;
  };
  const names = new Map<string, string>();
  for (const r of attack.retired) if (r.type === 'technique') names.set(r.id, r.name);
  for (const t of attack.techniques) names.set(t.id, t.name);
  const base = join(DATA, 'sigmahq');
  const col = loadSigmaPaths(readdirSync(base).filter((f) => f.startsWith('rules')).map((f) => join(base, f)));
  const results = convertCollection(col, TARGETS.esql!.backend, resolveConvertPipelines('esql', ['ecs-none']));
  const rules = renderRuleFormat(TARGETS.esql!.backend, 'elastic-rule', results, (id) => techniqueName(id))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { query: string; threat: Array<{ technique: Technique[] }> });
  let named = 0;
  let byId = 0;
  const wrong: string[] = [];
  const unnamed = new Set<string>();
  let metadata = 0;
  for (const rule of rules) {
    if (/^FROM [^\n]* METADATA _id, _version, _index\n/.test(rule.query) && validateEsql(rule.query).ok) metadata++;
    for (const t of rule.threat.flatMap((x) => x.technique.flatMap((y) => [y, ...(y.subtechnique ?? [])]))) {
      const want = names.get(t.id);
      if (want === undefined) {
        unnamed.add(t.id);
        // A v19 technique the extract leaves unnamed: the written supplement's name (catalog/v19-names.ts), else the id.
        const supplement = V19_TECHNIQUE_NAMES[t.id];
        if (t.name !== (supplement ?? t.id)) wrong.push(`${t.id}: '${t.name}' for an id the extract does not name`);
        byId++;
      } else if (t.name === want) named++;
      else wrong.push(`${t.id}: '${t.name}', ATT&CK says '${want}'`);
    }
  }
  console.log(`elastic-rule (esql, ecs-none): ${rules.length} rules, ${metadata} with METADATA on FROM; technique entries: ${named} named as ATT&CK 18.1 names them, ${byId} by id (${[...unnamed].sort().join(', ') || 'none'}: not named in 18.1)`);
  assert.equal(metadata, rules.length);
  assert.deepEqual(wrong.slice(0, 5), []);
  assert.ok(named > 1000, `only ${named} named`);
});
