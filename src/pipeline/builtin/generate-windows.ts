// Generates builtin/windows.yml from SigmaHQ's own log source mapping (tests/thor.yml in the sigma
// repository), so that the shipped pipeline can be reproduced and reviewed. Run from the repo root:
//   node dist/src/pipeline/builtin/generate-windows.js [path/to/thor.yml]
// then `npm run build` embeds it (build/embed-data.mjs). The product never reads thor.yml.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

interface ThorSource {
  category?: string;
  product?: string;
  service?: string;
  conditions?: Record<string, string | number | Array<string | number>>;
  rewrite?: { product?: string; service?: string };
  sources?: string[];
  fieldmappings?: Record<string, string>;
}

export interface WindowsMapping {
  /** service → event log channels */
  services: Map<string, string[]>;
  /** category → conditions (field → values), field alternatives, and notes */
  categories: Map<string, { conditions: Map<string, Array<string | number>>; fieldAlternatives: Map<string, string[]>; note?: string }>;
  /** thor.yml entries that are not Windows event log sources, with the reason */
  skipped: string[];
}

/**
 * Services SigmaHQ's rules use that thor.yml gives no channel, with the channel each writes to (the
 * names Windows gives these logs, as pySigma's Windows mapping also has them). Without these, the
 * DNS Server rules never meet DNS Server events. Added only where thor.yml has no entry of its own.
 */
export const SUPPLEMENTARY_SERVICES: ReadonlyMap<string, readonly string[]> = new Map([
  ['dns-server', ['DNS Server']],
  ['dns-server-analytic', ['Microsoft-Windows-DNS-Server/Analytical']],
  ['driver-framework', ['Microsoft-Windows-DriverFrameworks-UserMode/Operational']],
  ['microsoft-servicebus-client', ['Microsoft-ServiceBus-Client']],
]);

/**
 * Windows log sources of the SigmaHQ corpus that the pipeline deliberately leaves without a guard,
 * each with the reason (keyed `category:…`, `service:…`, or `(none)` for `product: windows` alone).
 * The corpus test (test/pipeline/windows.test.ts) fails on any other unmapped Windows log source.
 */
export const UNMAPPED_WINDOWS_SOURCES: ReadonlyMap<string, string> = new Map([
  ['category:file_access', 'no Windows event log records file reads: Sysmon has no such event and the rules are written for EDR telemetry (kernel file ETW), which has no channel'],
  ['category:file_rename', 'no Windows event log records renames: Sysmon has no such event and the rules are written for EDR telemetry (kernel file ETW), which has no channel'],
  ['(none)', "'product: windows' alone names no log: such a rule meets every Windows event, whatever its channel"],
]);

export function windowsMappingFromThor(thorText: string): WindowsMapping {
  const thor = parse(thorText) as { logsources: Record<string, ThorSource> };
  const services = new Map<string, string[]>();
  const skipped: string[] = [];
  const byCategory = new Map<string, Array<{ key: string; src: ThorSource }>>();
  for (const [key, src] of Object.entries(thor.logsources)) {
    if (src.category) {
      if (src.product !== 'windows') {
        skipped.push(`${key}: category '${src.category}' has no 'product: windows'`);
        continue;
      }
      const list = byCategory.get(src.category) ?? [];
      list.push({ key, src });
      byCategory.set(src.category, list);
    } else if (src.product === 'windows' && src.service) {
      const channels = (src.sources ?? []).filter((s) => s.startsWith('WinEventLog:')).map((s) => s.slice('WinEventLog:'.length));
      if (channels.length) services.set(src.service, channels);
      else skipped.push(`${key}: service '${src.service}' names no WinEventLog source`);
    } else skipped.push(`${key}: not a Windows log source`);
  }
  for (const [service, channels] of SUPPLEMENTARY_SERVICES) if (!services.has(service)) services.set(service, [...channels]);
  const categories: WindowsMapping['categories'] = new Map();
  for (const [category, entries] of byCategory) {
    const conditions = new Map<string, Array<string | number>>();
    const channels: string[] = [];
    const varying = new Set<string>();
    for (const { src } of entries) {
      const service = src.rewrite?.service;
      for (const ch of (service && services.get(service)) || []) if (!channels.includes(ch)) channels.push(ch);
      for (const [field, value] of Object.entries(src.conditions ?? {})) {
        const list = conditions.get(field) ?? [];
        for (const v of Array.isArray(value) ? value : [value]) if (!list.includes(v)) list.push(v);
        if (list.length > 1) varying.add(field);
        conditions.set(field, list);
      }
    }
    if (channels.length > 1) varying.add('Channel');
    const all = new Map<string, Array<string | number>>([['Channel', channels], ...conditions]);
    if (channels.length === 0) {
      skipped.push(`category '${category}': its rewrite service has no channel`);
      continue;
    }
    const fieldAlternatives = new Map<string, string[]>();
    for (const { src } of entries) {
      for (const [from, to] of Object.entries(src.fieldmappings ?? {})) {
        const alts = fieldAlternatives.get(from) ?? (entries.length > 1 ? [from] : []);
        if (!alts.includes(to)) alts.push(to);
        fieldAlternatives.set(from, alts);
      }
    }
    // Several thor entries merged into one guard: exact when one field varies, otherwise it
    // over-selects (e.g. Sysmon EventID 4688), which a guard may do.
    const note = varying.size > 1 ? `merges ${entries.map((e) => e.key).join(', ')}: ${[...varying].join(' and ')} vary together, so the guard may over-select` : undefined;
    categories.set(category, { conditions: all, fieldAlternatives, ...(note ? { note } : {}) });
  }
  return { services, categories, skipped };
}

