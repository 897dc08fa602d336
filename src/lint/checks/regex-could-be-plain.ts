// A `|re` value without any regular-expression operator is a plain string match written the slow
// and opaque way: the plain modifiers are faster in every backend and readable at a glance.
import type { DocumentCheck } from '../types.js';
import { detectionItems } from '../detection-items.js';

const META = new Set([...'.^$*+?()[]{}|\\']);

/** The literal text of a pattern made only of literal characters (escaped metacharacters allowed), or null. */
export function literalOf(pattern: string): string | null {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined || !META.has(next)) return null; // \d, \w, \b… are classes, not literals
      out += next;
      i++;
    } else if (META.has(c)) return null;
    else out += c;
  }
  return out;
}

/** What a literal pattern can be written as: the modifier and the value, or null when it needs a regex. */
export function plainForm(pattern: string): { modifier: string; value: string } | null {
  let p = pattern;
  let start = false;
  let end = false;
  if (p.startsWith('^')) [start, p] = [true, p.slice(1)];
  else if (p.startsWith('.*')) p = p.slice(2);
  if (p.endsWith('$') && !p.endsWith('\\$')) [end, p] = [true, p.slice(0, -1)];
  else if (p.endsWith('.*') && !p.endsWith('\\.*')) p = p.slice(0, -2);
  const lit = literalOf(p);
  if (lit === null || lit === '' || /[*?]/.test(lit)) return null;
  const modifier = start && end ? '' : start ? 'startswith' : end ? 'endswith' : 'contains';
  return { modifier, value: lit };
}

export const regexCouldBePlain: DocumentCheck = {
  id: 'regex-could-be-plain',
  group: 'hygiene',
  scope: 'document',
  severity: 'info',
  message: "A '|re' value is a plain string: contains, startswith, endswith or equality says the same.",
  docs: "A pattern with no regular-expression operator (anchors and escaped characters aside) is a string match. Plain modifiers are faster in every backend and clearer; note that 're' is case-sensitive, so the plain form needs '|cased' unless the regex had the 'i' flag.",
  run(ctx) {
    for (const item of detectionItems(ctx.doc, ctx.root)) {
      if (!item.modifiers.includes('re') || item.field === null) continue;
      const insensitive = item.modifiers.includes('i');
      for (const s of item.scalars) {
        if (typeof s.value !== 'string') continue;
        const plain = plainForm(s.value);
        if (!plain) continue;
        const mods = [plain.modifier, insensitive ? '' : 'cased'].filter(Boolean);
        const written = `${item.field}${mods.map((m) => `|${m}`).join('')}: '${plain.value}'`;
        ctx.report(`regex '${s.value}' has no operator: ${written} matches the same`, { start: s.pos, end: s.end });
      }
    }
  },
};
