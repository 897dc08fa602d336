// A seeded stream of Windows logon and process events with the correlations a SOC runs on them
// (brute force, password spray, a failure then a success, encoded PowerShell then a run key, and a
// chain over the brute force), for the scaled-out service's tests and bench: thousands of groups,
// every correlation type the partitions must keep whole, and a chain that must stay in one unit.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LOGON_RULES = `title: Failed Logon
id: b2000000-0000-4000-8000-000000000001
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
title: Successful Network Logon
id: b2000000-0000-4000-8000-000000000002
status: test
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4624
        LogonType: 3
    condition: selection
level: informational
---
title: Encoded PowerShell
id: b2000000-0000-4000-8000-000000000003
status: test
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswith: '\\powershell.exe'
        CommandLine|contains: ' -enc '
    condition: selection
level: medium
---
title: Run Key Written
id: b2000000-0000-4000-8000-000000000004
status: test
logsource:
    product: windows
    category: registry_set
detection:
    selection:
        TargetObject|contains: '\\CurrentVersion\\Run\\'
    condition: selection
level: medium
---
title: Brute Force From One Address
id: b2000000-0000-4000-8000-000000000101
status: test
correlation:
    type: event_count
    rules:
        - b2000000-0000-4000-8000-000000000001
    group-by:
        - IpAddress
        - TargetUserName
    timespan: 2m
    condition:
        gte: 4
level: high
---
title: Password Spray From One Address
id: b2000000-0000-4000-8000-000000000102
status: test
correlation:
    type: value_count
    rules:
        - b2000000-0000-4000-8000-000000000001
    group-by:
        - IpAddress
    timespan: 10m
    condition:
        field: TargetUserName
        gte: 4
level: high
---
title: Failures Then A Success For One User
id: b2000000-0000-4000-8000-000000000103
status: test
correlation:
    type: temporal_ordered
    rules:
        - b2000000-0000-4000-8000-000000000001
        - b2000000-0000-4000-8000-000000000002
    group-by:
        - TargetUserName
    timespan: 5m
level: high
---
title: Encoded PowerShell Then A Run Key
id: b2000000-0000-4000-8000-000000000104
status: test
correlation:
    type: temporal
    rules:
        - b2000000-0000-4000-8000-000000000003
        - b2000000-0000-4000-8000-000000000004
    group-by:
        - Computer
    timespan: 10m
    generate: true
level: critical
---
title: Repeated Brute Force From One Address
id: b2000000-0000-4000-8000-000000000105
status: test
correlation:
    type: event_count
    rules:
        - b2000000-0000-4000-8000-000000000101
    group-by:
        - IpAddress
    timespan: 1h
    condition:
        gte: 2
level: critical
`;

/** The rules above in a fresh folder. */
export function logonRules(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-logon-rules-'));
  writeFileSync(join(dir, 'logon.yml'), LOGON_RULES);
  return dir;
}

/** mulberry32: a small seeded generator, so every run (and every failure) repeats exactly. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` events, one JSON object a line, in time order (0.2–1.8 s apart from 2026-11-20 08:00 UTC):
 * logons from 40 addresses for 60 users on 25 hosts, with bursts of failures, and process and
 * registry events; about 1 in 500 lines lacks the group-by field, as real logs do.
 */
export function logonEvents(count: number, seed: number): string[] {
  const rnd = seeded(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const hosts = Array.from({ length: 25 }, (_, i) => `WS-${String(i + 1).padStart(3, '0')}.corp.example`);
  const users = Array.from({ length: 60 }, (_, i) => `user${i + 1}`);
  const ips = Array.from({ length: 40 }, (_, i) => `10.20.${Math.floor(i / 10)}.${(i % 10) + 10}`);
  let t = Date.UTC(2026, 10, 20, 8, 0, 0);
  const lines: string[] = [];
  let burst: { ip: string; user: string; left: number } | null = null;
  while (lines.length < count) {
    t += 200 + Math.floor(rnd() * 1600);
    const time = new Date(t).toISOString();
    const computer = pick(hosts);
    const r = rnd();
    let e: Record<string, unknown>;
    if (burst || r < 0.04) {
      burst ??= { ip: pick(ips), user: rnd() < 0.5 ? pick(users) : '', left: 3 + Math.floor(rnd() * 6) };
      e = { EventID: 4625, Channel: 'Security', Computer: computer, TargetUserName: burst.user || pick(users), IpAddress: burst.ip, LogonType: 3, TimeCreated: time };
      if (--burst.left === 0) burst = null;
    } else if (r < 0.45) e = { EventID: 4625, Channel: 'Security', Computer: computer, TargetUserName: pick(users), IpAddress: pick(ips), LogonType: 3, TimeCreated: time };
    else if (r < 0.75) e = { EventID: 4624, Channel: 'Security', Computer: computer, TargetUserName: pick(users), IpAddress: pick(ips), LogonType: rnd() < 0.7 ? 3 : 2, TimeCreated: time };
    else if (r < 0.87) e = { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: computer, Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', CommandLine: rnd() < 0.3 ? 'powershell.exe -nop -enc SQBFAFgA' : 'powershell.exe -File update.ps1', TimeCreated: time };
    else e = { EventID: 13, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: computer, TargetObject: rnd() < 0.3 ? 'HKU\\S-1-5-21\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\updater' : 'HKLM\\Software\\Vendor\\Settings\\x', Details: 'C:\\Users\\Public\\u.exe', TimeCreated: time };
    if (rnd() < 0.002) delete e.IpAddress;
    lines.push(JSON.stringify(e));
  }
  return lines;
}
