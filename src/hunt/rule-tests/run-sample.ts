// One test's events through the same road as `quarry hunt` (setupHunt, hunt, correlations), so a
// test passes exactly when a hunt over the sample would report what the test expects.
import type { SigmaCollection } from '../../sigma/collection.js';
import type { ProcessingPipeline } from '../../pipeline/types.js';
import type { RegexFactory } from '../../engine/regex.js';
import { normalizeEvent } from '../../sources/flatten.js';
import type { EventSource, LogEvent } from '../../sources/types.js';
import { setupHunt } from '../setup.js';
import { hunt, type HuntInput } from '../hunt.js';

export interface SampleOutcome {
  events: number;
  /** Per rule (`file#docIndex`): how many events it was reported on. */
  matches: Map<string, number>;
  /** Groups of the correlation detections, as `group-by field → value`. */
  fired: Array<{ rule: string; group: Record<string, string> }>;
  /** Inputs or records that could not be read, as `where: why`. */
  problems: string[];
  /** Rules that cannot run in the engine, with the reason. */
  cannotRun: string[];
}

export type Sample = { file: string } | { events: readonly LogEvent[]; name: string };

export const ruleKeyOf = (r: { file: string; docIndex: number }): string => `${r.file}#${r.docIndex}`;

function inlineSource(events: readonly LogEvent[], name: string): EventSource {
  return {
    name,
    format: 'json',
    problems: [],
    problemCount: 0,
    async *records() {
      for (const [i, e] of events.entries()) yield { event: normalizeEvent(structuredClone(e)), location: { file: name, record: i + 1 } };
    },
  };
}

export async function runSample(col: SigmaCollection, sample: Sample, opts: { pipelines: ProcessingPipeline[]; regex: RegexFactory }): Promise<SampleOutcome> {
  const setup = await setupHunt(col, 'file' in sample ? [sample.file] : [], { pipelines: opts.pipelines, formatPipelines: true, regex: opts.regex });
  const inputs: HuntInput[] = 'file' in sample ? setup.inputs : [{ source: inlineSource(sample.events, sample.name), set: setup.prepared.set }];
  const out: SampleOutcome = { events: 0, matches: new Map(), fired: [], problems: [...setup.openProblems], cannotRun: setup.prepared.skipped.filter((s) => s.kind === 'cannot-run').map((s) => `${s.rule.title}: ${s.reason}`) };
  const summary = await hunt(setup.prepared.set, inputs, {
    regex: opts.regex,
    explain: false,
    correlation: setup.correlation,
    onDetection(d) {
      if (d.correlation) out.fired.push({ rule: d.rule.id ?? d.rule.title, group: d.correlation.group });
      else {
        const rule = col.rules.find((r) => r.file === d.rule.path && r.title === d.rule.title && r.id === d.rule.id);
        const key = rule ? ruleKeyOf(rule) : d.rule.path;
        out.matches.set(key, (out.matches.get(key) ?? 0) + 1);
      }
    },
  });
  out.events = summary.events;
  for (const i of summary.inputs) for (const p of i.problems) out.problems.push(`${p.location.file}${p.location.record ? ` record ${p.location.record}` : p.location.line ? `:${p.location.line}` : ''}: ${p.message}`);
  return out;
}
