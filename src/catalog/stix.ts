// Reads an official ATT&CK Enterprise STIX bundle (STIX 2.0 from mitre/cti, 2.1 from
// mitre-attack/attack-stix-data) into AttackData, for users who load a newer release than the bundled
// copy (`quarry explore --attack FILE`). Only the fields the catalog needs: ATT&CK ids (the
// `mitre-attack` external reference), names, urls, kill-chain phases, the matrix's tactic order, and
// revoked/deprecated flags with `revoked-by` relationships.
import type { AttackData, AttackRef, AttackRetired, AttackTactic, AttackTechnique } from './attack.js';
import { parentOf } from './ids.js';
import { plainAttackText } from './attack-text.js';

interface StixObject {
  type?: unknown;
  id?: unknown;
  name?: unknown;
  description?: unknown;
  definition_type?: unknown;
  definition?: unknown;
  revoked?: unknown;
  x_mitre_deprecated?: unknown;
  x_mitre_shortname?: unknown;
  x_mitre_version?: unknown;
  x_mitre_domains?: unknown;
  external_references?: unknown;
  kill_chain_phases?: unknown;
  tactic_refs?: unknown;
  relationship_type?: unknown;
  source_ref?: unknown;
  target_ref?: unknown;
}

export class AttackBundleError extends Error {
  constructor(message: string) {
    super(`ATT&CK bundle: ${message}`);
    this.name = 'AttackBundleError';
  }
}

