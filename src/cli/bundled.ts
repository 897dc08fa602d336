// Paths of what ships with Quarry: example rules and sample logs used when no arguments are given.
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { bundledLogPaths, bundledRulePaths } from '../server/bundled.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** Relative to the working directory when inside it, so banners and outputs stay short. */
export const shown = (p: string): string => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};
/** The explorer's demo rules and logs (server/bundled.ts), as `quarry hunt` without arguments runs them. */
export const BUNDLED_RULES = bundledRulePaths().map(shown);
export const BUNDLED_LOGS = bundledLogPaths().map(shown);
