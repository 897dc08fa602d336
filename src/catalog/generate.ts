// Writes src/catalog/attack-data.ts: the compact ATT&CK copy shipped with the product, made from the
// shared extract (ATT&CK 18.1, ../shared/data/attack/enterprise-attack.json) with the v19 overlay
// (v19-overlay.json) applied. Only ids, names, tactic lists and urls that differ from ATT&CK's URL
// scheme (parents follow from the ids). The JSON files are the source of truth; a test checks the
// embedded copy matches a fresh generation. Build-time only (Node); run from the repo root:
//   node dist/src/catalog/generate.js [../shared/data/attack]
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { attackUrl, parentOf } from './ids.js';
import { V19_TECHNIQUE_NAMES } from './v19-names.js';

interface CompactTechnique {
  id: string;
  name: string;
  tactics: string[];
  parent: string | null;
  url: string | null;
  deprecated: boolean;
  revoked: boolean;
}
interface CompactRef {
  id: string;
  name: string;
  url: string | null;
}
interface CompactRetired {
  id: string;
  type: string;
  name: string;
  revoked: boolean;
  deprecated: boolean;
  replaced_by: string | null;
}
export interface CompactAttack {
  attack_version: string;
  tactics: Array<{ id: string; shortname: string; name: string; url: string | null; order: number }>;
  techniques: CompactTechnique[];
  groups: CompactRef[];
  software: CompactRef[];
  retired: CompactRetired[];
  legacy_tactics: unknown[];
}
export interface V19Overlay {
  attack_version: string;
  tactics: Array<{ id: string; shortname: string; name: string; replaces: string }>;
  retired_tactics: Record<string, { id: string; name: string; replaced_by: string[] }>;
  techniques: Array<{ id: string; name: string | null; tactics: string[]; new_in_v19: boolean }>;
}

/** One `|`-separated record; a name containing `|` would corrupt the format, so it is refused. */
function rec(...parts: Array<string | null>): string {
  for (const p of parts) if (p?.includes('|') || p?.includes('\n')) throw new Error(`attack data: '${p}' contains a separator`);
  return parts.map((p) => p ?? '').join('|');
}

function urlOverride(id: string, url: string | null): string {
  return url && url !== attackUrl(id) ? url : '';
}

