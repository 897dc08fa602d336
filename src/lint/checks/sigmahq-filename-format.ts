// SigmaHQ file names are lower-case words joined by underscores with a .yml extension: stable in
// URLs, sortable, and the same on every file system.
import { basename } from 'node:path';
import type { DocumentCheck } from '../types.js';
import { documentStart } from '../spans.js';

const FORMAT = /^[a-z0-9_]+\.yml$/;

export const sigmahqFilenameFormat: DocumentCheck = {
  id: 'sigmahq-filename-format',
  group: 'sigmahq',
  scope: 'document',
  severity: 'warning',
  message: 'The file name is not lower-case words joined by underscores ending in .yml.',
  docs: 'SigmaHQ file names use only a-z, 0-9 and _ and end in .yml, so that they are stable in links and sort the same everywhere; 3 to 120 characters.',
  run(ctx) {
    if (ctx.doc.docIndex !== 0) return;
    const name = basename(ctx.file);
    if (!FORMAT.test(name)) ctx.report(`file name '${name}' should be lower-case a-z, 0-9 and _ with a .yml extension`, documentStart(ctx.root));
    else if (name.length > 120 || name.length < 3) ctx.report(`file name '${name}' is ${name.length} characters; keep it between 3 and 120`, documentStart(ctx.root));
  },
};
