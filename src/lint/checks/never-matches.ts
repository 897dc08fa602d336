// A selection whose own tests contradict each other can never be true. As a filter (`not filter`)
// it excludes nothing, so the false positives it was written for still fire; as a selection it
// is dead. Judged within one map (the tests that must all hold): a field that must equal two
// different plain values, or equal a value that its other test on the same field rejects.
import type { DocumentCheck } from '../types.js';
import { detectionItems, type ItemNodes } from '../detection-items.js';

/** One item's test on a field, as far as this check understands it (plain strings, no wildcards). */
interface Test {
  item: ItemNodes;
  kind: 'equals' | 'contains' | 'startswith' | 'endswith' | 'null';
  values: string[];
  all: boolean;
}

const UNDERSTOOD = new Set(['contains', 'startswith', 'endswith', 'all']);

function testOf(item: ItemNodes): Test | undefined {
  if (item.field === null || item.modifiers.some((m) => !UNDERSTOOD.has(m))) return undefined;
  if (item.scalars.length === 1 && item.scalars[0]!.value === null && item.value.kind === 'scalar') return { item, kind: 'null', values: [], all: false };
  const values = item.scalars.map((s) => s.value);
  // Wildcards, numbers and booleans are left to the engine: this check only reasons about plain strings.
  if (values.length === 0 || values.some((v) => typeof v !== 'string' || /[*?]|\\\\/.test(v))) return undefined;
  const kind = (item.modifiers.find((m) => m !== 'all') ?? 'equals') as Test['kind'];
  return { item, kind, values: (values as string[]).map((v) => v.toLowerCase()), all: item.modifiers.includes('all') };
}

function satisfies(v: string, t: Test): boolean {
  const one = (x: string) => (t.kind === 'equals' ? v === x : t.kind === 'contains' ? v.includes(x) : t.kind === 'startswith' ? v.startsWith(x) : v.endsWith(x));
  return t.all ? t.values.every(one) : t.values.some(one);
}

/** Why the tests on one field can never all hold, or undefined. */
function contradiction(tests: Test[]): string | undefined {
  for (const t of tests) {
    if (t.kind === 'equals' && t.all && new Set(t.values).size > 1) return `'${t.item.entry!.key}' requires one value to equal ${t.values.length} different strings`;
  }
  const nul = tests.find((t) => t.kind === 'null');
  const other = tests.find((t) => t.kind !== 'null');
  if (nul && other) return `'${nul.item.entry!.key}: null' and '${other.item.entry!.key}' cannot both hold`;
  const eq = tests.find((t) => t.kind === 'equals' && !t.all);
  if (!eq) return undefined;
  for (const t of tests) {
    if (t === eq) continue;
    if (!eq.values.some((v) => satisfies(v, t))) return `no value of '${eq.item.entry!.key}' satisfies '${t.item.entry!.key}'`;
  }
  return undefined;
}

export const neverMatches: DocumentCheck = {
  id: 'never-matches',
  group: 'hygiene',
  scope: 'document',
  severity: 'warning',
  message: 'A selection or filter contradicts itself and can never match.',
  docs: "Within one map every test must hold. A field that must equal two different strings ('|all' on plain values), be null and have a value, or equal a value that its other test rejects makes the map impossible: a filter written so excludes nothing, a selection so never fires.",
  run(ctx) {
    const groups = new Map<string, ItemNodes[]>();
    for (const item of detectionItems(ctx.doc, ctx.root)) {
      if (!item.entry) continue;
      const k = `${item.selection}\u0000${item.group}`;
      groups.set(k, [...(groups.get(k) ?? []), item]);
    }
    for (const items of groups.values()) {
      const byField = new Map<string, Test[]>();
      for (const item of items) {
        const t = testOf(item);
        if (t) byField.set(item.field!, [...(byField.get(item.field!) ?? []), t]);
      }
      for (const tests of byField.values()) {
        const why = contradiction(tests);
        if (!why) continue;
        const first = tests[0]!.item;
        const role = first.selection.startsWith('filter') ? `filter '${first.selection}' can never match, so it excludes nothing` : `'${first.selection}' can never match`;
        ctx.report(`${role}: ${why}`, { start: first.entry!.keyPos, end: tests.at(-1)!.item.value.end });
      }
    }
  },
};
