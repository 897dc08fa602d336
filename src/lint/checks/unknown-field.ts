// A field the log source does not carry never matches: the usual reason a rule is silent. Judged
// against a taxonomy file (lint config `taxonomy:`), only for log sources it describes.
import type { DocumentCheck } from '../types.js';
import { detectionItems } from '../detection-items.js';

export const unknownField: DocumentCheck = {
  id: 'unknown-field',
  group: 'hygiene',
  scope: 'document',
  severity: 'warning',
  message: "A field is not among the log source's fields in the configured taxonomy.",
  docs: "Fields are looked up in the taxonomy named by the lint config (`taxonomy:`, a file in the format of SigmaHQ's tests/logsource.json). A field the log source does not carry never matches. Without a taxonomy, or for a log source it does not describe, nothing is judged.",
  run(ctx) {
    if (!ctx.taxonomy || ctx.doc.kind === 'correlation') return;
    const known = ctx.taxonomy.fieldsOf(ctx.doc.logsource);
    if (!known) return;
    for (const item of detectionItems(ctx.doc, ctx.root)) {
      if (item.field === null || !item.entry || known.has(item.field)) continue;
      const ls = ctx.doc.logsource;
      const source = [ls.product, ls.category, ls.service].filter(Boolean).join('/');
      ctx.report(`field '${item.field}' is not a field of ${source} in ${ctx.taxonomy.source}`, { start: item.entry.keyPos, end: { line: item.entry.keyPos.line, col: item.entry.keyPos.col + item.field.length } });
    }
  },
};
