// ATT&CK data as the catalog uses it (tactics in matrix order, techniques, groups, software) and the
// resolution of Sigma `attack.*` tags against it. Browser-safe: the bundled copy is embedded data
// (attack-data.ts, generated from the shared ATT&CK extract plus the v19 overlay); an official STIX
// bundle can replace it (stix.ts). Nothing a rule tags is ever dropped: what the data does not know
// comes back with `known: false`.
import {
  ATTACK_GROUPS,
  ATTACK_RETIRED,
  ATTACK_RETIRED_TACTICS,
  ATTACK_SOFTWARE,
  ATTACK_TACTICS,
  ATTACK_TECHNIQUES,
  ATTACK_VERSION,
} from './attack-data.js';
import { attackUrl, parentOf } from './ids.js';

export { attackUrl, parentOf };

export interface AttackTactic {
  id: string;
  shortname: string;
  name: string;
  url: string | null;
  /** 1-based column of the Enterprise matrix. */
  order: number;
}

export interface AttackTechnique {
  id: string;
  /** null for ids the data knows exist but not by name (techniques new in ATT&CK v19 in the bundled copy). */
  name: string | null;
  /** Current tactic short names, matrix order. */
  tactics: string[];
  parent: string | null;
  url: string | null;
  /**
   * Set when the tactics are not confirmed by v19 data: an 18.1 technique of Defense Evasion that the v19
   * overlay does not cover is placed under Stealth (the tactic that kept TA0005). Such tactics are not used
   * to narrow a rule's `attack.defense-evasion` tag.
   */
  inferredTactics?: true;
}

export interface AttackRef {
  id: string;
  name: string;
  url: string | null;
}

/** A revoked or deprecated object: kept because older rules still tag it. */
export interface AttackRetired {
  id: string;
  type: 'technique' | 'group' | 'software' | 'data-source' | 'tactic';
  name: string;
  revoked: boolean;
  /** The active id a revoked object points to, when ATT&CK names one. */
  replacedBy: string | null;
}

export interface AttackData {
  version: string;
  tactics: AttackTactic[];
  techniques: Record<string, AttackTechnique>;
  groups: Record<string, AttackRef>;
  software: Record<string, AttackRef>;
  /** Tactics gone from the current matrix, keyed by their old short name, with the tactics that replaced them. */
  retiredTactics: Record<string, { id: string; name: string; replacedBy: string[] }>;
  /** Revoked/deprecated techniques, groups, software and data sources, keyed by id (upper case). */
  retired?: Record<string, AttackRetired>;
  /**
   * ATT&CK's description of each active technique, as plain text (attack-text.ts), when the data has them:
   * an official bundle loaded with `--attack` does, the bundled copy does not (it carries no ATT&CK prose).
   * Kept apart from `techniques` so that what the catalog sends the browser stays small.
   */
  descriptions?: Record<string, string>;
  /** The copyright statement of the bundle the descriptions come from, shown with them. */
  copyright?: string;
}

export interface ResolvedTag {
  tag: string;
  kind: 'tactic' | 'technique' | 'group' | 'software' | 'other';
  id: string | null;
  name: string | null;
  url: string | null;
  known: boolean;
  note?: string;
  /** For a retired tactic: the current tactics it stands for. */
  current?: string[];
  /** For a sub-technique: its parent technique id. */
  parent?: string | null;
  /** For a technique: its current tactics (matrix order). */
  tactics?: string[];
}

let bundled: AttackData | undefined;

/**
 * ATT&CK 18.1 with the v19 overlay applied (tactics in v19 matrix order, Stealth and Defense Impairment
 * in place of Defense Evasion, v19 tactics for the techniques SigmaHQ uses, new v19 ids with null names).
 * Parsed once from the embedded copy; callers must not mutate it.
 */
export function bundledAttack(): AttackData {
  if (!bundled) bundled = parseEmbedded();
  return bundled;
}

function fields(line: string, n: number, what: string): string[] {
  const f = line.split('|');
  if (f.length < n) throw new Error(`attack-data.ts: malformed ${what} line '${line}'`);
  return f;
}