const q = (v: string | number) => (typeof v === 'number' ? String(v) : JSON.stringify(v));
/**
 * A condition's or mapping's values after its key's colon: one value inline, several as a block
 * sequence at `indent` (not a flow `[a, b]`), so that the fast YAML reader (sigma/yaml-fast.ts)
 * reads the pipeline at start-up: the full parser took 100-300 ms of every hunt over it.
 */
const values = (vs: Array<string | number>, indent: string) => (vs.length === 1 ? ` ${q(vs[0]!)}` : vs.map((v) => `\n${indent}- ${q(v)}`).join(''));

export function windowsPipelineYaml(m: WindowsMapping): string {
  const out: string[] = [
    '# Generated by src/pipeline/builtin/generate-windows.ts from SigmaHQ tests/thor.yml; do not edit by hand.',
    '# Windows event log sources: each `service` becomes a Channel guard, each `category` a Channel + EventID guard.',
    'name: windows',
    'priority: 10',
    'transformations:',
  ];
  for (const [service, channels] of [...m.services].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(
      `  - id: windows_service_${service}`,
      '    type: add_condition',
      '    conditions:',
      `      Channel:${values(channels, '        ')}`,
      '    rule_conditions:',
      '      - type: logsource',
      '        product: windows',
      `        service: ${q(service)}`,
    );
  }
  for (const [category, c] of [...m.categories].sort(([a], [b]) => a.localeCompare(b))) {
    if (c.note) out.push(`  # ${c.note}`);
    out.push(`  - id: windows_category_${category}`, '    type: add_condition', '    conditions:');
    for (const [field, vs] of c.conditions) out.push(`      ${field}:${values(vs, '        ')}`);
    out.push('    rule_conditions:', '      - type: logsource', '        product: windows', `        category: ${q(category)}`);
    if (c.fieldAlternatives.size) {
      out.push(`  - id: windows_category_${category}_fields`, '    type: field_name_mapping', '    mapping:');
      for (const [field, alts] of c.fieldAlternatives) out.push(`      ${field}:${values(alts, '        ')}`);
      out.push('    rule_conditions:', '      - type: logsource', '        product: windows', `        category: ${q(category)}`);
    }
  }
  return out.join('\n') + '\n';
}

function main(): void {
  const thorPath = process.argv[2] ?? resolve(process.cwd(), '../shared/data/sigmahq/tests/thor.yml');
  const mapping = windowsMappingFromThor(readFileSync(thorPath, 'utf8'));
  const target = resolve(process.cwd(), 'src/pipeline/builtin/windows.yml');
  writeFileSync(target, windowsPipelineYaml(mapping));
  process.stdout.write(`wrote ${target}: ${mapping.services.size} services, ${mapping.categories.size} categories\n`);
  for (const s of mapping.skipped) process.stdout.write(`  skipped ${s}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
