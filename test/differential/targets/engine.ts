// The engine as `quarry hunt` runs it: every Windows rule of the corpus in one rule set compiled
// through the `windows` pipeline, and the one Detector (routing by Channel and EventID, prefilter,
// guards) deciding which rules each shaped event meets.
import { emptyCollection } from '../../../src/sigma/load.js';
import type { SigmaRule } from '../../../src/sigma/model.js';
import { prepareRules } from '../../../src/engine/rulebook.js';
import { Detector } from '../../../src/engine/detector.js';
import { re2Regex } from '../../../src/engine/regex-re2.js';
import { WINDOWS, type Corpus } from '../corpus.js';
import type { RuleAnswer, TargetAnswers } from './answers.js';

const key = (r: SigmaRule) => `${r.file}#${r.docIndex}`;

export function runEngine(corpus: Corpus): TargetAnswers {
  const prepared = prepareRules({ ...emptyCollection(), rules: corpus.cases.map((c) => c.rule) }, { pipelines: WINDOWS, regex: re2Regex });
  const index = new Map(prepared.set.rules.map((r) => [key(r.ir.rule), r.index]));
  const skipped = new Map(prepared.skipped.map((s) => [key(s.rule), s.reason]));
  const detector = new Detector(prepared.set, { regex: re2Regex, explain: false });
  const answers = new Map<Corpus['cases'][number], RuleAnswer>();
  for (const c of corpus.cases) {
    const i = index.get(key(c.rule));
    if (i === undefined) {
      answers.set(c, { refused: skipped.get(key(c.rule)) ?? 'not in the rule set' });
      continue;
    }
    // The detector adds derived fields to the event it is given: give it a copy.
    const got = c.events.map((e) => detector.next(structuredClone(e.windows)).matches.some((m) => m.rule.index === i));
    answers.set(c, { query: '(engine: Detector with the windows pipeline)', got });
  }
  return { target: 'engine', pipelines: 'windows', answers };
}
