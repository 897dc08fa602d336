// Which processing pipelines a conversion runs, from what the user named: a target's own pipeline
// (with the built-in pipelines it builds on), a built-in pipeline, or a pySigma pipeline YAML file.
// Node only (it looks for files); the browser picks pipelines by name from targets.ts.
import { existsSync } from 'node:fs';
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { builtinPipeline, listBuiltinPipelines } from '../pipeline/builtin.js';
import { loadPipelineFile } from '../pipeline/load-file.js';
import type { ProcessingPipeline } from '../pipeline/types.js';
import { TARGETS } from './targets.js';

/** A pipeline that is neither the target's, nor built in, nor a valid file; the message says which. */
export class PipelineSpecError extends Error {}

/** Target pipelines (with the built-ins they build on), then built-in pipelines, then files; each once. */
export function resolveConvertPipelines(targetName: string, specs: readonly string[]): ProcessingPipeline[] {
  const target = TARGETS[targetName];
  if (!target) throw new PipelineSpecError(`unknown target '${targetName}' (known: ${Object.keys(TARGETS).join(', ')})`);
  const out: ProcessingPipeline[] = [];
  const seen = new Set<string>();
  const add = (key: string, p: ProcessingPipeline) => {
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };
  for (const spec of specs) {
    const own = existsSync(spec) ? null : target.pipeline(spec);
    if (own) {
      for (const b of target.bases(spec)) add(`builtin:${b}`, builtinPipeline(b)!);
      add(`${targetName}:${spec}`, own);
      continue;
    }
    const builtin = existsSync(spec) ? null : builtinPipeline(spec);
    if (builtin) {
      add(`builtin:${spec}`, builtin);
      continue;
    }
    if (!existsSync(spec)) throw new PipelineSpecError(`no pipeline '${spec}': not a ${targetName} pipeline (${target.listPipelines().join(', ')}), a built-in one (${listBuiltinPipelines().join(', ')}) or a file`);
    const r = loadPipelineFile(spec);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (!r.pipeline || errors.length) throw new PipelineSpecError(`pipeline ${spec} is invalid:\n${errors.map(formatDiagnostic).join('\n')}`);
    add(`file:${spec}`, r.pipeline);
  }
  return out;
}
