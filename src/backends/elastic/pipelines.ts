// The ECS pipelines shared by the Lucene, ES|QL and EQL targets (pipelines/*.yml, embedded in
// pipelines-data.ts). ecs-windows builds on the built-in `windows` pipeline (log source → Channel
// and EventID conditions), which is applied before it.
import { formatDiagnostic, hasErrors } from '../../sigma/diagnostics.js';
import { parsePipelineYaml } from '../../pipeline/parse.js';
import type { ProcessingPipeline } from '../../pipeline/types.js';
import { ELASTIC_PIPELINE_YAML } from './pipelines-data.js';

/** Built-in pipelines (src/pipeline) that each ECS pipeline needs before it. */
export const ELASTIC_PIPELINE_BASES: Readonly<Record<string, readonly string[]>> = {
  'ecs-windows': ['windows'],
  'ecs-proxy': [],
  'ecs-none': [],
};

const cache = new Map<string, ProcessingPipeline>();

export function listElasticPipelines(): string[] {
  return Object.keys(ELASTIC_PIPELINE_YAML).sort();
}

export function elasticPipeline(name: string): ProcessingPipeline | null {
  const hit = cache.get(name);
  if (hit) return hit;
  if (!Object.hasOwn(ELASTIC_PIPELINE_YAML, name)) return null;
  const { pipeline, diagnostics } = parsePipelineYaml(ELASTIC_PIPELINE_YAML[name]!, `builtin:${name}`);
  // A broken shipped pipeline is a bug of ours, not a user error: fail loudly.
  if (!pipeline || hasErrors(diagnostics)) throw new Error(`ECS pipeline '${name}' is invalid:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  pipeline.origin = `builtin:${name}`;
  cache.set(name, pipeline);
  return pipeline;
}
