// The `yaml` package, loaded the first time a file must really be parsed. A run whose rules all come
// from the rule cache and whose pipelines are read by the fast reader (yaml-fast.ts) never needs it,
// and loading it costs tens of milliseconds of every command's start.
import { createRequire } from 'node:module';

type YamlModule = typeof import('yaml');

let lib: YamlModule | undefined;

export function yamlLib(): YamlModule {
  return (lib ??= createRequire(import.meta.url)('yaml') as YamlModule);
}
