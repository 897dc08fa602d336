// Every lint check, in the order they are documented. A new check is one file under checks/ and one
// line here (ARCHITECTURE.md, "Where a new … goes").
import type { CheckDescription, LintCheck } from './types.js';

export type { CheckDescription };
import { VALIDITY_CHECKS } from './checks/validity.js';
import { sigmahqFilenamePrefix } from './checks/sigmahq-filename-prefix.js';
import { sigmahqFilenameFormat } from './checks/sigmahq-filename-format.js';
import { sigmahqTitle } from './checks/sigmahq-title.js';
import { sigmahqDescription } from './checks/sigmahq-description.js';
import { sigmahqRequiredFields } from './checks/sigmahq-required-fields.js';
import { sigmahqFalsepositives } from './checks/sigmahq-falsepositives.js';
import { sigmahqReferenceUrl } from './checks/sigmahq-reference-url.js';
import { attackUnknownId } from './checks/attack-unknown-id.js';
import { duplicateTitle } from './checks/duplicate-title.js';
import { containsWildcard } from './checks/contains-wildcard.js';
import { regexCouldBePlain } from './checks/regex-could-be-plain.js';
import { singleOfThem } from './checks/single-of-them.js';
import { duplicateValues } from './checks/duplicate-values.js';
import { neverMatches } from './checks/never-matches.js';
import { unknownField } from './checks/unknown-field.js';

export const LINT_CHECKS: readonly LintCheck[] = [
  sigmahqFilenamePrefix,
  sigmahqFilenameFormat,
  sigmahqTitle,
  sigmahqDescription,
  sigmahqRequiredFields,
  sigmahqFalsepositives,
  sigmahqReferenceUrl,
  attackUnknownId,
  duplicateTitle,
  containsWildcard,
  regexCouldBePlain,
  singleOfThem,
  duplicateValues,
  neverMatches,
  unknownField,
];

export function allCheckDescriptions(): CheckDescription[] {
  const strip = ({ id, group, severity, message, docs, fix }: CheckDescription): CheckDescription => ({ id, group, severity, message, docs, ...(fix ? { fix } : {}) });
  return [...VALIDITY_CHECKS.map(strip), ...LINT_CHECKS.map(strip)];
}

export function describeCheck(id: string): CheckDescription | undefined {
  return allCheckDescriptions().find((c) => c.id === id);
}
