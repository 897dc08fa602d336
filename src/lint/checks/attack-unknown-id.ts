// An `attack.*` tag that names no technique, tactic, group or software of ATT&CK (a typo, a
// sub-technique that does not exist) silently drops the rule from coverage maps.
import { bundledAttack, resolveTags } from '../../catalog/attack.js';
import type { DocumentCheck } from '../types.js';
import { listItemSpan, documentStart } from '../spans.js';

export const attackUnknownId: DocumentCheck = {
  id: 'attack-unknown-id',
  group: 'sigmahq',
  scope: 'document',
  severity: 'warning',
  message: 'An attack.* tag names no ATT&CK tactic, technique, group or software in the bundled data.',
  docs: 'Tags such as attack.t1059.001, attack.execution, attack.g0016 and attack.s0154 are resolved against the bundled ATT&CK data; one that resolves to nothing is usually a typo and leaves the rule out of coverage.',
  run(ctx) {
    const attack = bundledAttack();
    resolveTags(ctx.doc.tags, attack).forEach((r, i) => {
      if (r.tag.toLowerCase().startsWith('attack.') && !r.known) ctx.report(`tag '${r.tag}': ${r.note ?? 'not in ATT&CK'}`, listItemSpan(ctx.root, 'tags', i) ?? documentStart(ctx.root));
    });
  },
};
