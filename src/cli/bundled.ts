// Paths of what ships with Quarry: example rules and sample logs used when no arguments are given.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
export const BUNDLED_RULES = `${root}examples/rules`;
export const BUNDLED_LOGS = `${root}examples/logs`;
