// SigmaHQ writes `regression_tests_path` and the sample paths of info.yml relative to the rule
// repository's root. Quarry takes the root to be the nearest folder at or above the rule that holds
// `regression_data/` or `.git`, so a rule tree copied without git (a release archive, a CI
// checkout of one folder) still finds its data.
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

function exists(p: string, dir: boolean): boolean {
  try {
    const st = statSync(p);
    return dir ? st.isDirectory() : true;
  } catch {
    return false;
  }
}

/** The rule repository's root for a file, or null when no folder above it qualifies. */
export function repositoryRoot(file: string): string | null {
  let dir = dirname(resolve(file));
  for (;;) {
    if (exists(join(dir, 'regression_data'), true) || exists(join(dir, '.git'), false)) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}
