// Comparing a target's answers with the oracle's: counts for the report and one located message
// per disagreement (rule file, event, shape, target, query).
import { relative } from 'node:path';
import type { Corpus, RuleCase, ShapedEvent } from './corpus.js';
import { SIGMAHQ } from './corpus.js';
import type { TargetAnswers } from './targets/answers.js';

export interface Disagreement {
  target: string;
  /** The rule's file relative to the SigmaHQ folder. */
  file: string;
  message: string;
}

export interface Tally {
  target: string;
  /** Rules the target answered for (converted and ran). */
  rules: number;
  /** Events compared (answers with a shape for the target). */
  comparisons: number;
  refused: number;
  /** Refusals by code (the `[code]` the reason starts with). */
  refusedBy: Map<string, number>;
  disagreements: Disagreement[];
}

export function ruleFile(c: RuleCase): string {
  return relative(SIGMAHQ, c.rule.file);
}

export function tally(corpus: Corpus, run: TargetAnswers): Tally {
  const t: Tally = { target: run.target, rules: 0, comparisons: 0, refused: 0, refusedBy: new Map(), disagreements: [] };
  for (const c of corpus.cases) {
    const a = run.answers.get(c);
    if (!a) throw new Error(`${run.target} gave no answer for ${ruleFile(c)}`);
    if ('refused' in a) {
      t.refused++;
      const code = /^\[([^\]]+)\]/.exec(a.refused)?.[1] ?? a.refused.slice(0, 60);
      t.refusedBy.set(code, (t.refusedBy.get(code) ?? 0) + 1);
      continue;
    }
    if ('error' in a) {
      t.disagreements.push({ target: run.target, file: ruleFile(c), message: `${ruleFile(c)}: ${run.target} (${run.pipelines}) failed to run the query: ${a.error}\n  query: ${a.query.slice(0, 600)}` });
      continue;
    }
    t.rules++;
    c.events.forEach((e, i) => {
      const got = a.got[i];
      if (got === null || got === undefined) return;
      t.comparisons++;
      if (got !== e.expected) t.disagreements.push({ target: run.target, file: ruleFile(c), message: describe(c, e, run, got, a.query) });
    });
  }
  return t;
}

function describe(c: RuleCase, e: ShapedEvent, run: TargetAnswers, got: boolean, query: string): string {
  const shown = run.target === 'lucene' || run.target === 'esql' || run.target === 'eql' ? e.ecs : e.windows;
  return [
    `${ruleFile(c)}: ${run.target} (${run.pipelines}) says ${got ? 'match' : 'no match'}, the oracle ${e.expected ? 'match' : 'no match'}`,
    `  event: ${e.logical.kind}, ${e.logical.note}, shape ${e.shape}: ${JSON.stringify(shown)}`,
    `  query: ${query.slice(0, 600)}${query.length > 600 ? '…' : ''}`,
  ].join('\n');
}
