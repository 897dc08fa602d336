// The `tldts` package (the Public Suffix List), loaded on first use rather than at start: only rules
// that read derived host fields need it, and it cost every command about 15 ms to load. In Node it
// is required on first use; the explorer's browser bundle provides its own copy
// (web/src/playground-worker.ts). sigma/yaml-package.ts does the same for `yaml`.
import type * as Tldts from 'tldts';

let tldts: typeof Tldts | undefined;

/** Gives the package where it cannot be required (the browser bundle imports it itself). */
export function provideTldtsPackage(pkg: typeof Tldts): void {
  tldts = pkg;
}

type GetBuiltinModule = (id: 'node:module') => { createRequire(from: string): (id: string) => unknown };

/** The `tldts` package, loaded now if it was not yet. */
export function tldtsPackage(): typeof Tldts {
  if (tldts) return tldts;
  const builtin = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } }).process?.getBuiltinModule;
  if (!builtin) throw new Error('the tldts package was not provided to this bundle (provideTldtsPackage)');
  return (tldts = builtin('node:module').createRequire(import.meta.url)('tldts') as typeof Tldts);
}
