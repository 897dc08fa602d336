// Paths of what ships with Quarry: example rules and sample logs used when no arguments are given.
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** Relative to the working directory when inside it, so banners and outputs stay short. */
export const shown = (p: string): string => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};
export const BUNDLED_RULES = shown(`${root}examples/rules`);
export const BUNDLED_LOGS = shown(`${root}examples/logs`);
