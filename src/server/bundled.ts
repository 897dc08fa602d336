// What the explorer shows without arguments: the rules that ship with Quarry (the examples, the
// example correlation and the hardened rules with their allow-list filters) and a demo hunt over
// the shipped sample logs, which gives the correlation one detection.
// The same folders as src/cli/bundled.ts (the CLI layer sits above this one, so it is not imported).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export function bundledExplorerRules(): string[] {
  return [`${root}examples/rules`, `${root}examples/correlations`, `${root}rules/hardened`].filter((p) => existsSync(p));
}

export function bundledExplorerLogs(): string[] {
  return [`${root}examples/logs`].filter((p) => existsSync(p));
}
