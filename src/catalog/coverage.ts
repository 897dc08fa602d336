// ATT&CK coverage of a set of catalog entries (the front end passes the facet-filtered ones): a matrix
// of tactics (columns, matrix order) and techniques with rule counts, and the same as an ATT&CK
// Navigator layer (format 4.5). A rule tagging a sub-technique counts for its parent technique too.
import type { AttackData } from './attack.js';
import type { CatalogEntry } from './entry.js';

export interface CoverageTechnique {
  id: string;
  name: string | null;
  /** Rules tagging the technique or any of its sub-techniques. */
  count: number;
  /** Rules tagging the technique itself. */
  rules?: number;
  /** Its sub-techniques that rules tag, with their counts. */
  subtechniques?: Array<{ id: string; name: string | null; count: number }>;
}

export interface CoverageMatrix {
  tactics: Array<{ id: string; shortname: string; name: string; techniques: CoverageTechnique[] }>;
  /** The highest technique count (0 when nothing is covered). */
  max: number;
  /** Tagged ids the matrix cannot place: not in the data, or retired (with a note). */
  unknown: Array<{ id: string; count: number; name?: string | null; note?: string }>;
}

/**
 * The entries coverage counts: detection rules and correlations. Filter files tune rules and detect
 * nothing, so "1,234 rules" must not count them (the catalog lists them beside the rules).
 */
export function coverageRules(entries: readonly CatalogEntry[]): CatalogEntry[] {
  return entries.filter((e) => e.kind !== 'filter');
}

/** Per tagged technique id: the entries (indices) that tag it, each entry once. */
function tagged(entries: readonly CatalogEntry[]): Map<string, number[]> {
  const by = new Map<string, number[]>();
  entries.forEach((e, i) => {
    for (const t of new Set(e.techniques)) {
      let list = by.get(t);
      if (!list) by.set(t, (list = []));
      list.push(i);
    }
  });
  return by;
}

export function coverageMatrix(all: readonly CatalogEntry[], attack: AttackData): CoverageMatrix {
  const by = tagged(coverageRules(all));
  const rolled = new Map<string, Set<number>>();
  const unknown: CoverageMatrix['unknown'] = [];
  for (const [id, list] of by) {
    const known = attack.techniques[id];
    const parent = id.includes('.') ? id.slice(0, id.indexOf('.')) : id;
    if (!known) {
      const r = attack.retired?.[id];
      unknown.push({ id, count: list.length, ...(r ? { name: r.name, note: r.replacedBy ? `${r.revoked ? 'revoked' : 'deprecated'}, replaced by ${r.replacedBy}` : r.revoked ? 'revoked' : 'deprecated' } : {}) });
    }
    // A sub-technique the data does not know still belongs to its parent when the parent is known.
    if (!attack.techniques[parent]) continue;
    let set = rolled.get(parent);
    if (!set) rolled.set(parent, (set = new Set()));
    for (const i of list) set.add(i);
  }
  unknown.sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1));

  const subsOf = new Map<string, string[]>();
  for (const id of by.keys()) {
    const t = attack.techniques[id];
    if (t?.parent) subsOf.set(t.parent, [...(subsOf.get(t.parent) ?? []), id]);
  }
  let max = 0;
  const tactics = attack.tactics.map((tactic) => {
    const techniques: CoverageTechnique[] = [];
    for (const t of Object.values(attack.techniques)) {
      if (t.parent || !t.tactics.includes(tactic.shortname)) continue;
      const count = rolled.get(t.id)?.size ?? 0;
      max = Math.max(max, count);
      const row: CoverageTechnique = { id: t.id, name: t.name, count, rules: by.get(t.id)?.length ?? 0 };
      const subs = subsOf.get(t.id);
      if (subs) row.subtechniques = subs.sort().map((s) => ({ id: s, name: attack.techniques[s]!.name, count: by.get(s)!.length }));
      techniques.push(row);
    }
    techniques.sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id) || (a.id < b.id ? -1 : 1));
    return { id: tactic.id, shortname: tactic.shortname, name: tactic.name, techniques };
  });
  return { tactics, max, unknown };
}

/** The major ATT&CK version the Navigator should load ('19' for the bundled 18.1 + v19 overlay). */
export function navigatorAttackVersion(attack: AttackData): string | undefined {
  return /^(\d+)/.exec(attack.version)?.[1];
}

const MAX_LISTED = 25;
export const NAVIGATOR_VERSION = '5.2.0';
export const LAYER_FORMAT = '4.5';

/**
 * An ATT&CK Navigator layer: one technique object per tagged technique known to the data (score = rules
 * tagging it exactly; the Navigator sums sub-techniques into their parent with aggregate scores on), the
 * rule titles as comment and metadata, a white-to-red gradient up to the highest score.
 */
export function navigatorLayer(all: readonly CatalogEntry[], attack: AttackData, opts: { name: string; description?: string }): object {
  const entries = coverageRules(all);
  const by = tagged(entries);
  const techniques: object[] = [];
  const left: string[] = [];
  let max = 0;
  for (const id of [...by.keys()].sort()) {
    const list = by.get(id)!;
    if (!attack.techniques[id]) {
      left.push(`${id} (${list.length})`);
      continue;
    }
    max = Math.max(max, list.length);
    const titles = list.map((i) => entries[i]!.title).sort();
    const shown = titles.slice(0, MAX_LISTED);
    const more = titles.length - shown.length;
    techniques.push({
      techniqueID: id,
      score: list.length,
      comment: `${list.length} rule${list.length === 1 ? '' : 's'}: ${shown.join('; ')}${more ? `; and ${more} more` : ''}`,
      enabled: true,
      metadata: [...shown.map((t) => ({ name: 'rule', value: t })), ...(more ? [{ name: 'more rules', value: String(more) }] : [])],
      showSubtechniques: false,
    });
  }
  const version = navigatorAttackVersion(attack);
  return {
    name: opts.name,
    versions: { ...(version ? { attack: version } : {}), navigator: NAVIGATOR_VERSION, layer: LAYER_FORMAT },
    domain: 'enterprise-attack',
    description: opts.description ?? `${entries.length} Sigma rules, ATT&CK ${attack.version}`,
    sorting: 3,
    layout: { layout: 'side', showID: true, showName: true, showAggregateScores: true, countUnscored: false, aggregateFunction: 'sum', expandedSubtechniques: 'annotated' },
    hideDisabled: false,
    techniques,
    gradient: { colors: ['#ffffff', '#ff6666'], minValue: 0, maxValue: Math.max(1, max) },
    legendItems: [
      { label: '1 rule', color: '#ffe0e0' },
      { label: `${Math.max(1, max)} rules`, color: '#ff6666' },
    ],
    showTacticRowBackground: false,
    selectTechniquesAcrossTactics: true,
    selectSubtechniquesWithParent: false,
    selectVisibleTechniques: false,
    metadata: [
      { name: 'generated by', value: 'Quarry' },
      { name: 'rules', value: String(entries.length) },
      { name: 'ATT&CK data', value: attack.version },
      ...(left.length ? [{ name: 'tagged ids not in the ATT&CK data', value: left.join(', ') }] : []),
    ],
  };
}
