// The demo hunt shown when the explorer starts without arguments: the loaded rules over the
// bundled sample logs, through the same setup and loop as `quarry hunt` (built-in `windows`
// pipeline, format pipelines), collected in memory.
import { builtinPipeline } from '../pipeline/builtin.js';
import { re2Regex } from '../engine/regex-re2.js';
import { setupHunt } from '../hunt/setup.js';
import { hunt } from '../hunt/hunt.js';
import type { StoredDetection } from '../hunt/detection.js';
import type { ExplorerState } from './explorer-state.js';
import { huntFromDetections, type HuntResults } from './hunts.js';

export async function runDemoHunt(state: ExplorerState, logs: string[], id: string): Promise<HuntResults & { openProblems: string[]; events: number }> {
  const windows = builtinPipeline('windows');
  const { prepared, inputs, openProblems, correlation } = await setupHunt(state.col, logs, { pipelines: windows ? [windows] : [], formatPipelines: true, regex: re2Regex });
  const detections: StoredDetection[] = [];
  const summary = await hunt(prepared.set, inputs, {
    regex: re2Regex,
    correlation,
    onDetection: (d) => {
      const { tags: _tags, ...rule } = d.rule;
      detections.push({ rule, source: d.source, ...(d.timestamp ? { timestamp: d.timestamp } : {}), event: d.event, matched: d.matched, ...(d.correlation ? { correlation: d.correlation } : {}) });
    },
  });
  const results = huntFromDetections(state, id, 'Demo hunt over the bundled sample logs', logs.join(', '), detections);
  for (const i of summary.inputs) {
    for (const p of i.problems) results.problems.first.push({ line: p.location.line ?? 0, message: `${p.location.file}: ${p.message}` });
    results.problems.count += i.problemCount;
  }
  return { ...results, openProblems, events: summary.events };
}
