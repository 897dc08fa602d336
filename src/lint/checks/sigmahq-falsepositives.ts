// An analyst triaging an alert wants to know what else looks like it; SigmaHQ asks every rule to say
// (`Unknown` is an answer).
import type { DocumentCheck } from '../types.js';
import { attributeSpan, documentStart } from '../spans.js';

export const sigmahqFalsepositives: DocumentCheck = {
  id: 'sigmahq-falsepositives',
  group: 'sigmahq',
  scope: 'document',
  severity: 'info',
  message: "The rule lists no falsepositives ('Unknown' is an answer).",
  docs: "falsepositives tells the analyst what benign activity also matches; SigmaHQ asks for it on every rule, with 'Unknown' when none is known.",
  run(ctx) {
    if (ctx.doc.kind !== 'rule') return;
    if (ctx.doc.falsepositives.length === 0) ctx.report("the rule has no 'falsepositives'", attributeSpan(ctx.root, 'falsepositives') ?? documentStart(ctx.root));
    ctx.doc.falsepositives.forEach((f) => {
      if (!f.trim()) ctx.report('an empty falsepositives entry', attributeSpan(ctx.root, 'falsepositives')!);
    });
  },
};
