// The attributes SigmaHQ requires of every rule in its repository, beyond what Sigma itself requires
// (title, logsource, detection are the validator's): an id to track the rule, who wrote it and when,
// how mature it is and how loud.
import type { DocumentCheck } from '../types.js';
import { documentStart } from '../spans.js';

const REQUIRED = ['id', 'status', 'author', 'date', 'level'] as const;

export const sigmahqRequiredFields: DocumentCheck = {
  id: 'sigmahq-required-fields',
  group: 'sigmahq',
  scope: 'document',
  severity: 'warning',
  message: 'A rule lacks an attribute SigmaHQ requires: id, status, author, date or level.',
  docs: 'SigmaHQ rules carry an id (to reference and track them), a status and a level (maturity and loudness), an author and a date.',
  run(ctx) {
    if (ctx.doc.kind === 'filter') return;
    const doc = ctx.doc;
    const required = doc.kind === 'correlation' ? (['id', 'author', 'date'] as const) : REQUIRED;
    for (const key of required) if (doc[key] === undefined || doc[key] === '') ctx.report(`the ${doc.kind} has no '${key}'`, documentStart(ctx.root));
  },
};
