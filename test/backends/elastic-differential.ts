// The differential shared by the Lucene, ES|QL and EQL tests: each SigmaHQ regression rule is
// converted with `ecs-none` (the rule's own field names), its query evaluated by the test's
// evaluator on the regression events and variants of them, and the rows it selects compared with
// the engine's matches.
import { join } from 'node:path';
import { convertRule } from '../../src/backends/common/convert.js';
import type { Backend } from '../../src/backends/common/types.js';
import { elasticPipeline } from '../../src/backends/elastic/index.js';
import { normalizeName } from '../../src/engine/event-access.js';
import { lowerRule } from '../../src/ir/lower.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { engineSelect, regressionCases, regressionEvents, REGRESSION, ruleFields, tableColumns, tableRows, variants } from './sql-differential.js';

/** Evaluates a query on one row: `doc(field)` reads a field by name (null when absent). */
export type Evaluate = (query: string, doc: (field: string) => string | null, row: () => Array<string | null>) => boolean;

export interface DifferentialResult {
  cases: number;
  compared: number;
  variantEvents: number;
  /** Rules whose matches include an original (not variant) event. */
  matched: number;
  refused: string[];
  failures: string[];
}

export async function elasticDifferential(label: string, backend: Backend, evaluate: Evaluate): Promise<DifferentialResult> {
  const cases = regressionCases();
  const out: DifferentialResult = { cases: cases.length, compared: 0, variantEvents: 0, matched: 0, refused: [], failures: [] };
  for (const c of cases) {
    const rule = loadSigmaPaths([join(REGRESSION, c, 'rule.yml')]).rules[0]!;
    const ir = lowerRule(rule);
    const events = await regressionEvents(c);
    const extra = variants(events, ruleFields(ir));
    const all = [...events, ...extra];
    const want = engineSelect(ir, all);
    if (typeof want === 'string') continue;
    const r = convertRule(rule, backend, [elasticPipeline('ecs-none')!]);
    if (!r.ok) {
      out.refused.push(`${c}: [${r.code}] ${r.error}`);
      continue;
    }
    const names = tableColumns(all, ruleFields(ir));
    const index = new Map(names.map((n, i) => [normalizeName(n), i]));
    const got = tableRows(all, names).flatMap((row, i) => {
      const doc = (field: string) => {
        const k = index.get(normalizeName(field));
        return k === undefined ? null : row[k]!;
      };
      return evaluate(r.query, doc, () => row) ? [i] : [];
    });
    out.compared++;
    out.variantEvents += extra.length;
    if (want.some((i) => i < events.length)) out.matched++;
    if (JSON.stringify(got) !== JSON.stringify(want)) out.failures.push(`${c}: ${label} selects ${JSON.stringify(got)}, the engine ${JSON.stringify(want)}\n  ${r.query.slice(0, 400)}`);
  }
  return out;
}