export function attackDataSource(base: CompactAttack, overlay: V19Overlay): string {
  // Tactics: each retired one is replaced, in place, by its successors (v19 matrix order).
  const tactics: Array<{ id: string; shortname: string; name: string }> = [];
  for (const t of [...base.tactics].sort((a, b) => a.order - b.order)) {
    const successors = overlay.tactics.filter((o) => o.replaces === t.shortname);
    if (successors.length) tactics.push(...successors);
    else tactics.push(t);
  }
  const order = new Map(tactics.map((t, i) => [t.shortname, i]));
  const byMatrix = (list: string[]) => [...new Set(list)].sort((a, b) => (order.get(a) ?? 99) - (order.get(b) ?? 99));
  const retiredTactics = Object.entries(overlay.retired_tactics).map(([shortname, r]) => rec(shortname, r.id, r.name, r.replaced_by.join(' ')));
  const renamedTo = new Map<string, string>();
  for (const [shortname, r] of Object.entries(overlay.retired_tactics)) {
    // The successor that kept the retired tactic's id is its rename; techniques the overlay does not cover go there.
    const heir = overlay.tactics.find((o) => o.id === r.id && o.replaces === shortname);
    if (heir) renamedTo.set(shortname, heir.shortname);
  }
  const v19 = new Map(overlay.techniques.map((t) => [t.id, t]));
  const techniques = new Map<string, string>();
  for (const t of base.techniques) {
    if (t.revoked || t.deprecated) continue;
    if (parentOf(t.id) !== t.parent) throw new Error(`attack data: ${t.id} has parent ${t.parent}`);
    const o = v19.get(t.id);
    let tacticList = t.tactics;
    let flags = '';
    if (o) tacticList = o.tactics;
    else if (t.tactics.some((x) => renamedTo.has(x))) {
      tacticList = t.tactics.map((x) => renamedTo.get(x) ?? x);
      flags = 'i';
    }
    const url = urlOverride(t.id, t.url);
    techniques.set(t.id, rec(t.id, o?.name ?? t.name, byMatrix(tacticList).join(' '), flags, ...(url ? [url] : [])));
  }
  for (const o of overlay.techniques) {
    if (techniques.has(o.id)) continue;
    if (!o.new_in_v19) throw new Error(`attack data: overlay technique ${o.id} is neither in the base data nor new in v19`);
    techniques.set(o.id, rec(o.id, o.name ?? V19_TECHNIQUE_NAMES[o.id] ?? null, byMatrix(o.tactics).join(' '), ''));
  }
  for (const line of techniques.values()) {
    for (const x of line.split('|')[2]!.split(' ')) if (x && !order.has(x)) throw new Error(`attack data: unknown tactic '${x}' in ${line}`);
  }
  const refs = (list: CompactRef[]) => [...list].sort((a, b) => a.id.localeCompare(b.id)).map((r) => {
      const url = urlOverride(r.id, r.url);
      return rec(r.id, r.name, ...(url ? [url] : []));
    });
  const retired = [...base.retired]
    .filter((r) => r.type !== 'tactic' && !techniques.has(r.id))
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((r) => rec(r.type, r.id, r.name, r.replaced_by, r.revoked ? 'revoked' : 'deprecated'));
  const list = (name: string, doc: string, lines: string[]) => [`/** ${doc} */`, `export const ${name}: readonly string[] = [`, ...lines.map((l) => `  ${JSON.stringify(l)},`), '];', ''];
  const version = `${overlay.attack_version.split(' ')[0]} (partial: ${base.attack_version} + v19 overlay)`;
  return [
    '// Generated by src/catalog/generate.ts from ../shared/data/attack/enterprise-attack.json (ATT&CK 18.1)',
    '// and v19-overlay.json (names it lacks from v19-names.ts); do not edit by hand. ATT&CK data © The MITRE Corporation, used under the',
    '// ATT&CK Terms of Use: see ATTACK-LICENSE.txt next to this file, which must travel with this copy.',
    '',
    `export const ATTACK_VERSION = ${JSON.stringify(version)};`,
    '',
    ...list('ATTACK_TACTICS', 'id|shortname|name, in matrix order.', tactics.map((t) => rec(t.id, t.shortname, t.name))),
    ...list(
      'ATTACK_TECHNIQUES',
      "id|name (empty: unknown)|current tactics, matrix order|flags (i: tactics inferred from 18.1's Defense Evasion)|url when not ATT&CK's scheme. Parents follow from the ids.",
      [...techniques.keys()].sort().map((k) => techniques.get(k)!),
    ),
    ...list('ATTACK_GROUPS', 'id|name|url when not the scheme.', refs(base.groups)),
    ...list('ATTACK_SOFTWARE', 'id|name|url when not the scheme.', refs(base.software)),
    ...list('ATTACK_RETIRED', 'type|id|name|replaced by|revoked or deprecated: objects older rules still tag.', retired),
    ...list('ATTACK_RETIRED_TACTICS', 'old shortname|id|name|current shortnames that replaced it.', retiredTactics),
  ].join('\n');
}

export const ATTACK_SHARED_DIR = '../shared/data/attack';
export const ATTACK_DATA_FILE = 'src/catalog/attack-data.ts';

export function readSharedAttack(dir: string): { base: CompactAttack; overlay: V19Overlay } {
  return {
    base: JSON.parse(readFileSync(join(dir, 'enterprise-attack.json'), 'utf8')) as CompactAttack,
    overlay: JSON.parse(readFileSync(join(dir, 'v19-overlay.json'), 'utf8')) as V19Overlay,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { base, overlay } = readSharedAttack(resolve(process.cwd(), process.argv[2] ?? ATTACK_SHARED_DIR));
  const out = resolve(process.cwd(), ATTACK_DATA_FILE);
  writeFileSync(out, attackDataSource(base, overlay));
  process.stdout.write(`wrote ${out}\n`);
}
