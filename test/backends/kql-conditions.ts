// An independent check that a query renders every field test of a rule's IR: the field's name and
// each literal piece of the value (as a KQL string, or escaped for a regex) must be in the query.
import type { FieldTest } from '../../src/ir/types.js';
import { isWildcard } from '../../src/ir/values.js';

const kqlEscaped = (s: string) => JSON.stringify(s).slice(1, -1).replace(/[\x00-\x1f\x7f]/g, '');
const reEscaped = (s: string) => kqlEscaped(s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&'));

/** Descriptions of the tests whose field or value pieces are absent from the query. */
export function missingConditions(tests: FieldTest[], query: string): string[] {
  const missing: string[] = [];
  for (const t of tests) {
    const what = `${t.field ?? "<keyword>"}=${JSON.stringify(t.value, (_k, x: unknown) => (typeof x === "bigint" ? String(x) : x)).slice(0, 60)}`;
    if (t.field !== null) {
      const leaf = t.field.split('.').pop()!;
      if (!query.includes(leaf)) {
        missing.push(`field ${what}`);
        continue;
      }
    }
    const v = t.value;
    const pieces: string[] =
      v.type === 'string'
        ? v.parts.filter((p): p is string => typeof p === 'string')
        : v.type === 'number'
          ? [v.text.replace(/^\+/, '')]
          : v.type === 're'
            ? [v.pattern]
            : v.type === 'cidr'
              ? [v.text]
              : v.type === 'fieldref'
                ? [v.field.split('.').pop()!]
                : v.type === 'compare'
                  ? [String(v.value)]
                  : [];
    for (const p of pieces) {
      const forms = [kqlEscaped(p), reEscaped(p), p];
      if (!forms.some((f) => query.includes(f))) missing.push(`value piece ${JSON.stringify(p)} of ${what}`);
    }
    if (v.type === 'string' && v.parts.some((p) => typeof p !== 'string' && isWildcard(p, '?')) && !query.includes('matches regex')) missing.push(`wildcard ? of ${what}`);
  }
  return missing;
}
