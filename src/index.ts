// Quarry's library entry point: the pieces the CLI is made of, for use from other programs.
export { loadSigmaPaths, parseSigmaText, type SigmaCollection } from './sigma/load.js';
export { formatDiagnostic, type Diagnostic } from './sigma/diagnostics.js';
export type { SigmaRule, SigmaFilter, SigmaCorrelation, SigmaDocument, LogSource } from './sigma/model.js';
export { applyPipelines } from './pipeline/apply.js';
export { loadPipelineFile, parsePipelineYaml } from './pipeline/parse.js';
export { builtinPipeline, listBuiltinPipelines } from './pipeline/builtin.js';
export { lowerProcessedRule, lowerRule } from './ir/lower.js';
export type { Expr, FieldTest, RuleIR } from './ir/types.js';
export { compileRuleSet, type CompiledRuleSet } from './engine/rule-set.js';
export { EventView } from './engine/event-access.js';
export { re2Regex } from './engine/regex-re2.js';
export { guardedJsRegex } from './engine/regex.js';
export { prepareRules } from './hunt/prepare.js';
export { hunt, type HuntSummary } from './hunt/hunt.js';
export type { HuntDetection } from './hunt/detection.js';
export { openSource, expandInputs } from './sources/open-source.js';
export { openEvtxSource } from './sources/evtx-source.js';
