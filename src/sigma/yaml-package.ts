// The `yaml` package, loaded on first use rather than at start: it takes about 50 ms to load and is
// needed only for a file that the fast reader (yaml-fast.ts) cannot take and the rule cache does
// not hold, and for YAML output. A warm hunt or conversion never needs it, yet every command,
// hunting thread and worker paid for it at start. In Node it is required on first use; the
// explorer's browser bundle has no `require` and provides its own copy (web/src/playground-worker.ts).
// (enrich/tldts-package.ts does the same for `tldts`: the two rooms are floors and share no module.)
import type * as Yaml from 'yaml';

let yaml: typeof Yaml | undefined;

/** Gives the package where it cannot be required (the browser bundle imports it itself). */
export function provideYamlPackage(pkg: typeof Yaml): void {
  yaml = pkg;
}

type GetBuiltinModule = (id: 'node:module') => { createRequire(from: string): (id: string) => unknown };

/** The `yaml` package, loaded now if it was not yet. */
export function yamlPackage(): typeof Yaml {
  if (yaml) return yaml;
  // process.getBuiltinModule (Node 20.16 and later) reaches `require` without importing a Node
  // built-in, which this browser-safe module may not.
  const builtin = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } }).process?.getBuiltinModule;
  if (!builtin) throw new Error('the yaml package was not provided to this bundle (provideYamlPackage)');
  return (yaml = builtin('node:module').createRequire(import.meta.url)('yaml') as typeof Yaml);
}
