// Runs the real hunt path (windows pipeline, routing, guards) on files, for tests.
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { createRulebook } from '../../src/engine/rulebook.js';
import { hunt } from '../../src/hunt/hunt.js';
import type { HuntDetection } from '../../src/hunt/detection.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { openSource } from '../../src/sources/open-source.js';
import { openEvtxSource } from '../../src/sources/evtx-source.js';
import type { LogSource } from '../../src/sigma/model.js';

export async function huntFiles(rulePaths: string[], inputFiles: string[], opts: { logsource?: LogSource; pipelines?: boolean } = {}) {
  const col = loadSigmaPaths(rulePaths);
  const pipelines = opts.pipelines === false ? [] : [builtinPipeline('windows')!];
  // As `quarry hunt` does: each input's format pipeline and implied log source apply to it.
  const book = createRulebook(col, { pipelines, formatPipeline: (name) => (opts.pipelines === false ? null : builtinPipeline(name)), regex: re2Regex });
  const prepared = book.base;
  const detections: HuntDetection[] = [];
  const inputs = [];
  for (const f of inputFiles) {
    const source = await openSource(f, { readers: { evtx: (p) => openEvtxSource(p, { workers: 0 }) } });
    inputs.push({ source, logsource: opts.logsource ?? source.logsource, set: book.forFormat(source.pipeline).set });
  }
  const summary = await hunt(prepared.set, inputs, { regex: re2Regex, onDetection: (d) => void detections.push(d) });
  return { col, prepared, detections, summary };
}
