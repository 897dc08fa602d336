// An independent check that a query renders every field test of a rule's IR: the field's name and
// each literal piece of the value (as a KQL string, or escaped for a regex) must be in the query.
import type { FieldTest } from '../../src/ir/types.js';
import { describeTest, literalPieces } from './condition-pieces.js';
import { isWildcard } from '../../src/ir/values.js';
import { hasNonAsciiCase } from '../../src/backends/common/unicode-case.js';

const kqlEscaped = (s: string) => JSON.stringify(s).slice(1, -1).replace(/[\x00-\x1f\x7f]/g, '');
const reEscaped = (s: string) => kqlEscaped(s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&'));

/** Descriptions of the tests whose field or value pieces are absent from the query. */
export function missingConditions(tests: FieldTest[], query: string): string[] {
  const missing: string[] = [];
  for (const t of tests) {
    const what = describeTest(t);
    if (t.field !== null) {
      const leaf = t.field.split('.').pop()!;
      if (!query.includes(leaf)) {
        missing.push(`field ${what}`);
        continue;
      }
    }
    const v = t.value;
    const pieces = v.type === 're' ? [v.pattern] : v.type === 'fieldref' ? [v.field.split('.').pop()!] : literalPieces(v);
    for (const p of pieces) {
      // A value with letters beyond ASCII is compared lower-cased (tolower() on both sides).
      const cases = hasNonAsciiCase(p) && !t.cased ? [p, p.toLowerCase()] : [p];
      const forms = cases.flatMap((c) => [kqlEscaped(c), reEscaped(c), c]);
      if (!forms.some((f) => query.includes(f))) missing.push(`value piece ${JSON.stringify(p)} of ${what}`);
    }
    if (v.type === 'string' && v.parts.some((p) => typeof p !== 'string' && isWildcard(p, '?')) && !query.includes('matches regex')) missing.push(`wildcard ? of ${what}`);
  }
  return missing;
}
