// Built-in pipelines, shipped as pySigma YAML (builtin/*.yml) and embedded by builtin/generate.ts.
import { formatDiagnostic, hasErrors } from '../sigma/diagnostics.js';
import { parsePipelineYaml } from './parse.js';
import type { ProcessingPipeline } from './types.js';
import { BUILTIN_PIPELINE_YAML } from './builtin/builtin-data.js';

const cache = new Map<string, ProcessingPipeline>();

export function listBuiltinPipelines(): string[] {
  return Object.keys(BUILTIN_PIPELINE_YAML).sort();
}

/** A built-in pipeline by name (e.g. `windows`), or null when there is none by that name. */
export function builtinPipeline(name: string): ProcessingPipeline | null {
  const hit = cache.get(name);
  if (hit) return hit;
  if (!Object.hasOwn(BUILTIN_PIPELINE_YAML, name)) return null;
  const { pipeline, diagnostics } = parsePipelineYaml(BUILTIN_PIPELINE_YAML[name]!, `builtin:${name}`);
  // A broken built-in is a bug of ours, not a user error: fail loudly.
  if (!pipeline || hasErrors(diagnostics)) throw new Error(`built-in pipeline '${name}' is invalid:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  pipeline.origin = `builtin:${name}`;
  cache.set(name, pipeline);
  return pipeline;
}
