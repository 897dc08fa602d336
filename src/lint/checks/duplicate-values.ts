// Sigma compares strings without case unless `|cased`: values that differ only by case (or not at
// all) are the same test twice, usually a copy-paste left behind.
import type { DocumentCheck } from '../types.js';
import { detectionItems } from '../detection-items.js';
import { removeSeqItem } from '../edits.js';

export const duplicateValues: DocumentCheck = {
  id: 'duplicate-values',
  group: 'hygiene',
  scope: 'document',
  severity: 'warning',
  message: 'A value list repeats a value, or has two that differ only by case (Sigma compares without case).',
  docs: "Without '|cased', 'cmd.exe' and 'CMD.EXE' are the same test; the second is dead weight in every query. With '|cased', '|re' or an encoding ('|base64', '|base64offset', '|utf16…', '|wide'), which compare bytes, only exact repeats count.",
  fix: 'removes the repeated list item (block lists only)',
  run(ctx) {
    for (const item of detectionItems(ctx.doc, ctx.root)) {
      if (item.value.kind !== 'seq') continue;
      // Encodings and regexes compare bytes: 'IEX' and 'iex' encode to different base64 text.
      const cased = item.modifiers.some((m) => m === 'cased' || m === 're' || m.startsWith('base64') || m.startsWith('utf16') || m === 'wide');
      const seen = new Map<string, string>();
      const seq = item.value;
      seq.items.forEach((n, i) => {
        if (n.kind !== 'scalar' || n.value === null) return;
        const v = String(n.value);
        const key = cased ? v : v.toLowerCase();
        const prev = seen.get(key);
        if (prev === undefined) return void seen.set(key, v);
        const edit = removeSeqItem(ctx.text, seq, i);
        const what = prev === v ? `'${v}' is listed twice` : `'${v}' repeats '${prev}' (values are compared without case)`;
        ctx.report(`${item.field ?? 'keywords'} in '${item.selection}': ${what}`, { start: n.pos, end: n.end }, edit && { description: `remove the repeated '${v}'`, edits: [edit] });
      });
    }
  },
};
