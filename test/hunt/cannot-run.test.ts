// A rule the engine cannot run (a regex RE2 refuses, in the rule or in a filter that applies to it)
// is not skipped quietly: `quarry hunt` names the value at fault with its file, line and column,
// counts it, hunts with the other rules and exits 3 (partial).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers.js';

const quarry = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), ...args], { encoding: 'utf8', cwd: REPO });
const LOG = join(REPO, 'examples/logs/proxy.ndjson');
const RULE_ID = '9f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c';

test('a filter with a regex RE2 cannot run: located error, counted, the other rules hunt, exit 3', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'quarry-cannot-run-'));
  const rules = join(tmp, 'rules');
  mkdirSync(join(rules, 'filters'), { recursive: true });
  copyFileSync(join(REPO, 'examples/rules/proxy_bits_user_agent_uncommon_tld.yml'), join(rules, 'bits.yml'));
  // A second rule that runs and detects on the same log.
  writeFileSync(join(rules, 'any_bits.yml'), `title: Any BITS Client
id: 3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f
logsource:
    category: proxy
detection:
    selection:
        c-useragent|re: '^Microsoft BITS/[0-9.]+$'
    condition: selection
level: low
`);
  const before = quarry('hunt', '--rules', rules, LOG);
  assert.equal(before.status, 0, before.stderr);
  assert.match(before.stderr, /runnable {3}2; skipped 0; cannot run 0/);

  writeFileSync(join(rules, 'filters/lookbehind.yml'), `title: Exclusion with a look-behind
id: 5d6e7f80-91a2-4b3c-8d4e-5f60718293a4
logsource:
    category: proxy
filter:
    rules:
        - ${RULE_ID}
    selection:
        cs-host|re: '(?<=cdn-)update\\.top'
    condition: selection
`);
  const r = quarry('hunt', '--rules', rules, LOG);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /runnable {3}1; skipped 0; cannot run 1/);
  assert.ok(
    r.stderr.includes(`cannot run ${join(rules, 'filters/lookbehind.yml')}:9:9: regular expression /(?<=cdn-)update\\.top/ of 'selection' cannot be used: invalid perl operator: (?<= (rule 'BITS User Agent Requesting A Host Outside Common Top-Level Domains', ${join(rules, 'bits.yml')})`),
    r.stderr,
  );
  assert.match(r.stderr, /Partial hunt: 1 rules could not be used/);
  // The other rule still hunts: its three detections (the BITS lines of the log) are there.
  assert.equal(r.stdout.match(/^\[LOW\] Any BITS Client$/gm)?.length, 3, r.stdout);

  // A regex of the rule itself is located in the rule file.
  rmSync(join(rules, 'filters/lookbehind.yml'));
  writeFileSync(join(rules, 'any_bits.yml'), `title: Backreference
id: 3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f
logsource:
    category: proxy
detection:
    selection:
        cs-method: GET
        c-useragent|re: '(BITS)/\\1'
    condition: selection
level: low
`);
  const own = quarry('hunt', '--rules', rules, LOG);
  assert.equal(own.status, 3, own.stderr);
  assert.ok(own.stderr.includes(`cannot run ${join(rules, 'any_bits.yml')}:8:9: regular expression /(BITS)/\\1/ of 'selection' cannot be used:`), own.stderr);
});
