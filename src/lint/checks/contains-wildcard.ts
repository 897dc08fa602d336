// `contains` already matches anywhere in the value (and `startswith` anything after, `endswith`
// anything before): a `*` at the open end adds nothing but doubt about what the author meant.
import type { DocumentCheck } from '../types.js';
import { detectionItems } from '../detection-items.js';
import { replaceScalar } from '../edits.js';

/** A `*` at index i that is a wildcard, not an escaped `\*`. */
function wildcardAt(s: string, i: number): boolean {
  if (s[i] !== '*') return false;
  let backslashes = 0;
  for (let j = i - 1; j >= 0 && s[j] === '\\'; j--) backslashes++;
  return backslashes % 2 === 0;
}

export function redundantStars(modifier: string, v: string): { lead: boolean; trail: boolean } {
  const lead = (modifier === 'contains' || modifier === 'endswith') && wildcardAt(v, 0);
  const trail = (modifier === 'contains' || modifier === 'startswith') && v.length > (lead ? 1 : 0) && wildcardAt(v, v.length - 1);
  return { lead, trail };
}

export const containsWildcard: DocumentCheck = {
  id: 'contains-wildcard',
  group: 'hygiene',
  scope: 'document',
  severity: 'warning',
  message: "A contains, startswith or endswith value has a '*' at an end the modifier already leaves open.",
  docs: "'contains' matches anywhere, 'startswith' leaves the end open and 'endswith' the start: a '*' there changes nothing and suggests the author meant something else. An escaped \\* is a literal star and is not judged.",
  fix: "removes the redundant '*'",
  run(ctx) {
    for (const item of detectionItems(ctx.doc, ctx.root)) {
      const modifier = item.modifiers.find((m) => m === 'contains' || m === 'startswith' || m === 'endswith');
      if (!modifier || item.modifiers.some((m) => m === 're' || m.startsWith('base64'))) continue;
      for (const s of item.scalars) {
        if (typeof s.value !== 'string') continue;
        const { lead, trail } = redundantStars(modifier, s.value);
        if (!lead && !trail) continue;
        const fixed = s.value.slice(lead ? 1 : 0, trail ? -1 : undefined);
        const fix = fixed.replaceAll('*', '') === '' ? undefined : { description: "remove the redundant '*'", edits: [replaceScalar(ctx.text, s, fixed)] };
        ctx.report(`'${item.field}|${item.modifiers.join('|')}' value '${s.value}' has a '*' that '${modifier}' already implies`, { start: s.pos, end: s.end }, fix);
      }
    }
  },
};
