// The hunting context of a rule, generated from the rule itself: what it detects, in which data,
// its ATT&CK context, the query to start from, and each false-positive scenario with an exclusion.
import type { LogSource, SigmaRule } from '../sigma/model.js';
import type { AttackData, ResolvedTag } from '../catalog/attack.js';
import { ruleFields, type SeenValues, type Suggestion } from './suggestions.js';
import { generalScenarios } from './scenarios.js';
import type { StageView } from './stages.js';
import { techniqueDescriptions } from './attack-descriptions.js';
import type { HuntingContext, Translation } from './api-types.js';

const CATEGORY_TEXT: Record<string, string> = {
  process_creation: 'process creation events (Sysmon event 1, Security 4688, EDR process telemetry)',
  proxy: 'web proxy logs (user agent, requested host and URL)',
  webserver: 'web server access logs',
  firewall: 'firewall logs',
  dns: 'DNS server logs',
  dns_query: 'DNS queries made by processes (Sysmon event 22)',
  network_connection: 'network connections made by processes (Sysmon event 3)',
  file_event: 'file creation events (Sysmon event 11)',
  file_delete: 'file deletion events',
  file_access: 'file access events',
  image_load: 'module (DLL) load events (Sysmon event 7)',
  registry_set: 'registry value changes (Sysmon event 13)',
  registry_add: 'registry key creation (Sysmon event 12)',
  registry_event: 'registry events (Sysmon events 12 to 14)',
  registry_delete: 'registry deletions (Sysmon event 12)',
  ps_script: 'PowerShell script block logging (event 4104)',
  ps_module: 'PowerShell module logging (event 4103)',
  ps_classic_start: 'PowerShell classic start events (event 400)',
  pipe_created: 'named pipe events (Sysmon events 17 and 18)',
  create_remote_thread: 'remote thread creation (Sysmon event 8)',
  process_access: 'process access events (Sysmon event 10)',
  driver_load: 'driver load events (Sysmon event 6)',
  wmi_event: 'WMI event subscriptions (Sysmon events 19 to 21)',
};

export function describeDataSource(ls: LogSource): string {
  const parts: string[] = [];
  if (ls.category) parts.push(CATEGORY_TEXT[ls.category] ?? `${ls.category.replace(/_/g, ' ')} events`);
  if (ls.service) parts.push(`the ${ls.service} log`);
  const where = ls.product ? ` on ${ls.product === 'windows' ? 'Windows' : ls.product}` : '';
  return (parts.join(' from ') || 'events') + where;
}

function list(xs: string[]): string {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

export function huntingContext(rule: SigmaRule, resolved: readonly ResolvedTag[], attack: AttackData, translations: readonly Translation[], suggestions: readonly Suggestion[], stages?: StageView, seen?: SeenValues): HuntingContext {
  const tacticTags = resolved.filter((t) => t.kind === 'tactic');
  const tactics = tacticTags.map((t) => ({ id: t.id, name: t.name ?? t.tag.replace(/^attack\./, '') }));
  const techniques = resolved.filter((t) => t.kind === 'technique' && t.id).map((t) => ({ id: t.id!, name: t.name }));
  const software = resolved.filter((t) => t.kind === 'software' || t.kind === 'group').map((t) => t.name ?? t.id ?? t.tag);
  const dataSource = describeDataSource(rule.logsource);
  const kql = translations.find((t) => t.target === 'kql' && t.ok && t.query);

  const what = rule.description?.trim() || rule.title;
  const sentences = [`${rule.title}: ${what.replace(/\s+/g, ' ').replace(/\.?$/, '.')}`];
  sentences.push(`It reads ${dataSource}${rule.level ? ` and is rated ${rule.level}` : ''}.`);
  if (techniques.length || tactics.length) {
    const tech = techniques.map((t) => (t.name ? `${t.name} (${t.id})` : t.id));
    const tac = tactics.map((t) => t.name);
    sentences.push(
      `In ATT&CK ${attack.version.replace(/\s*\(.*\)$/, '')} it covers ${tech.length ? list(tech) : 'no technique tagged'}` +
        (tac.length ? `, under the ${list(tac)} ${tac.length === 1 ? 'tactic' : 'tactics'}` : '') +
        (software.length ? `, and is associated with ${list(software)}` : '') +
        '.',
    );
  }
  sentences.push(
    `Hunt for it proactively: run the query over ${rule.logsource.category === 'proxy' ? 'at least the last 30 days of proxy traffic' : 'a recent window of this data'}, stack the results by the fields the rule tests, and look at the rarest values first.`,
  );
  if (rule.references.length) {
    const hosts = [...new Set(rule.references.map((r) => /^https?:\/\/([^/]+)/i.exec(r)?.[1]?.replace(/^www\./, '')).filter((h): h is string => !!h))];
    sentences.push(`Background: ${rule.references.length === 1 ? 'one reference' : `${rule.references.length} references`}${hosts.length ? ` (${list(hosts)})` : ''}, listed under References.`);
  }
  if (rule.falsepositives.length) sentences.push(`Known false positives: ${list(rule.falsepositives.map((f) => `"${f.replace(/\.$/, '')}"`))}; tune them with an exclusion (a Sigma filter) rather than deleting the rule.`);

  // A note that names no value still gets an exclusion to start from: on a field the rule's own
  // filters exclude on (the values its detections had in loaded hunts), flagged as general.
  const general = suggestions.find((s) => s.basis === 'filter') ?? null;
  const scenarios = rule.falsepositives.map((fp) => {
    const own = suggestions.find((s) => s.falsepositive === fp);
    return { falsepositive: fp, exclusion: own ?? general, specific: own !== undefined };
  });
  return {
    narrative: sentences.join(' '),
    dataSource,
    tactics,
    techniques,
    ...(kql ? { query: { target: kql.target, pipeline: kql.pipeline, text: kql.query! } } : {}),
    scenarios,
    general: stages ? generalScenarios(ruleFields(stages), seen) : [],
    techniqueText: techniqueDescriptions(resolved, attack),
  };
}
