// References are where a reader checks the rule's reasoning: each one a link that opens.
import type { DocumentCheck } from '../types.js';
import { listItemSpan, documentStart } from '../spans.js';

function isUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname.includes('.') && !/\s/.test(s);
  } catch {
    return false;
  }
}

export const sigmahqReferenceUrl: DocumentCheck = {
  id: 'sigmahq-reference-url',
  group: 'sigmahq',
  scope: 'document',
  severity: 'warning',
  message: 'A reference is not an http(s) URL.',
  docs: 'Each reference is a link (http or https) a reader can open; put prose in the description and internal notes elsewhere.',
  run(ctx) {
    ctx.doc.references.forEach((r, i) => {
      if (!isUrl(r.trim())) ctx.report(`reference '${r}' is not an http(s) URL`, listItemSpan(ctx.root, 'references', i) ?? documentStart(ctx.root));
    });
  },
};
