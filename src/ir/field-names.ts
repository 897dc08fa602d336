// What a field written in a correlation rule (group-by, alias, value field) is called in the events
// of one of its base rules, after the processing pipelines. A correlation has no log source of its
// own, so its fields are named through each base rule: the rule is run through the pipelines with
// one extra search identifier per field, and the names the pipelines gave those items are read back
// (one name, or several when a mapping gives the field alternatives, e.g. Sysmon's `Image` and
// Security's `NewProcessName`). Running the rule itself keeps every rule condition of the pipelines
// (log source, other fields) as it is for the rule; the run is separate, so a failure on a
// correlation's field is the correlation's, never the base rule's.
import type { Detection, DetectionGroup, DetectionItem, SigmaRule } from '../sigma/model.js';
import { plainString } from '../sigma/values.js';
import { applyPipelines } from '../pipeline/apply.js';
import type { ProcessingPipeline } from '../pipeline/types.js';

export interface FieldNames {
  /** Field as written → its names in the rule's events (first present is read). */
  names: Map<string, string[]>;
  /** Why a field cannot be named with these pipelines (rule_failure and the like on its item). */
  failures: string[];
}

const PREFIX = '__quarry_field_';

export function fieldNamesThrough(rule: SigmaRule, fields: readonly string[], pipelines: readonly ProcessingPipeline[]): FieldNames {
  const names = new Map<string, string[]>();
  if (!fields.length) return { names, failures: [] };
  if (!pipelines.length) {
    for (const f of fields) names.set(f, [f]);
    return { names, failures: [] };
  }
  const detections = new Map<string, Detection>(rule.detections);
  fields.forEach((field, i) => {
    const pos = { line: 0, col: 0 };
    const item: DetectionItem = { field, modifiers: [], values: [plainString('x')], link: 'or', cased: false, negate: false, pos, origin: 'rule' };
    detections.set(PREFIX + i, { name: PREFIX + i, pos, body: { link: 'and', children: [item], pos } });
  });
  const processed = applyPipelines({ ...rule, detections }, pipelines);
  const before = new Set(applyPipelines(rule, pipelines).failures);
  const failures = processed.failures.filter((f) => !before.has(f)).map((f) => `${fields.join(', ')}: ${f}`);
  fields.forEach((field, i) => {
    const body = processed.rule.detections.get(PREFIX + i)?.body;
    const found = body ? fieldsOf(body) : [];
    names.set(field, found.length ? [...new Set(found)] : [field]);
  });
  return { names, failures };
}

function fieldsOf(g: DetectionGroup): string[] {
  return g.children.flatMap((c) => ('children' in c ? fieldsOf(c) : c.field === null ? [] : [c.field]));
}
