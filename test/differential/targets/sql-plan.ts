// The SQL targets' batching: one table per log source holding every shaped event of its rules (an
// `_id`, the `_rule` it was generated for, one text column per field name as the engine normalises
// it; a rule's events have consecutive ids), and per rule a query that runs the rule's WHERE over its
// own events only. The WHERE must see a table `events` holding exactly the event's columns under the
// names the rule spells, so that a keyword search (every column of `events`) sees the event and
// nothing of the bookkeeping: how each dialect builds it is the dialect runner's business.
import { convertRule } from '../../../src/backends/common/convert.js';
import type { Backend } from '../../../src/backends/common/types.js';
import { EventView, normalizeName, textOf } from '../../../src/engine/event-access.js';
import { tableColumns } from '../../backends/sql-differential.js';
import { WINDOWS, type Corpus, type RuleCase } from '../corpus.js';

export interface SqlGroup {
  table: string;
  /** Column names (first spelling met); column i is `c<i>`. */
  columns: string[];
  rows: Array<{ id: number; rule: number; values: Array<string | null> }>;
}

export interface SqlJob {
  case: RuleCase;
  rule: number;
  group: SqlGroup;
  /** Row ids of the rule's events, in the order of case.events. */
  ids: number[];
  /** The rule's column names and the group column each reads. */
  aliases: Array<[string, number]>;
}

export interface SqlPlan {
  groups: SqlGroup[];
  jobs: Array<SqlJob & { query: string }>;
  refused: Array<{ case: RuleCase; reason: string }>;
}

const PREFIX = 'SELECT * FROM events WHERE ';

export function planSql(corpus: Corpus, backend: Backend): SqlPlan {
  const plan: SqlPlan = { groups: [], jobs: [], refused: [] };
  const groups = new Map<string, SqlGroup & { index: Map<string, number> }>();
  let nextId = 0;
  corpus.cases.forEach((c, ruleNo) => {
    const r = convertRule(c.rule, backend, WINDOWS);
    if (!r.ok) {
      plan.refused.push({ case: c, reason: `[${r.code}] ${r.error}` });
      return;
    }
    if (!r.query.startsWith(PREFIX)) throw new Error(`${c.rule.file}: unexpected query shape: ${r.query.slice(0, 80)}`);
    let g = groups.get(c.group);
    if (!g) {
      g = { table: `t${groups.size}`, columns: [], rows: [], index: new Map() };
      groups.set(c.group, g);
      plan.groups.push(g);
    }
    const events = c.events.map((e) => e.windows);
    const names = tableColumns(events, c.windowsFields);
    const aliases: Array<[string, number]> = names.map((n) => {
      const k = normalizeName(n);
      let i = g!.index.get(k);
      if (i === undefined) {
        i = g!.columns.length;
        g!.columns.push(n);
        g!.index.set(k, i);
      }
      return [n, i];
    });
    const ids: number[] = [];
    for (const ev of events) {
      const view = new EventView(ev);
      const values: Array<string | null> = [];
      for (const [n, i] of aliases) values[i] = textOf(view.get(n));
      g.rows.push({ id: nextId, rule: ruleNo, values });
      ids.push(nextId++);
    }
    plan.jobs.push({ case: c, rule: ruleNo, group: g, ids, aliases, query: r.query });
  });
  return plan;
}

/** The rule's WHERE condition (the query without `SELECT * FROM events WHERE`). */
export function whereOf(job: { query: string }): string {
  return job.query.slice(PREFIX.length);
}

/** The select list that gives the rule's column names to the group's columns (`column(i)` reads column i). */
export function selectList(job: SqlJob, ident: (name: string) => string, column: (i: number) => string): string {
  return job.aliases.map(([n, i]) => `${column(i)} AS ${ident(n)}`).join(', ') || 'NULL AS _none';
}

/** Answers per event from the selected ids. */
export function answersOf(job: SqlJob, selected: Iterable<number>): boolean[] {
  const set = new Set(selected);
  return job.ids.map((id) => set.has(id));
}
