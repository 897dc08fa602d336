// Lucene, ES|QL and EQL (with the ecs-windows pipeline, which builds on windows): each rule's query
// run by the test evaluators of test/backends on the event in its ECS shape. A document reads a
// field by name as the other Elastic differentials do (sql-differential.ts: the engine's name
// normalisation), and keyword terms search every value.
import { convertRule } from '../../../src/backends/common/convert.js';
import { TARGETS } from '../../../src/backends/targets.js';
import { normalizeName, textOf, type EventObject } from '../../../src/engine/event-access.js';
import { evaluate } from '../../backends/lucene-eval.js';
import { evaluateEsql } from '../../backends/esql-eval.js';
import { evaluateEql } from '../../backends/eql-eval.js';
import { ECS_WINDOWS, type Corpus } from '../corpus.js';
import type { RuleAnswer, TargetAnswers } from './answers.js';

type Doc = (field: string) => string | null;

const EVALUATORS: Record<string, (query: string, doc: Doc, values: () => Array<string | null>) => boolean> = {
  lucene: evaluate,
  esql: (q, doc) => evaluateEsql(q, doc),
  eql: (q, doc) => evaluateEql(q, doc),
};

export const ELASTIC_TARGETS = Object.keys(EVALUATORS);

function document(ev: EventObject): { doc: Doc; values: () => Array<string | null> } {
  const byName = new Map<string, string | null>();
  for (const [k, v] of Object.entries(ev)) if (!byName.has(normalizeName(k))) byName.set(normalizeName(k), textOf(v));
  return { doc: (f) => byName.get(normalizeName(f)) ?? null, values: () => [...byName.values()] };
}

export function runElastic(corpus: Corpus, target: string): TargetAnswers {
  const evaluator = EVALUATORS[target]!;
  const answers = new Map<Corpus['cases'][number], RuleAnswer>();
  for (const c of corpus.cases) {
    const r = convertRule(c.rule, TARGETS[target]!.backend, ECS_WINDOWS);
    if (!r.ok) {
      answers.set(c, { refused: `[${r.code}] ${r.error}` });
      continue;
    }
    try {
      const got = c.events.map((e) => {
        if (typeof e.ecs === 'string') return null;
        const { doc, values } = document(e.ecs);
        return evaluator(r.query, doc, values);
      });
      answers.set(c, { query: r.query, got });
    } catch (e) {
      answers.set(c, { query: r.query, error: (e as Error).message.split('\n')[0]! });
    }
  }
  return { target, pipelines: ECS_WINDOWS.map((p) => p.name).join(', '), answers };
}
