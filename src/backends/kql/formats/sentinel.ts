// What Microsoft Sentinel's analytic rules say differently from Sigma: severities, tactic names,
// technique fields, data connectors, and a stable GUID per rule. Shared by the YAML analytic rule
// (sentinel-rule.ts) and the ARM template (sentinel-arm.ts). See ../FORMATS.md.
import type { RuleMeta, Severity } from '../../common/rule-meta.js';

/** Sentinel has no critical: it becomes High. */
export function sentinelSeverity(s: Severity): 'Informational' | 'Low' | 'Medium' | 'High' {
  return ({ informational: 'Informational', low: 'Low', medium: 'Medium', high: 'High', critical: 'High' } as const)[s];
}

/**
 * ATT&CK tactic short names (Sigma's `attack.<name>` tags) to the names Sentinel accepts. ATT&CK
 * v19 split defense evasion into stealth and defense impairment; Sentinel still knows only
 * DefenseEvasion, which covers both.
 */
export const SENTINEL_TACTICS: Readonly<Record<string, string>> = {
  reconnaissance: 'Reconnaissance',
  'resource-development': 'ResourceDevelopment',
  'initial-access': 'InitialAccess',
  execution: 'Execution',
  persistence: 'Persistence',
  'privilege-escalation': 'PrivilegeEscalation',
  'defense-evasion': 'DefenseEvasion',
  stealth: 'DefenseEvasion',
  'defense-impairment': 'DefenseEvasion',
  'credential-access': 'CredentialAccess',
  discovery: 'Discovery',
  'lateral-movement': 'LateralMovement',
  collection: 'Collection',
  exfiltration: 'Exfiltration',
  'command-and-control': 'CommandAndControl',
  impact: 'Impact',
  // ATT&CK for ICS tactics that Sentinel lists.
  'impair-process-control': 'ImpairProcessControl',
  'inhibit-response-function': 'InhibitResponseFunction',
};

/** The rule's tactics in Sentinel's names, in tag order without repeats, and the tags Sentinel has no name for. */
export function sentinelTactics(meta: RuleMeta): { tactics: string[]; unmapped: string[] } {
  const tactics: string[] = [];
  const unmapped: string[] = [];
  for (const t of meta.tactics) {
    const s = SENTINEL_TACTICS[t];
    if (!s) unmapped.push(t);
    else if (!tactics.includes(s)) tactics.push(s);
  }
  return { tactics, unmapped };
}

/** Parent technique ids (`T1071` for `T1071.001`), in order without repeats: the ARM API's `techniques` takes no sub-techniques. */
export function parentTechniques(meta: RuleMeta): string[] {
  return [...new Set(meta.techniques.map((t) => t.split('.')[0]!))];
}

export function subTechniques(meta: RuleMeta): string[] {
  return meta.techniques.filter((t) => t.includes('.'));
}

export interface DataConnector {
  connectorId: string;
  dataTypes: string[];
}

/**
 * The data connector that fills the query's table, when one connector does: Defender XDR's
 * advanced-hunting tables, SecurityEvent, WindowsEvent. An ASIM parser (im…) reads whichever
 * sources the workspace normalises and `Event` is filled by several agents: no single connector,
 * so none is claimed.
 */
export function dataConnectors(table: string | null): DataConnector[] {
  if (!table) return [];
  if (/^Device[A-Za-z]+Events$/.test(table)) return [{ connectorId: 'MicrosoftThreatProtection', dataTypes: [table] }];
  if (table === 'SecurityEvent') return [{ connectorId: 'SecurityEvents', dataTypes: ['SecurityEvent'] }];
  if (table === 'WindowsEvent') return [{ connectorId: 'WindowsForwardedEvents', dataTypes: ['WindowsEvent'] }];
  return [];
}

/**
 * The rule's id when it is a GUID (Sigma ids are UUIDs); otherwise a stable GUID from its title and
 * file (FNV-1a, four seeds, version 8 "custom"), so that re-deploying updates the same Sentinel rule.
 */
export function sentinelRuleId(meta: RuleMeta): string {
  if (meta.id && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(meta.id)) return meta.id.toLowerCase();
  const text = `${meta.id ?? ''}\n${meta.title}\n${meta.file}`;
  const words = [0x811c9dc5, 0x050c5d1f, 0x2b9c4e3d, 0x7f4a7c15].map((seed) => {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(16).padStart(8, '0');
  });
  const hex = words.join('').split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The KQL table the pipelines chose (query_table), if any. */
export function queryTable(state: Readonly<Record<string, unknown>>): string | null {
  const t = state['query_table'];
  return typeof t === 'string' && t ? t : null;
}

/** Scheduling shared by both formats: every hour over the last hour, an alert for any row. */
export const SCHEDULE = { frequencyIso: 'PT1H', periodIso: 'PT1H', frequency: '1h', period: '1h' } as const;
