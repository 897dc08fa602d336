// Writing a Sigma filter (meta-filter) for an exclusion: one field test that names what to leave
// out of a rule's detections. The explorer's tuning writes these files; lint fixes and the editor
// server will write them too. The text is plain YAML that `parseSigmaText` reads back as a filter.
import { yamlPackage } from './yaml-package.js';
import type { SigmaRule } from './model.js';
import { LOGSOURCE_KEYS } from './logsource.js';

export interface Exclusion {
  field: string;
  /** Modifiers after the field, e.g. `endswith` or `contains|all`. */
  modifier?: string;
  values: string[];
  /** Why the exclusion exists; it becomes the filter's description. */
  note?: string;
}

export interface FilterMeta {
  id: string;
  /** YYYY-MM-DD */
  date: string;
  author: string;
  /** Where the exclusion was chosen, for the default description. */
  chosenIn: string;
}

export function exclusionFilterYaml(rule: SigmaRule, ex: Exclusion, meta: FilterMeta): string {
  const key = ex.modifier ? `${ex.field}|${ex.modifier}` : ex.field;
  const shown = ex.values.length <= 3 ? ex.values.join(', ') : `${ex.values.slice(0, 3).join(', ')} and ${ex.values.length - 3} more`;
  const logsource: Record<string, string> = {};
  for (const k of LOGSOURCE_KEYS) if (rule.logsource[k]) logsource[k] = rule.logsource[k]!;
  const doc = {
    title: `Exclusion for ${rule.title}: ${key} ${shown}`.slice(0, 250),
    id: meta.id,
    description: ex.note?.trim() || `Excludes events whose ${ex.field} ${ex.modifier ? `(${ex.modifier}) ` : ''}matches ${shown}, chosen in ${meta.chosenIn}.`,
    author: meta.author,
    date: meta.date,
    logsource,
    filter: {
      rules: [rule.id ?? rule.name!],
      selection: { [key]: ex.values.length === 1 ? ex.values[0] : ex.values },
      // Quarry (as the Sigma filters specification's example) ANDs NOT(condition) with the rule:
      // the condition names what to exclude.
      condition: 'selection',
    },
  };
  return yamlPackage().stringify(doc, { lineWidth: 0, indent: 4 });
}
