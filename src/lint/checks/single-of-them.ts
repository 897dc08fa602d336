// `all of them` (or `1 of them`) over a single search identifier is that identifier with extra
// words, and it silently changes meaning when a second identifier is added. Named patterns such as
// `1 of filter_main_*` are left alone: SigmaHQ writes them on purpose, so that filters can be added.
import type { DocumentCheck } from '../types.js';
import { conditionReferences, expandPattern } from '../../sigma/condition.js';
import { nodeTextAt } from '../edits.js';

export const singleOfThem: DocumentCheck = {
  id: 'single-of-them',
  group: 'hygiene',
  scope: 'document',
  severity: 'warning',
  message: "'all of them' or '1 of them' covers a single search identifier: name it.",
  docs: "A quantifier over one identifier is that identifier; naming it says what is meant and does not change meaning when another identifier is added later.",
  fix: 'replaces the quantifier with the identifier',
  run(ctx) {
    if (ctx.doc.kind === 'correlation') return;
    const names = [...ctx.doc.detections.keys()];
    for (const c of ctx.doc.conditions) {
      for (const ref of conditionReferences(c)) {
        if (ref.kind !== 'pattern' || ref.name !== 'them') continue;
        const matched = expandPattern(ref.name, names);
        if (matched.length !== 1) continue;
        const range = { start: ref.pos, end: ref.end };
        // Offer the fix only when the range holds the quantifier as written (a folded condition may not map one to one).
        const written = nodeTextAt(ctx.text, range);
        const fix = /^(all|1|any) of them$/.test(written) ? { description: `write '${matched[0]}'`, edits: [{ range, newText: matched[0]! }] } : undefined;
        ctx.report(`'${written || ref.name}' covers only '${matched[0]}'`, range, fix);
      }
    }
  },
};
