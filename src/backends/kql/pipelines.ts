// The KQL backend's pipelines (pipelines/*.yml, embedded in pipelines-data.ts). Those for Windows
// event tables build on the built-in `windows` pipeline (log source → Channel and EventID), which
// is applied with them.
import { formatDiagnostic, hasErrors } from '../../sigma/diagnostics.js';
import { parsePipelineYaml } from '../../pipeline/parse.js';
import type { ProcessingPipeline } from '../../pipeline/types.js';
import { KQL_PIPELINE_YAML } from './pipelines-data.js';

/** Built-in pipelines (src/pipeline) that each KQL pipeline needs before it. */
export const KQL_PIPELINE_BASES: Readonly<Record<string, readonly string[]>> = {
  'sentinel-asim': [],
  'sentinel-event': ['windows'],
  'sentinel-windowsevent': ['windows'],
  'sentinel-securityevent': ['windows'],
  'defender-xdr': [],
};

const cache = new Map<string, ProcessingPipeline>();

export function listKqlPipelines(): string[] {
  return Object.keys(KQL_PIPELINE_YAML).sort();
}

export function kqlPipeline(name: string): ProcessingPipeline | null {
  const hit = cache.get(name);
  if (hit) return hit;
  if (!Object.hasOwn(KQL_PIPELINE_YAML, name)) return null;
  const { pipeline, diagnostics } = parsePipelineYaml(KQL_PIPELINE_YAML[name]!, `builtin:${name}`);
  if (!pipeline || hasErrors(diagnostics)) throw new Error(`KQL pipeline '${name}' is invalid:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  pipeline.origin = `builtin:${name}`;
  cache.set(name, pipeline);
  return pipeline;
}