function mitreRef(o: StixObject): { id: string; url: string | null } | null {
  if (!Array.isArray(o.external_references)) return null;
  for (const r of o.external_references as Array<Record<string, unknown>>) {
    if (r && r.source_name === 'mitre-attack' && typeof r.external_id === 'string') {
      return { id: r.external_id.toUpperCase(), url: typeof r.url === 'string' ? r.url : null };
    }
  }
  return null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const retiredFlag = (o: StixObject) => o.revoked === true || o.x_mitre_deprecated === true;

/** v19 replaced Defense Evasion by Stealth (same id, TA0005) and Defense Impairment (TA0112). */
const KNOWN_SPLITS: Array<{ old: string; id: string; name: string; successors: string[] }> = [
  { old: 'defense-evasion', id: 'TA0005', name: 'Defense Evasion', successors: ['stealth', 'defense-impairment'] },
];

export function attackFromStixBundle(bundle: unknown): AttackData {
  if (!bundle || typeof bundle !== 'object' || !Array.isArray((bundle as { objects?: unknown }).objects)) {
    throw new AttackBundleError("expected a STIX bundle: an object with an 'objects' array");
  }
  const objects = (bundle as { objects: unknown[] }).objects.filter((o): o is StixObject => !!o && typeof o === 'object');
  const byStixId = new Map<string, StixObject>();
  for (const o of objects) if (typeof o.id === 'string') byStixId.set(o.id, o);

  const revokedBy = new Map<string, string>();
  for (const o of objects) {
    if (o.type === 'relationship' && o.relationship_type === 'revoked-by' && typeof o.source_ref === 'string' && typeof o.target_ref === 'string') {
      const target = byStixId.get(o.target_ref);
      const ref = target && mitreRef(target);
      if (ref) revokedBy.set(o.source_ref, ref.id);
    }
  }

  // Tactics, ordered by the Enterprise matrix (the first matrix when the bundle holds several).
  const tacticObjects = objects.filter((o) => o.type === 'x-mitre-tactic');
  const matrices = objects.filter((o) => o.type === 'x-mitre-matrix' && !retiredFlag(o) && Array.isArray(o.tactic_refs));
  const matrix = matrices.find((m) => mitreRef(m)?.id === 'ENTERPRISE-ATTACK') ?? matrices[0];
  if (!matrix) throw new AttackBundleError('no x-mitre-matrix object with tactic_refs: cannot order the tactics');
  const tactics: AttackTactic[] = [];
  const retired: Record<string, AttackRetired> = {};
  const retiredTacticsByName = new Map<string, { id: string; name: string }>();
  for (const ref of matrix.tactic_refs as unknown[]) {
    const o = typeof ref === 'string' ? byStixId.get(ref) : undefined;
    const m = o && mitreRef(o);
    const shortname = o && str(o.x_mitre_shortname);
    if (!o || !m || !shortname) throw new AttackBundleError(`matrix tactic_ref ${String(ref)} is not an x-mitre-tactic with an ATT&CK id and shortname`);
    tactics.push({ id: m.id, shortname, name: str(o.name) ?? m.id, url: m.url, order: tactics.length + 1 });
  }
  for (const o of tacticObjects) {
    const m = mitreRef(o);
    const shortname = str(o.x_mitre_shortname);
    if (m && shortname && !tactics.some((t) => t.shortname === shortname)) retiredTacticsByName.set(shortname, { id: m.id, name: str(o.name) ?? m.id });
  }
  const shortnames = new Set(tactics.map((t) => t.shortname));
  const order = new Map(tactics.map((t) => [t.shortname, t.order]));

  const techniques: Record<string, AttackTechnique> = {};
  const descriptions: Record<string, string> = {};
  const groups: Record<string, AttackRef> = {};
  const software: Record<string, AttackRef> = {};
  for (const o of objects) {
    const type = o.type;
    if (type !== 'attack-pattern' && type !== 'intrusion-set' && type !== 'malware' && type !== 'tool') continue;
    const m = mitreRef(o);
    if (!m) continue; // not an ATT&CK object (e.g. a CAPEC-only pattern)
    const name = str(o.name) ?? m.id;
    if (retiredFlag(o)) {
      const kind = type === 'attack-pattern' ? 'technique' : type === 'intrusion-set' ? 'group' : 'software';
      retired[m.id] = { id: m.id, type: kind, name, revoked: o.revoked === true, replacedBy: (typeof o.id === 'string' && revokedBy.get(o.id)) || null };
      continue;
    }
    if (type === 'attack-pattern') {
      const phases = Array.isArray(o.kill_chain_phases) ? (o.kill_chain_phases as Array<Record<string, unknown>>) : [];
      const list = phases
        .filter((p) => p && p.kill_chain_name === 'mitre-attack' && typeof p.phase_name === 'string')
        .map((p) => p.phase_name as string)
        .filter((s) => shortnames.has(s));
      const tacticList = [...new Set(list)].sort((a, b) => order.get(a)! - order.get(b)!);
      techniques[m.id] = { id: m.id, name, tactics: tacticList, parent: parentOf(m.id), url: m.url };
      const text = str(o.description) && plainAttackText(o.description as string);
      if (text) descriptions[m.id] = text;
    } else (type === 'intrusion-set' ? groups : software)[m.id] = { id: m.id, name, url: m.url };
  }

  // Tactics that left the matrix: their successors are the current tactics their former techniques went to.
  const retiredTactics: AttackData['retiredTactics'] = {};
  for (const [shortname, t] of retiredTacticsByName) retiredTactics[shortname] = { id: t.id, name: t.name, replacedBy: [] };
  for (const s of KNOWN_SPLITS) {
    if (shortnames.has(s.old) || !s.successors.every((x) => shortnames.has(x))) continue;
    retiredTactics[s.old] = { id: s.id, name: s.name, replacedBy: s.successors };
  }
  const copyright = copyrightStatement(objects);
  return {
    version: bundleVersion(objects),
    tactics,
    techniques,
    groups,
    software,
    retiredTactics,
    retired,
    ...(Object.keys(descriptions).length ? { descriptions } : {}),
    ...(copyright ? { copyright } : {}),
  };
}

/** The bundle's copyright statement (a `statement` marking definition): it must travel with text shown from the bundle. */
function copyrightStatement(objects: StixObject[]): string | null {
  for (const o of objects) {
    if (o.type !== 'marking-definition' || o.definition_type !== 'statement' || !o.definition || typeof o.definition !== 'object') continue;
    const statement = str((o.definition as { statement?: unknown }).statement);
    if (statement?.trim()) return statement.trim();
  }
  return null;
}

/** The release number: the x-mitre-collection's version (2.1 bundles), else the matrix's, else 'unknown'. */
function bundleVersion(objects: StixObject[]): string {
  const collection = objects.find((o) => o.type === 'x-mitre-collection' && typeof o.x_mitre_version === 'string');
  if (collection) return collection.x_mitre_version as string;
  return 'unknown';
}
