// What `quarry stack` selects with, set up as `quarry hunt` sets up its own: the rules' detector per
// input (its format pipeline and implied log source), `--where` conditions compiled like a rule, and
// the inputs opened (problems as text, reading goes on).
import type { SigmaCollection } from '../sigma/collection.js';
import { parseSigmaText } from '../sigma/collection.js';
import type { ProcessingPipeline } from '../pipeline/types.js';
import { builtinPipeline } from '../pipeline/builtin.js';
import { ruleToIR } from '../ir/rule-path.js';
import { compileRuleSet } from '../engine/rule-set.js';
import { createRulebook, type PreparedRules } from '../engine/rulebook.js';
import { Detector } from '../engine/detector.js';
import { re2Regex } from '../engine/regex-re2.js';
import { openSource, expandInputs, SourceError } from '../sources/open-source.js';
import { evtxReader } from '../sources/evtx-source.js';
import type { EventSource } from '../sources/types.js';

/** The detector for each input: the rules compiled with its format pipeline, its log source declared. */
export interface StackDetector {
  /** The detector for one input (its format's pipeline applied). */
  (source: EventSource): Detector;
  /** The rules compiled without a format pipeline: what runs, and what cannot (with the reason). */
  prepared: PreparedRules;
}

export function stackDetector(col: SigmaCollection, pipelines: readonly ProcessingPipeline[]): StackDetector {
  const book = createRulebook(col, { pipelines, formatPipeline: builtinPipeline, regex: re2Regex });
  return Object.assign((source: EventSource) => new Detector(book.forFormat(source.pipeline).set, { regex: re2Regex, logsource: source.logsource, explain: false }), { prepared: book.base });
}

export async function openStackInputs(paths: string[]): Promise<{ sources: EventSource[]; files: string[]; problems: string[] }> {
  const expanded = await expandInputs(paths, { recursive: true });
  const sources: EventSource[] = [];
  const problems = expanded.problems.map((p) => `${p.location.file}: ${p.message}`);
  for (const file of expanded.files) {
    try {
      sources.push(await openSource(file, { readers: { evtx: evtxReader() } }));
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      problems.push(e.message); // it begins with the path
    }
  }
  return { sources, files: expanded.files, problems };
}

/** A `--where` condition that is not FIELD|MODIFIERS=VALUE or not a valid Sigma test. */
export class WhereError extends Error {}

/** `--where` conditions become a one-selection Sigma rule, compiled by the engine like any rule. */
export function compileWhere(conditions: string[]) {
  const byKey = new Map<string, string[]>();
  for (const c of conditions) {
    const eq = c.indexOf('=');
    if (eq <= 0) throw new WhereError(`--where expects FIELD|MODIFIERS=VALUE, got '${c}'`);
    const key = c.slice(0, eq).trim();
    byKey.set(key, [...(byKey.get(key) ?? []), c.slice(eq + 1)]);
  }
  const yaml = [
    'title: stack --where',
    'logsource:',
    '    product: any',
    'detection:',
    '    selection:',
    ...[...byKey].flatMap(([k, vs]) => [`        ${JSON.stringify(k)}:`, ...vs.map((v) => `            - ${JSON.stringify(v)}`)]),
    '    condition: selection',
  ].join('\n');
  const doc = parseSigmaText(yaml, '--where').documents[0]!;
  const errors = doc.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length || doc.document?.kind !== 'rule') throw new WhereError(errors.map((e) => e.message).join('; ') || 'invalid --where');
  const set = compileRuleSet([ruleToIR(doc.document, { pipelines: [] }).ir], { regex: re2Regex });
  if (!set.rules.length) throw new WhereError(set.notRunnable[0]?.reason ?? 'invalid --where');
  return { predicate: set.rules[0]!.detection, fields: [...byKey.keys()].map((k) => k.split('|')[0]!) };
}
