// The validator's own diagnostics as lint findings: everything `quarry validate` reports (YAML,
// attributes, modifiers, conditions, the checks of sigma/checks.ts, duplicate ids across files) is
// a check here under its diagnostic code, with the catalogue's severity and description. One home
// for each: the codes stay in sigma/diagnostic-codes.ts; this file adds only their safe fixes.
import { DIAGNOSTIC_CODES, type DiagnosticCode } from '../../sigma/diagnostic-codes.js';
import type { Diagnostic } from '../../sigma/diagnostics.js';
import { get, type YMap, type YScalar } from '../../sigma/yaml-tree.js';
import { replaceScalar } from '../edits.js';
import type { CheckDescription, Fix } from '../types.js';

export interface ValidityCheck extends CheckDescription {
  id: DiagnosticCode;
  group: 'validity';
}

const FIXES: Partial<Record<DiagnosticCode, string>> = {
  'legacy-date-format': 'rewrites YYYY/MM/DD as YYYY-MM-DD',
};

/** Every diagnostic code, declared as a lint check. */
export const VALIDITY_CHECKS: readonly ValidityCheck[] = (Object.keys(DIAGNOSTIC_CODES) as DiagnosticCode[]).map((id) => ({
  id,
  group: 'validity',
  severity: DIAGNOSTIC_CODES[id].severity,
  message: DIAGNOSTIC_CODES[id].description,
  docs: `Reported by the validator (quarry validate); see docs/diagnostics.md#${id}.`,
  ...(FIXES[id] ? { fix: FIXES[id] } : {}),
}));

/** The safe fix of a validator diagnostic, when it has one. */
export function validityFix(d: Diagnostic, root: YMap | undefined, text: string): Fix | undefined {
  if (d.code !== 'legacy-date-format' || !root) return undefined;
  for (const key of ['date', 'modified']) {
    const node = get(root, key)?.value;
    if (node?.kind === 'scalar' && node.pos.line === d.line && node.pos.col === d.col && typeof node.value === 'string') {
      return { description: `write ${node.value.replaceAll('/', '-')}`, edits: [replaceScalar(text, node as YScalar, node.value.replaceAll('/', '-'))] };
    }
  }
  return undefined;
}
