// Processing pipelines: the public surface of src/pipeline.
export type { PipelineLoadResult, ProcessedRule, ProcessingCondition, ProcessingItem, ProcessingPipeline } from './types.js';
export { parsePipelineYaml } from './parse.js';
export { loadPipelineFile } from './load-file.js';
export { applyPipelines, sortPipelines } from './apply.js';
export { builtinPipeline, listBuiltinPipelines } from './builtin.js';
