// Notes on a converted KQL query: where it cannot read an event as Sigma does. A Kusto string is
// never null: a column or EventData member the event lacks reads as "", so isempty()/isnotempty()
// and `== ""` cannot tell a missing field from a present, empty one. The query is the closest KQL
// has (and the engine's own reading of most logs, where empty fields are left out, agrees); the
// note says which events it reads differently, so that a reviewer knows.
import { fieldTests } from '../../ir/lower.js';
import type { Expr, FieldTest } from '../../ir/types.js';
import type { ConvertInput } from '../common/types.js';
import { stringShape } from '../common/strings.js';
import { FieldScope } from './fields.js';
import { STATE_FALLBACK, STATE_TABLE } from './render-query.js';

const WHY = 'KQL cannot tell an empty string from a missing field';

/** How a test on a string column (`f`, as the query names it) reads an empty or a missing field differently from Sigma, or null. */
function emptyVersusMissing(t: FieldTest, f: string): string | null {
  const v = t.value;
  // `neq ''` is false on an empty field in both.
  if (t.negate) return v.type === 'string' && stringShape(v).kind === 'equals' && (stringShape(v) as { text: string }).text === '' ? null : `${f}|neq is false where ${f} is present but empty (Sigma: true)`;
  if (v.type === 'null' || (v.type === 'exists' && !v.value)) return `${v.type === 'null' ? `${f}: null` : `${f}|exists: false`} is true where ${f} is present but empty (Sigma: false)`;
  if (v.type === 'exists') return `${f}|exists: true is false where ${f} is present but empty (Sigma: true)`;
  if (v.type !== 'string' || v.encoding === 'bytes') return null;
  const shape = stringShape(v);
  if (shape.kind === 'any') return `${f}: '*' is false where ${f} is present but empty (Sigma: true)`;
  if (shape.kind === 'equals' && shape.text === '') return `${f}: '' is true where ${f} is missing (Sigma: false)`;
  return null;
}

const isNullTest = (t: FieldTest) => !t.negate && (t.value.type === 'null' || (t.value.type === 'exists' && !t.value.value));
const isEmptyTest = (t: FieldTest) => !t.negate && t.value.type === 'string' && t.value.encoding !== 'bytes' && stringShape(t.value).kind === 'equals' && (stringShape(t.value) as { text: string }).text === '';

/**
 * Tests that need no note: `F: null` OR-ed with `F: ''` (SigmaHQ's usual "missing or empty"
 * filter) means missing-or-empty in Sigma, which is exactly what both read as in KQL.
 */
function pairedTests(e: Expr, out = new Set<FieldTest>()): Set<FieldTest> {
  if (e.kind === 'not') pairedTests(e.arg, out);
  if (e.kind !== 'and' && e.kind !== 'or') return out;
  for (const a of e.args) pairedTests(a, out);
  if (e.kind === 'or') {
    const tests = e.args.filter((a): a is FieldTest => a.kind === 'test' && a.field !== null);
    for (const n of tests.filter(isNullTest)) {
      const empty = tests.find((t) => t.field === n.field && isEmptyTest(t));
      if (empty) out.add(n).add(empty);
    }
  }
  return out;
}

export function kqlNotes({ ir, state }: ConvertInput): string[] {
  const table = state[STATE_TABLE];
  if (typeof table !== 'string') return [];
  const scope = new FieldScope(table, typeof state[STATE_FALLBACK] === 'string' ? (state[STATE_FALLBACK] as string) : null);
  const notes = new Set<string>();
  const paired = pairedTests(ir.detection);
  for (const t of [...(ir.guard ? fieldTests(ir.guard) : []), ...fieldTests(ir.detection)]) {
    if (paired.has(t)) continue;
    // Only strings lack null: numbers, booleans and dynamic values have isnull().
    if (t.field === null) continue;
    const column = scope.resolve(t.field);
    if (column.type !== 'string') continue;
    const note = emptyVersusMissing(t, column.expr);
    if (note) notes.add(`${note}: ${WHY}`);
  }
  return [...notes];
}
