// SigmaHQ's title conventions: short enough for an alert list, a name rather than a sentence (no
// final period, not "Detects …", which says nothing every rule does not).
import type { DocumentCheck } from '../types.js';
import { get } from '../../sigma/yaml-tree.js';
import { replaceScalar } from '../edits.js';

const MAX_TITLE = 110;

export const sigmahqTitle: DocumentCheck = {
  id: 'sigmahq-title',
  group: 'sigmahq',
  scope: 'document',
  severity: 'warning',
  message: 'The title is longer than 110 characters, ends with a period or starts with "Detect".',
  docs: 'A title names what the rule finds, as alert lists show it: at most 110 characters, no final period, and not "Detects …" (every rule detects).',
  fix: 'removes the final period of the title',
  run(ctx) {
    const node = get(ctx.root, 'title')?.value;
    if (node?.kind !== 'scalar' || typeof node.value !== 'string') return;
    const span = { start: node.pos, end: node.end };
    const title = node.value;
    if (title.length > MAX_TITLE) ctx.report(`the title is ${title.length} characters; keep it within ${MAX_TITLE}`, span);
    if (/\.\s*$/.test(title) && !/\.\.\.\s*$/.test(title)) {
      const fixed = title.replace(/\.\s*$/, '');
      ctx.report('the title ends with a period', span, { description: 'remove the final period', edits: [replaceScalar(ctx.text, node, fixed)] });
    }
    if (/^detects?\b/i.test(title)) ctx.report(`the title starts with '${title.split(' ')[0]}'; name what is found instead`, span);
  },
};
