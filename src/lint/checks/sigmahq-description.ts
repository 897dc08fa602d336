// A description says what the rule finds and why it matters; SigmaHQ requires one, and a few words
// are not one.
import type { DocumentCheck } from '../types.js';
import { attributeSpan, documentStart } from '../spans.js';

const MIN_DESCRIPTION = 16;

export const sigmahqDescription: DocumentCheck = {
  id: 'sigmahq-description',
  group: 'sigmahq',
  scope: 'document',
  severity: 'warning',
  message: 'The rule has no description, or one shorter than 16 characters.',
  docs: 'The description tells an analyst what fired and why it matters; SigmaHQ requires one of at least a sentence.',
  run(ctx) {
    if (ctx.doc.kind === 'filter') return;
    const d = ctx.doc.description?.trim();
    if (!d) ctx.report("the rule has no 'description'", documentStart(ctx.root));
    else if (d.length < MIN_DESCRIPTION) ctx.report(`the description is ${d.length} characters; say what the rule finds and why`, attributeSpan(ctx.root, 'description')!);
  },
};
