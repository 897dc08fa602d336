// The `--pipeline P…` and `--no-default-pipeline` options of the commands that run rules on events
// (explain, test): their declaration and their resolution, with errors printed at their location.
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { resolvePipelines } from '../pipeline/resolve.js';
import type { ProcessingPipeline } from '../pipeline/types.js';
import { writeTerminal } from '../report/terminal-text.js';

export const PIPELINE_OPTIONS = {
  pipeline: { type: 'string', multiple: true },
  'no-default-pipeline': { type: 'boolean', default: false },
} as const;

/** The pipelines asked for, or null after printing why one cannot be used. */
export function pipelinesOf(values: { pipeline?: string[]; 'no-default-pipeline'?: boolean }): ProcessingPipeline[] | null {
  const r = resolvePipelines(values.pipeline ?? [], !values['no-default-pipeline']);
  if (!r.errors.length) return r.pipelines;
  for (const d of r.errors) writeTerminal(process.stderr, formatDiagnostic(d) + '\n');
  return null;
}
