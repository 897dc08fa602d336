// What a SIEM rule file carries beside the query: title, description, severity and ATT&CK, taken
// from the Sigma rule. Every output format (Sentinel analytic rule, savedsearches.conf stanza,
// Elastic detection rule) reads this one summary, so they agree on what a rule says.
// Backends ship no ATT&CK data (it lives in src/catalog, above them): technique names come in from
// the caller, which may import the catalog.
import type { SigmaCorrelation, SigmaRule } from '../../sigma/model.js';

export type Severity = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export interface RuleMeta {
  id: string | null;
  title: string;
  description: string;
  /** The Sigma level; rules without one count as medium, as pySigma's backends do. */
  severity: Severity;
  author: string | null;
  status: string | null;
  references: string[];
  falsepositives: string[];
  /** ATT&CK tactic short names from `attack.<name>` tags (e.g. `command-and-control`), in tag order. */
  tactics: string[];
  /** ATT&CK technique ids from `attack.tNNNN[.NNN]` tags, upper-cased (e.g. `T1197`), in tag order. */
  techniques: string[];
  /** ATT&CK names of those techniques and their parents, by id, for the ids the caller's ATT&CK data names. */
  techniqueNames: Readonly<Record<string, string>>;
  /** All tags as written. */
  tags: string[];
  date: string | null;
  modified: string | null;
  /** Where the rule came from, for messages. */
  file: string;
}

const TECHNIQUE = /^attack\.(t\d{4}(?:\.\d{3})?)$/i;
// Tags under attack. that are not tactics: groups (g0001), software (s0001), campaigns (c0001),
// data components and detection ids.
const NOT_TACTIC = /^attack\.(?:[gscm]\d{4}|t\d{4}|ds\d{4}|dc\d{4}|det\d{4}|an\d{4})/i;

/** A technique's ATT&CK name by its upper-case id (`T1197` → `BITS Jobs`), or null when unknown. */
export type TechniqueNameLookup = (id: string) => string | null;

export function ruleMeta(rule: SigmaRule | SigmaCorrelation, techniqueName: TechniqueNameLookup = () => null): RuleMeta {
  const tactics: string[] = [];
  const techniques: string[] = [];
  for (const tag of rule.tags) {
    const t = TECHNIQUE.exec(tag);
    if (t) {
      const id = t[1]!.toUpperCase();
      if (!techniques.includes(id)) techniques.push(id);
    } else if (/^attack\.[a-z-]+$/i.test(tag) && !NOT_TACTIC.test(tag)) {
      const name = tag.slice('attack.'.length).toLowerCase();
      if (!tactics.includes(name)) tactics.push(name);
    }
  }
  const techniqueNames: Record<string, string> = {};
  // Parents too: a rule tagged with a sub-technique only is listed under its parent technique.
  for (const id of techniques.flatMap((t) => [t.split('.')[0]!, t])) {
    const name = techniqueName(id);
    if (name) techniqueNames[id] = name;
  }
  const level = (rule.level ?? 'medium').toLowerCase();
  return {
    id: rule.id ?? null,
    title: rule.title,
    description: rule.description ?? '',
    severity: (['informational', 'low', 'medium', 'high', 'critical'].includes(level) ? level : 'medium') as Severity,
    author: rule.author ?? null,
    status: rule.status ?? null,
    references: [...rule.references],
    falsepositives: [...rule.falsepositives],
    tactics,
    techniques,
    techniqueNames,
    tags: [...rule.tags],
    date: rule.date ?? null,
    modified: rule.modified ?? null,
    file: rule.file,
  };
}
