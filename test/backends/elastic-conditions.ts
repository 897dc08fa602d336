// An independent check that an Elastic query renders every field test of a rule's IR: the
// field's name and each literal piece of the value must be in the query in one of the forms the
// three languages write it (plain, string-escaped, lower-cased for ES|QL, LIKE-escaped, Lucene
// term-escaped, or as a case-folded Lucene RegExp `[Aa]…`). Regular expressions are translated, so
// for them the query must carry a RegExp operator instead.
import type { FieldTest } from '../../src/ir/types.js';
import { describeTest, literalPieces } from './condition-pieces.js';

const strEscaped = (s: string) => JSON.stringify(s).slice(1, -1);
const termEscaped = (s: string) => s.replace(/[+\-=&|><!(){}[\]^"~*?:\\/ ]/g, '\\$&');
const regexpForm = (s: string, fold: boolean) =>
  [...s]
    .map((c) => (fold && c.toLowerCase() !== c.toUpperCase() ? `[${c.toUpperCase()}${c.toLowerCase()}]` : '+-!(){}[]^"?:\\&|\'/~* '.includes(c) ? '\\' + c : '.#@<>'.includes(c) ? `[${c}]` : c))
    .join('');
const likeEscaped = (s: string) => s.replace(/[\\*?]/g, '\\$&');

function forms(p: string): string[] {
  const base = [p, termEscaped(p), likeEscaped(p), likeEscaped(p.toLowerCase()), p.toLowerCase(), regexpForm(p, true), regexpForm(p, false)];
  return [...base, ...base.map(strEscaped)];
}

/** Descriptions of the tests whose field or value pieces are absent from the query. */
export function missingElasticConditions(tests: FieldTest[], query: string): string[] {
  const missing: string[] = [];
  for (const t of tests) {
    const what = describeTest(t);
    if (t.field !== null) {
      const leaf = t.field.split('.').pop()!;
      if (![leaf, termEscaped(leaf)].some((f) => query.includes(f))) {
        missing.push(`field ${what}`);
        continue;
      }
    }
    const v = t.value;
    if (v.type === 're') {
      if (!/RLIKE "|regex~? "|:\//.test(query)) missing.push(`regular expression of ${what}`);
      continue;
    }
    const pieces = v.type === 'fieldref' ? [v.field.split('.').pop()!] : literalPieces(v);
    for (const p of pieces) {
      // An IPv4 prefix of whole octets is written as its CIDR block (`10.` → `10.0.0.0/8`).
      const cidr = /^(\d{1,3}\.){1,3}$/.test(p) ? [p + '0'] : [];
      if (![...forms(p), ...cidr].some((f) => query.includes(f))) missing.push(`value piece ${JSON.stringify(p)} of ${what}`);
    }
  }
  return missing;
}
