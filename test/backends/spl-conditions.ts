// An independent check that an SPL query renders every field test of a rule's IR: the field's
// name and each literal piece of the value must be in the query, as a search term writes it (`\`
// and `"` escaped) or as a `| where` regex writes it (regex-escaped, then string-escaped).
import type { FieldTest } from '../../src/ir/types.js';
import { describeTest, literalPieces } from './condition-pieces.js';
import { isWildcard } from '../../src/ir/values.js';

const quoted = (s: string) => s.replace(/[\\"]/g, '\\$&');
const regexed = (s: string) => quoted(s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&').replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));

/** Descriptions of the tests whose field or value pieces are absent from the query. */
export function missingSplConditions(tests: FieldTest[], query: string): string[] {
  const missing: string[] = [];
  for (const t of tests) {
    const what = describeTest(t);
    if (t.field !== null && !query.includes(t.field)) {
      missing.push(`field ${what}`);
      continue;
    }
    const v = t.value;
    const pieces = v.type === 're' ? [quoted(v.pattern)] : v.type === 'fieldref' ? [v.field] : literalPieces(v);
    for (const p of pieces) if (![quoted(p), regexed(p), p].some((f) => query.includes(f))) missing.push(`value piece ${JSON.stringify(p)} of ${what}`);
    // `?` can only be said by a regex (`.`) in a where clause.
    if (v.type === 'string' && v.parts.some((p) => typeof p !== 'string' && isWildcard(p, '?')) && !query.includes('| where')) missing.push(`wildcard ? of ${what}`);
  }
  return missing;
}
