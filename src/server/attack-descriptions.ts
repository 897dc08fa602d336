// ATT&CK's own description of the techniques a rule tags, for the hunting context of its page. The
// bundled ATT&CK copy has no descriptions (it carries ids and names only); an official bundle loaded
// with `quarry explore --attack FILE` has them. Either way the page says something: the text with
// MITRE's attribution, or where to get it.
import type { AttackData, ResolvedTag } from '../catalog/attack.js';
import type { TechniqueDescriptions } from './api-types.js';

export const ATTACK_TERMS_URL = 'https://attack.mitre.org/resources/legal-and-branding/terms-of-use/';
const BUNDLE_SOURCES = 'github.com/mitre-attack/attack-stix-data (STIX 2.1) or github.com/mitre/cti (STIX 2.0)';

/**
 * The tagged techniques in tag order, a sub-technique's parent just before it (its description frames
 * the sub-technique's), each once; null when the rule tags no technique.
 */
export function techniqueDescriptions(resolved: readonly ResolvedTag[], attack: AttackData): TechniqueDescriptions | null {
  const ids: string[] = [];
  for (const t of resolved) {
    if (t.kind !== 'technique' || !t.id) continue;
    for (const id of [t.parent, t.id]) if (id && !ids.includes(id)) ids.push(id);
  }
  if (!ids.length) return null;
  const described = attack.descriptions ?? {};
  const entries = ids.map((id) => ({
    id,
    name: attack.techniques[id]?.name ?? resolved.find((t) => t.id === id)?.name ?? null,
    url: attack.techniques[id]?.url ?? resolved.find((t) => t.id === id)?.url ?? null,
    text: described[id] ?? null,
  }));
  const version = attack.version.replace(/\s*\(.*\)$/, '');
  if (!attack.descriptions) {
    return {
      entries,
      attribution: null,
      note:
        `ATT&CK ${attack.version}, the data in use, has no technique descriptions. To read ATT&CK's description of ` +
        `${ids.join(', ')} here, start the explorer with an official Enterprise ATT&CK bundle: ` +
        `quarry explore --attack enterprise-attack.json (from ${BUNDLE_SOURCES}).`,
    };
  }
  const missing = entries.filter((e) => e.text === null).map((e) => e.id);
  return {
    entries,
    attribution:
      `Technique descriptions: MITRE ATT&CK® ${version}, from the bundle given with --attack. ` +
      `${attack.copyright ?? '© The MITRE Corporation.'} Reproduced under the ATT&CK Terms of Use (${ATTACK_TERMS_URL}).`,
    note: missing.length ? `ATT&CK ${version} as loaded has no description of ${missing.join(', ')}.` : null,
  };
}