function parseEmbedded(): AttackData {
  const tactics = ATTACK_TACTICS.map((line, i): AttackTactic => {
    const [id, shortname, name] = fields(line, 3, 'tactic');
    return { id: id!, shortname: shortname!, name: name!, url: attackUrl(id!), order: i + 1 };
  });
  const techniques: Record<string, AttackTechnique> = {};
  for (const line of ATTACK_TECHNIQUES) {
    const [id, name, tactics, flags, url] = fields(line, 4, 'technique');
    const t: AttackTechnique = { id: id!, name: name || null, tactics: tactics ? tactics.split(' ') : [], parent: parentOf(id!), url: url || attackUrl(id!) };
    if (flags!.includes('i')) t.inferredTactics = true;
    techniques[id!] = t;
  }
  const refs = (lines: readonly string[], what: string): Record<string, AttackRef> => {
    const out: Record<string, AttackRef> = {};
    for (const line of lines) {
      const [id, name, url] = fields(line, 2, what);
      out[id!] = { id: id!, name: name!, url: url || attackUrl(id!) };
    }
    return out;
  };
  const retired: Record<string, AttackRetired> = {};
  for (const line of ATTACK_RETIRED) {
    const [type, id, name, replacedBy, state] = fields(line, 5, 'retired');
    retired[id!] = { id: id!, type: type as AttackRetired['type'], name: name!, revoked: state === 'revoked', replacedBy: replacedBy || null };
  }
  const retiredTactics: AttackData['retiredTactics'] = {};
  for (const line of ATTACK_RETIRED_TACTICS) {
    const [shortname, id, name, replacedBy] = fields(line, 4, 'retired tactic');
    retiredTactics[shortname!] = { id: id!, name: name!, replacedBy: replacedBy!.split(' ') };
  }
  return { version: ATTACK_VERSION, tactics, techniques, groups: refs(ATTACK_GROUPS, 'group'), software: refs(ATTACK_SOFTWARE, 'software'), retiredTactics, retired };
}

/**
 * A technique's name by its upper-case id: the current name, else the name it had when it was revoked
 * or deprecated (older rules still tag those), else null (ids the data does not name).
 */
export function techniqueName(id: string, attack: AttackData = bundledAttack()): string | null {
  return attack.techniques[id]?.name ?? (attack.retired?.[id]?.type === 'technique' ? attack.retired[id]!.name : null);
}

const TECHNIQUE = /^t\d{4}(?:\.\d{3})?$/;
const GROUP = /^g\d{4}$/;
const SOFTWARE = /^s\d{4}$/;
const DATA_SOURCE = /^ds\d{4}$/;

/** Tactic short names as rules write them: `defense_evasion` is an old spelling of `defense-evasion`. */
export function tacticShortname(word: string): string {
  return word.toLowerCase().replace(/_/g, '-');
}

/**
 * Resolves a rule's tags. A retired tactic (v19's Defense Evasion) is narrowed to the current tactics of
 * the rule's own techniques when their v19 tactics are known, otherwise it stands for all its successors.
 */
export function resolveTags(tags: readonly string[], attack: AttackData): ResolvedTag[] {
  const techniqueTactics = new Set<string>();
  for (const tag of tags) {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(tag.trim());
    const t = m ? attack.techniques[m[1]!.toUpperCase()] : undefined;
    if (t && !t.inferredTactics) for (const x of t.tactics) techniqueTactics.add(x);
  }
  return tags.map((tag) => resolveTag(tag, attack, techniqueTactics));
}

