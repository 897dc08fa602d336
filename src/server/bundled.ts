// What ships with Quarry and runs when no rules or logs are given: the rules (the examples, the
// example correlation and the hardened rules with their allow-list filters) and the sample logs,
// which give the correlation one detection. The one list for the explorer's demo hunt and for
// `quarry hunt` without arguments (src/cli/bundled.ts), so both hunt the same.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export function bundledRulePaths(): string[] {
  return [`${root}examples/rules`, `${root}examples/correlations`, `${root}rules/hardened`].filter((p) => existsSync(p));
}

export function bundledLogPaths(): string[] {
  return [`${root}examples/logs`].filter((p) => existsSync(p));
}
