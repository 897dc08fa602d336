// Sigma filters applied beside rules, and a user's own pySigma pipeline, through the hunt path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO } from '../helpers.js';
import { huntFiles } from './run-helpers.js';

const RULE = join(REPO, 'examples/rules/proc_creation_bitsadmin_download.yml');
const SYSMON = join(REPO, 'examples/logs/sysmon-workstation.json');

test('a Sigma filter next to the rules removes the detections it describes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-filter-'));
  copyFileSync(RULE, join(dir, 'rule.yml'));
  const before = await huntFiles([dir], [SYSMON]);
  assert.equal(before.detections.length, 1);
  writeFileSync(
    join(dir, 'mf_updater_jobs.yml'),
    `title: Known updater BITS job
logsource:
    category: process_creation
    product: windows
filter:
    rules:
        - 8a1c0e55-2f3b-4d9a-b7c6-0d1e2f3a4b5c
    selection:
        CommandLine|contains: ' upd /download '
    condition: selection
`,
  );
  const after = await huntFiles([dir], [SYSMON]);
  assert.equal(after.col.filters.length, 1);
  assert.equal(after.prepared.filtered, 1);
  assert.equal(after.detections.length, 0);
  // A filter whose log source does not fit the rule is not applied, and says so.
  writeFileSync(join(dir, 'mf_updater_jobs.yml'), `title: Wrong log source\nlogsource:\n    category: proxy\nfilter:\n    rules:\n        - 8a1c0e55-2f3b-4d9a-b7c6-0d1e2f3a4b5c\n    selection:\n        CommandLine|contains: 'upd'\n    condition: selection\n`);
  const mismatch = await huntFiles([dir], [SYSMON]);
  assert.equal(mismatch.detections.length, 1);
  assert.match(mismatch.prepared.filterNotes[0]!, /does not fit/);
});

test('a user pipeline maps Zeek http.log field names onto the proxy taxonomy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-pipe-'));
  const pipeline = join(dir, 'zeek-proxy.yml');
  writeFileSync(
    pipeline,
    `name: zeek http as proxy
priority: 20
transformations:
    - id: zeek_fields
      type: field_name_mapping
      mapping:
          c-useragent: user_agent
          cs-host: host
      rule_conditions:
          - type: logsource
            category: proxy
`,
  );
  const log = join(dir, 'http.ndjson');
  writeFileSync(log, ['{"ts":1,"host":"evil.top","user_agent":"Microsoft BITS/7.8","method":"GET"}', '{"ts":2,"host":"fine.com","user_agent":"Microsoft BITS/7.8","method":"GET"}'].join('\n') + '\n');
  const rule = join(REPO, 'examples/rules/proxy_bits_user_agent_uncommon_tld.yml');
  const run = (...extra: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), 'hunt', '--rules', rule, '--format', 'jsonl', '--quiet', ...extra, log], { encoding: 'utf8' });
  assert.equal(run().stdout.trim(), '', 'without the pipeline the Zeek names do not match');
  const withPipeline = run('--pipeline', pipeline).stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(withPipeline.map((d) => d.event.host), ['evil.top']);
  const bad = spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), 'hunt', '--pipeline', join(dir, 'missing.yml'), log], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /no such pipeline file/);
});
