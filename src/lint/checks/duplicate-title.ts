// Two rules with one title are indistinguishable in an alert list; SigmaHQ keeps titles unique.
import { get, spanOf } from '../../sigma/yaml-tree.js';
import type { CollectionCheck } from '../types.js';
import { documentStart } from '../spans.js';

export const duplicateTitle: CollectionCheck = {
  id: 'duplicate-title',
  group: 'sigmahq',
  scope: 'collection',
  severity: 'warning',
  message: 'Two rules share a title (compared without case).',
  docs: 'An alert shows the title first; two rules with the same title cannot be told apart there. Titles are compared ignoring case and surrounding spaces.',
  run(ctx) {
    const first = new Map<string, string>();
    for (const d of ctx.documents) {
      if (d.doc.kind === 'filter') continue;
      const key = d.doc.title.trim().toLowerCase();
      if (!key) continue;
      const prev = first.get(key);
      const title = get(d.root, 'title');
      if (prev) ctx.report(d.file, `title '${d.doc.title}' is also used by ${prev}`, title ? spanOf(title.value) : documentStart(d.root));
      else first.set(key, d.file);
    }
  },
};
