// Resolves `--pipeline` arguments of hunt and stack: built-in pipeline names first, then pipeline
// YAML files, each problem a located diagnostic. (Conversion targets add their own pipelines:
// backends/resolve-pipelines.ts.)
import { existsSync } from 'node:fs';
import { diagnostic, type Diagnostic } from '../sigma/diagnostics.js';
import { loadPipelineFile } from './load-file.js';
import * as builtins from './builtin.js';
import type { ProcessingPipeline } from './types.js';

export const DEFAULT_PIPELINES = ['windows'];

export interface ResolvedPipelines {
  pipelines: ProcessingPipeline[];
  names: string[];
  errors: Diagnostic[];
}

export function resolvePipelines(specs: string[], includeDefaults: boolean): ResolvedPipelines {
  const out: ResolvedPipelines = { pipelines: [], names: [], errors: [] };
  const wanted = [...(includeDefaults ? DEFAULT_PIPELINES.filter((d) => !specs.includes(d)) : []), ...specs];
  for (const spec of wanted) {
    const builtin = existsSync(spec) ? undefined : builtins.builtinPipeline(spec);
    if (builtin) {
      out.pipelines.push(builtin);
      out.names.push(`${spec} (built-in)`);
      continue;
    }
    if (!existsSync(spec)) {
      out.errors.push(diagnostic(spec, 'unknown-pipeline', `no such pipeline file, and no built-in pipeline of that name (built-in: ${builtins.listBuiltinPipelines().join(', ')})`));
      continue;
    }
    const r = loadPipelineFile(spec);
    out.errors.push(...r.diagnostics.filter((d) => d.severity === 'error'));
    if (r.pipeline) {
      out.pipelines.push(r.pipeline);
      out.names.push(`${r.pipeline.name || spec} (${spec})`);
    }
  }
  return out;
}
