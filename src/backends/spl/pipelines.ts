// The SPL backend's pipelines (pipelines/*.yml, embedded in pipelines-data.ts). `splunk-windows`
// builds on the built-in `windows` pipeline (log source → Channel and EventID), applied before it.
import { formatDiagnostic, hasErrors } from '../../sigma/diagnostics.js';
import { parsePipelineYaml } from '../../pipeline/parse.js';
import type { ProcessingPipeline } from '../../pipeline/types.js';
import { SPL_PIPELINE_YAML } from './pipelines-data.js';

/** Built-in pipelines (src/pipeline) that each SPL pipeline needs before it. */
export const SPL_PIPELINE_BASES: Readonly<Record<string, readonly string[]>> = {
  splunk: [],
  'splunk-windows': ['windows'],
  'splunk-cim': [],
};

const cache = new Map<string, ProcessingPipeline>();

export function listSplPipelines(): string[] {
  return Object.keys(SPL_PIPELINE_YAML).sort();
}

export function splPipeline(name: string): ProcessingPipeline | null {
  const hit = cache.get(name);
  if (hit) return hit;
  if (!Object.hasOwn(SPL_PIPELINE_YAML, name)) return null;
  const { pipeline, diagnostics } = parsePipelineYaml(SPL_PIPELINE_YAML[name]!, `builtin:${name}`);
  if (!pipeline || hasErrors(diagnostics)) throw new Error(`SPL pipeline '${name}' is invalid:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  pipeline.origin = `builtin:${name}`;
  cache.set(name, pipeline);
  return pipeline;
}
