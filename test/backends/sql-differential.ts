// What the SQL differential tests share (DuckDB in sql.test.ts and sql-generated.test.ts,
// PostgreSQL in postgres.test.ts): the events and rules compared, the engine's answer, and the flat
// table's columns and text values as src/backends/sql/README.md documents them.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DATA } from '../helpers.js';
import { fieldTests } from '../../src/ir/lower.js';
import type { RuleIR } from '../../src/ir/types.js';
import { compileRuleSet } from '../../src/engine/rule-set.js';
import { EventView, normalizeName, textOf, type EventObject } from '../../src/engine/event-access.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { openSource } from '../../src/sources/open-source.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { lowerRule } from '../../src/ir/lower.js';
import { convertRule } from '../../src/backends/common/convert.js';
import type { Backend, QueryCheck } from '../../src/backends/common/types.js';

export const REGRESSION = join(DATA, 'sigma-regression');

/** The rule's fields (tested and referenced, guard included), which the table must have as columns even when no event has them. */
export function ruleFields(ir: RuleIR): string[] {
  const out: string[] = [];
  for (const e of [ir.guard, ir.detection]) {
    if (!e) continue;
    for (const t of fieldTests(e)) {
      if (t.field !== null) out.push(t.field);
      if (t.value.type === 'fieldref') out.push(t.value.field);
    }
  }
  return out;
}

/**
 * The table's columns: one per field name as the engine normalises it (case, spaces), named as the
 * rule writes it when it does (DuckDB resolves names case-insensitively; PostgreSQL compares quoted
 * names exactly, so the rule's spelling must be the column's).
 */
export function tableColumns(events: readonly EventObject[], fields: readonly string[]): string[] {
  const columns = new Map<string, string>();
  for (const f of fields) if (!columns.has(normalizeName(f))) columns.set(normalizeName(f), f);
  for (const e of events) for (const k of Object.keys(e)) if (!columns.has(normalizeName(k))) columns.set(normalizeName(k), k);
  return [...columns.values()];
}

/** Each event's row: the text of the value the engine reads for each column, null when missing or null. */
export function tableRows(events: readonly EventObject[], names: readonly string[]): Array<Array<string | null>> {
  return events.map((e) => {
    const view = new EventView(e);
    return names.map((n) => textOf(view.get(n)));
  });
}

/** Indexes of the events the engine matches (guard and detection), or why it cannot run the rule. */
export function engineSelect(ir: RuleIR, events: readonly EventObject[]): number[] | string {
  const set = compileRuleSet([ir], { regex: re2Regex });
  if (!set.rules.length) return set.notRunnable[0]!.reason;
  const r = set.rules[0]!;
  return events.flatMap((e, i) => {
    const v = new EventView(e);
    return (!r.guard || r.guard(v)) && r.detection(v) ? [i] : [];
  });
}

/** Variants that stress case-insensitivity, missing fields and negation: upper-cased values, and each rule field removed or emptied. */
export function variants(events: readonly EventObject[], fields: readonly string[]): EventObject[] {
  const out: EventObject[] = [];
  for (const e of events) {
    out.push(Object.fromEntries(Object.entries(e).map(([k, v]) => [k, typeof v === 'string' ? v.toUpperCase() : v])));
    for (const f of new Set(fields)) {
      const key = Object.keys(e).find((k) => normalizeName(k) === normalizeName(f));
      if (key === undefined) continue;
      const copy = { ...e };
      delete copy[key];
      out.push(copy);
      out.push({ ...e, [key]: '' });
    }
  }
  return out;
}

/** The regression cases (folders with a rule.yml), sorted. */
export function regressionCases(): string[] {
  return readdirSync(REGRESSION)
    .filter((c) => existsSync(join(REGRESSION, c, 'rule.yml')))
    .sort();
}

/** A regression case's events, from its JSON files in name order. */
export async function regressionEvents(c: string): Promise<EventObject[]> {
  const out: EventObject[] = [];
  for (const f of readdirSync(join(REGRESSION, c)).filter((x) => x.endsWith('.json')).sort()) {
    const src = await openSource(join(REGRESSION, c, f));
    for await (const r of src.records()) out.push(r.event as EventObject);
  }
  return out;
}

/** The corpus folders the SQL corpus tests convert. */
export const SQL_CORPUS_DIRS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-dfir', 'rules-compliance'].map((d) => join(DATA, 'sigmahq', d));

export interface ConvertedCorpus {
  rules: number;
  converted: Array<{ file: string; query: string; fields: string[] }>;
  refusedBy: Map<string, number>;
  /** Queries the dialect's validator rejects, with the rule's file. */
  invalid: string[];
}

/** Every corpus rule that lowers without failures, converted by a SQL backend and validated. */
export function convertSqlCorpus(backend: Backend, validate: (query: string) => QueryCheck, problems = Infinity): ConvertedCorpus {
  const col = loadSigmaPaths(SQL_CORPUS_DIRS);
  const out: ConvertedCorpus = { rules: col.rules.length, converted: [], refusedBy: new Map(), invalid: [] };
  for (const rule of col.rules) {
    const ir = lowerRule(rule);
    if (ir.failures.length) continue;
    const r = convertRule(rule, backend, []);
    if (!r.ok) {
      out.refusedBy.set(r.code, (out.refusedBy.get(r.code) ?? 0) + 1);
      continue;
    }
    out.converted.push({ file: rule.file, query: r.query, fields: ruleFields(ir) });
    const check = validate(r.query);
    if (!check.ok) out.invalid.push(`${rule.file}: ${check.problems.slice(0, problems).join('; ')}`);
  }
  return out;
}
