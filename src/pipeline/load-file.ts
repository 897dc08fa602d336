// Reads a pipeline file from disk; an unreadable file is a located diagnostic like any other problem.
import { readFileSync } from 'node:fs';
import { diagnostic } from '../sigma/diagnostics.js';
import { parsePipelineYaml } from './parse.js';
import type { PipelineLoadResult } from './types.js';

export function loadPipelineFile(path: string): PipelineLoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { pipeline: null, diagnostics: [diagnostic(path, 'unreadable', (e as Error).message)] };
  }
  return parsePipelineYaml(text.replace(/^\uFEFF/, ''), path);
}