function resolveTag(tag: string, attack: AttackData, techniqueTactics: ReadonlySet<string>): ResolvedTag {
  const lower = tag.trim().toLowerCase();
  const dot = lower.indexOf('.');
  const ns = dot < 0 ? lower : lower.slice(0, dot);
  const rest = dot < 0 ? '' : lower.slice(dot + 1);
  if (ns !== 'attack' || !rest) return otherTag(tag, ns, rest);
  const id = rest.toUpperCase();
  if (TECHNIQUE.test(rest)) {
    const t = attack.techniques[id];
    if (t) return { tag, kind: 'technique', id, name: t.name, url: t.url, known: true, parent: t.parent, tactics: t.tactics, ...(t.name === null ? { note: `${id} is in ATT&CK ${attack.version}, its name is not in the data` } : {}) };
    const r = attack.retired?.[id];
    if (r) return { tag, kind: 'technique', id, name: r.name, url: attackUrl(id), known: true, parent: parentOf(id), note: retiredNote(r) };
    return { tag, kind: 'technique', id, name: null, url: null, known: false, parent: parentOf(id), note: `${id} is not in ATT&CK ${attack.version}` };
  }
  if (GROUP.test(rest) || SOFTWARE.test(rest)) {
    const kind = rest.startsWith('g') ? 'group' : 'software';
    const ref = (kind === 'group' ? attack.groups : attack.software)[id];
    if (ref) return { tag, kind, id, name: ref.name, url: ref.url, known: true };
    const r = attack.retired?.[id];
    if (r) return { tag, kind, id, name: r.name, url: attackUrl(id), known: true, note: retiredNote(r) };
    return { tag, kind, id, name: null, url: null, known: false, note: `${id} is not in ATT&CK ${attack.version}` };
  }
  if (DATA_SOURCE.test(rest)) {
    const r = attack.retired?.[id];
    if (r) return { tag, kind: 'other', id, name: r.name, url: attackUrl(id), known: true, note: `data source: ${retiredNote(r)}` };
    return { tag, kind: 'other', id, name: null, url: null, known: false, note: `data source ${id} is not in ATT&CK ${attack.version}` };
  }
  const shortname = tacticShortname(rest);
  const tactic = attack.tactics.find((t) => t.shortname === shortname);
  if (tactic) return { tag, kind: 'tactic', id: tactic.id, name: tactic.name, url: tactic.url, known: true, current: [tactic.shortname] };
  const old = attack.retiredTactics[shortname];
  if (old) {
    const narrowed = old.replacedBy.filter((s) => techniqueTactics.has(s));
    const current = narrowed.length ? narrowed : [...old.replacedBy];
    const names = (list: readonly string[]) => list.map((s) => attack.tactics.find((t) => t.shortname === s)?.name ?? s).join(' and ');
    const note =
      `${old.name} (${old.id}) is not a tactic in ATT&CK ${attack.version}: it was replaced by ${names(old.replacedBy)}` +
      (narrowed.length ? `; this rule's techniques belong to ${names(narrowed)}` : '');
    return { tag, kind: 'tactic', id: old.id, name: old.name, url: null, known: true, current, note };
  }
  return { tag, kind: 'tactic', id: null, name: null, url: null, known: false, note: `'${rest}' is not an ATT&CK ${attack.version} tactic, technique, group or software id` };
}

function retiredNote(r: AttackRetired): string {
  const state = r.revoked ? 'revoked' : 'deprecated';
  return r.replacedBy ? `${r.id} is ${state} in ATT&CK, replaced by ${r.replacedBy}` : `${r.id} is ${state} in ATT&CK`;
}

/** Tags of other namespaces (cve, car, detection, tlp, stp…): kept as they are, with an id and a link where one is standard. */
function otherTag(tag: string, ns: string, rest: string): ResolvedTag {
  if (ns === 'cve' && /^\d{4}[-.]\d+$/.test(rest)) {
    const id = `CVE-${rest.replace('.', '-')}`;
    return { tag, kind: 'other', id, name: null, url: `https://nvd.nist.gov/vuln/detail/${id}`, known: true };
  }
  if (ns === 'car' && /^\d{4}-\d{2}-\d{3}$/.test(rest)) {
    const id = `CAR-${rest}`;
    return { tag, kind: 'other', id, name: null, url: `https://car.mitre.org/analytics/${id}/`, known: true };
  }
  return { tag, kind: 'other', id: null, name: null, url: null, known: true };
}

/** Current tactics of a rule from its tags: tactic tags (retired ones narrowed), matrix order. */
export function currentTactics(resolved: readonly ResolvedTag[], attack: AttackData): string[] {
  const set = new Set<string>();
  for (const r of resolved) if (r.kind === 'tactic' && r.known && r.current) for (const s of r.current) set.add(s);
  return attack.tactics.filter((t) => set.has(t.shortname)).map((t) => t.shortname);
}

export { attackFromStixBundle } from './stix.js';
