// Rules, logs and hunt results with correlations for the explorer's tests (server and browser):
// two base rules, correlations with a range condition on a field, aliases, a chain and an unknown
// reference, logon events that make three of them fire, and `quarry hunt` run to JSONL and DuckDB.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers.js';

export const CORRELATION_IDS = {
  failed: '1a000000-0000-4000-8000-000000000001',
  success: '1a000000-0000-4000-8000-000000000002',
  many: '1a000000-0000-4000-8000-000000000010',
  sources: '1a000000-0000-4000-8000-000000000011',
  thenSuccess: '1a000000-0000-4000-8000-000000000012',
  repeated: '1a000000-0000-4000-8000-000000000013',
  broken: '1a000000-0000-4000-8000-000000000014',
  expression: '1a000000-0000-4000-8000-000000000015',
};

/** Base rules, and correlations: a range condition on a field, aliases, a chain, an unknown reference, an expression (which never holds on these events). */
export const CORRELATION_FIXTURE: Record<string, string> = {
  'base.yml': `title: Failed Logon
id: ${CORRELATION_IDS.failed}
name: failed_logon
status: test
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4625
    condition: selection
level: low
---
title: Successful Logon
id: ${CORRELATION_IDS.success}
name: successful_logon
status: test
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4624
    condition: selection
level: informational
`,
  'correlations.yml': `title: Many Failed Logons For One User
id: ${CORRELATION_IDS.many}
name: many_failures
status: test
correlation:
    type: event_count
    rules:
        - failed_logon
    group-by:
        - TargetUserName
    timespan: 10m
    condition:
        gte: 3
    generate: true
level: medium
---
title: Failed Logons From Several Addresses
id: ${CORRELATION_IDS.sources}
status: test
correlation:
    type: value_count
    rules:
        - failed_logon
    group-by:
        - TargetUserName
    timespan: 10m
    condition:
        field: IpAddress
        gt: 2
        lte: 10
    generate: true
level: high
---
title: Failures Then A Successful Logon
id: ${CORRELATION_IDS.thenSuccess}
status: test
correlation:
    type: temporal_ordered
    rules:
        - failed_logon
        - successful_logon
    group-by:
        - user
    aliases:
        user:
            failed_logon: TargetUserName
            successful_logon: SubjectUserName
    timespan: 5m
level: high
---
title: Repeated Bursts Of Failures
id: ${CORRELATION_IDS.repeated}
status: test
correlation:
    type: event_count
    rules:
        - many_failures
    group-by:
        - TargetUserName
    timespan: 1h
    condition:
        gte: 1
level: critical
---
title: Reads A Rule Nobody Wrote
id: ${CORRELATION_IDS.broken}
status: test
correlation:
    type: event_count
    rules:
        - no_such_rule
    timespan: 1h
    condition:
        gte: 1
level: low
---
title: A Logon Without Failures Before It
id: ${CORRELATION_IDS.expression}
status: test
correlation:
    type: temporal
    rules:
        - successful_logon
        - failed_logon
    group-by:
        - user
    aliases:
        user:
            failed_logon: TargetUserName
            successful_logon: SubjectUserName
    timespan: 15m
    condition: successful_logon and not failed_logon
level: medium
`,
};

/** alice fails three times from three addresses, then logs on; bob fails once. */
export const LOGON_EVENTS = [
  { timestamp: '2026-03-01T10:00:00Z', EventID: 4625, TargetUserName: 'alice', IpAddress: '10.0.0.1' },
  { timestamp: '2026-03-01T10:01:00Z', EventID: 4625, TargetUserName: 'alice', IpAddress: '10.0.0.2' },
  { timestamp: '2026-03-01T10:02:00Z', EventID: 4625, TargetUserName: 'alice', IpAddress: '10.0.0.3' },
  { timestamp: '2026-03-01T10:03:00Z', EventID: 4624, SubjectUserName: 'alice' },
  { timestamp: '2026-03-01T10:30:00Z', EventID: 4625, TargetUserName: 'bob', IpAddress: '10.0.0.9' },
];

/** Writes the fixture rules and logs under dir; runs `quarry hunt` to JSONL and DuckDB. */
export function correlationFixture(dir: string): { rules: string; log: string; jsonl: string; duckdb: string } {
  const rules = join(dir, 'rules');
  mkdirSync(rules);
  for (const [name, text] of Object.entries(CORRELATION_FIXTURE)) writeFileSync(join(rules, name), text);
  const log = join(dir, 'logons.jsonl');
  writeFileSync(log, LOGON_EVENTS.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const jsonl = join(dir, 'hunt.jsonl');
  const duckdb = join(dir, 'hunt.duckdb');
  for (const [format, output] of [['jsonl', jsonl], ['duckdb', duckdb]] as const) {
    const r = spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), 'hunt', '--rules', rules, '--format', format, '--output', output, '--quiet', log], { encoding: 'utf8', cwd: REPO });
    assert.equal(r.status, 0, r.stderr);
  }
  return { rules, log, jsonl, duckdb };
}
