import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { parseSigmaText } from '../../src/sigma/load.js';
import type { DetectionGroup, DetectionItem, SigmaRule } from '../../src/sigma/model.js';
import { describeValue } from '../../src/sigma/values.js';
import { parsePipelineYaml } from '../../src/pipeline/parse.js';
import type { ProcessingPipeline } from '../../src/pipeline/types.js';
import { formatDiagnostic } from '../../src/sigma/diagnostics.js';

/** ../shared/data from the repo root (this file runs as dist/test/pipeline/helpers.js). */
export const DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
/** The repo root (for the pipeline's source files). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function ruleFromText(text: string, file = 'rule.yml'): SigmaRule {
  const doc = parseSigmaText(text, file).documents[0];
  assert.ok(doc?.document && doc.document.kind === 'rule', `not a rule: ${JSON.stringify(doc?.diagnostics)}`);
  return doc.document;
}

export function ruleFromFile(path: string): SigmaRule {
  return ruleFromText(readFileSync(path, 'utf8'), path);
}

export function pipelineFrom(yaml: string, file = 'pipeline.yml'): ProcessingPipeline {
  const r = parsePipelineYaml(yaml, file);
  assert.ok(r.pipeline, `pipeline did not load:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r.pipeline;
}

/** A compact text form of a detection tree: `and(EventID=16403, or(Image=*\\a.exe, …))`. */
export function show(n: DetectionItem | DetectionGroup): string {
  if ('children' in n) return `${n.link}(${n.children.map(show).join(', ')})`;
  const values = n.values.map(describeValue).join(n.link === 'and' ? '&' : '|');
  return `${n.field ?? '_'}${n.negate ? '!=' : '='}${values}`;
}

export function showDetections(rule: SigmaRule): Record<string, string> {
  return Object.fromEntries([...rule.detections].map(([k, d]) => [k, show(d.body)]));
}

/** A rule with one selection, in the shape of SigmaHQ's process_creation rules. */
export const PROCESS_RULE = `title: Suspicious Certutil Download
id: 19b08b1c-861d-4e75-a1ef-ea0c1baf202b
status: test
logsource:
    category: process_creation
    product: windows
detection:
    selection_img:
        - Image|endswith: '\\certutil.exe'
        - OriginalFileName: 'CertUtil.exe'
    selection_cli:
        CommandLine|contains:
            - 'urlcache '
            - 'verifyctl '
        ParentImage|endswith: '\\cmd.exe'
    condition: all of selection_*
fields:
    - Image
    - CommandLine
level: high
`;
