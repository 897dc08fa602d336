// Exclusion suggestions for a rule: values its false-positive notes mention (domains, TLDs,
// process names, accounts), mapped to the field of the rule that holds them, and the fields its
// own filters already exclude on (with the values seen in loaded hunt results, when there are any).
import type { SigmaRule } from '../sigma/model.js';
import type { StageView } from './stages.js';

export interface Suggestion {
  field: string;
  values: string[];
  modifier?: string;
  reason: string;
  /** What the suggestion comes from. */
  basis: 'falsepositives' | 'filter';
  /** The false-positive note it answers, when from one. */
  falsepositive?: string;
}

/** Values of a field among a rule's detections in the loaded hunts, most frequent first. */
export type SeenValues = (field: string, limit: number) => string[];

const FILE_EXT = /\.(?:exe|dll|sys|ps1|psm1|bat|cmd|vbs|js|jse|hta|msi|msc|cpl|scr|lnk|py|sh|jar|zip|iso)$/i;
const DOMAIN = /\b((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})\b/gi;
const TLD = /(?:^|[\s(,;:'"])(\.[a-z]{2,12})\b(?![.\w])/gi;
const PROCESS = /\b([\w.-]+\.(?:exe|dll|ps1|bat|cmd|vbs|msi|sys|scr|hta))\b/gi;
// Accounts: `DOMAIN\\name` with an upper-case domain (not a folder of a path), or a quoted name or
// one that looks like an account (digits, `_`, `$`) after "user"/"account": prose stays prose.
const DOMAIN_ACCOUNT = /(?<![\\:\w])([A-Z][A-Z0-9-]{1,14}\\[A-Za-z0-9_.$-]{2,64})(?![\\\w])/g;
const NAMED_ACCOUNT = /\b(?:user|account|username)\s+(?:["'`]([^"'`\s]{2,64})["'`]|([A-Za-z0-9.-]*[_$\d][A-Za-z0-9_.$-]*))/gi;

/** Every field name a rule's detection items use (filters included), in order of appearance. */
export function ruleFields(stages: StageView): string[] {
  const out: string[] = [];
  for (const s of stages.selections) for (const i of s.items) if (i.field && !out.includes(i.field)) out.push(i.field);
  return out;
}

function pick(fields: readonly string[], prefer: RegExp[], fallback: string | null): string | null {
  for (const re of prefer) {
    const f = fields.find((x) => re.test(x));
    if (f) return f;
  }
  return fallback;
}

const HOST_FIELDS = [/^cs-host$/i, /host(name)?$/i, /^r-dns$/i, /queryname$/i, /^remotename$/i, /domain$/i, /^DestinationHostname$/i, /(url|uri)$/i];
const IMAGE_FIELDS = [/^Image$/i, /^ParentImage$/i, /image$/i, /^(process\.)?(executable|name)$/i, /process/i];
const USER_FIELDS = [/^User$/i, /^(Subject|Target)UserName$/i, /user/i, /account/i];

function fromFalsepositive(fp: string, fields: readonly string[]): Suggestion[] {
  const out: Suggestion[] = [];
  const hostField = pick(fields, HOST_FIELDS, null);
  const domains = [...fp.matchAll(DOMAIN)].map((m) => m[1]!.toLowerCase()).filter((d) => !FILE_EXT.test(d) && !/^(e\.g|i\.e|etc)\b/.test(d) && /[a-z]/.test(d.split('.').pop()!));
  if (hostField && domains.length) {
    out.push({ field: hostField, modifier: 'endswith', values: [...new Set(domains)], basis: 'falsepositives', falsepositive: fp, reason: `the false-positive note names ${domains.length === 1 ? 'a domain' : 'domains'}: exclude ${hostField} ending with ${domains.length === 1 ? 'it' : 'them'}` });
  }
  const tlds = [...fp.matchAll(TLD)].map((m) => m[1]!.toLowerCase()).filter((t) => !FILE_EXT.test(t));
  if (hostField && tlds.length) {
    out.push({ field: hostField, modifier: 'endswith', values: [...new Set(tlds)], basis: 'falsepositives', falsepositive: fp, reason: `the false-positive note names top-level domains: exclude ${hostField} ending with them` });
  }
  const procs = [...fp.matchAll(PROCESS)].map((m) => m[1]!);
  if (procs.length) {
    const field = pick(fields, IMAGE_FIELDS, 'Image')!;
    const windowsPath = /image$/i.test(field);
    out.push({ field, modifier: 'endswith', values: [...new Set(procs.map((p) => (windowsPath ? `\\${p}` : p)))], basis: 'falsepositives', falsepositive: fp, reason: `the false-positive note names ${procs.length === 1 ? 'a program' : 'programs'}: exclude ${field} ending with ${procs.length === 1 ? 'it' : 'them'}` });
  }
  const accounts = [...[...fp.matchAll(DOMAIN_ACCOUNT)].map((m) => m[1]!), ...[...fp.matchAll(NAMED_ACCOUNT)].map((m) => m[1] ?? m[2]!)].filter((a) => a.length >= 2);
  if (accounts.length) {
    const field = pick(fields, USER_FIELDS, 'User')!;
    out.push({ field, values: [...new Set(accounts)], basis: 'falsepositives', falsepositive: fp, reason: `the false-positive note names ${accounts.length === 1 ? 'an account' : 'accounts'}: exclude ${field} equal to ${accounts.length === 1 ? 'it' : 'them'}` });
  }
  return out;
}

const NON_MATCH_MODIFIERS = new Set(['all', 'cased', 'neq', 'exists', 'expand', 'fieldref', 'i', 'm', 's']);

/** Suggestions for a rule (filters applied), from its false-positive notes and its filters' fields. */
export function suggestExclusions(rule: SigmaRule, stages: StageView, seen?: SeenValues): Suggestion[] {
  const fields = ruleFields(stages);
  const out: Suggestion[] = [];
  for (const fp of rule.falsepositives) out.push(...fromFalsepositive(fp, fields));
  const done = new Set<string>();
  for (const s of stages.selections) {
    if (s.role !== 'filter') continue;
    for (const item of s.items) {
      if (!item.field) continue;
      const modifier = item.modifiers.find((m) => !NON_MATCH_MODIFIERS.has(m));
      const key = `${item.field}|${modifier ?? ''}`;
      if (done.has(key)) continue;
      done.add(key);
      const values = seen ? seen(item.field, 10) : [];
      out.push({
        field: item.field,
        ...(modifier ? { modifier } : {}),
        values,
        basis: 'filter',
        reason: `the rule already excludes on ${item.field}${modifier ? `|${modifier}` : ''} (${s.name}); add the values that are normal in your environment` + (values.length ? ' (the values listed are those of this rule\'s detections in the loaded hunts)' : ''),
      });
    }
  }
  return out;
}
