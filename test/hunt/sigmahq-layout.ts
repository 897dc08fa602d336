// SigmaHQ's repository layout rebuilt from the shared data, in a scratch folder and with symbolic
// links only (no copy of the data in this repository): each case's rule at its origin path under
// `rules*/` (from ../shared/data/sigmahq), and its folder of ../shared/data/sigma-regression at its
// origin path under `regression_data/`, as INDEX.tsv records them. `regression_tests_path` in the
// rules then resolves against the scratch root exactly as in a SigmaHQ checkout.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DATA } from '../helpers.js';

export const SIGMAHQ = join(DATA, 'sigmahq');
export const REGRESSION = join(DATA, 'sigma-regression');

export interface RegressionCase {
  name: string;
  rulePath: string;
  dataDir: string;
  hasEvtx: boolean;
  matchCount?: number;
}

export function regressionCases(): RegressionCase[] {
  const [, ...rows] = readFileSync(join(REGRESSION, 'INDEX.tsv'), 'utf8').trimEnd().split('\n');
  return rows.map((row) => {
    const [name, rulePath, dataDir, hasEvtx, matchCount] = row.split('\t');
    return { name: name!, rulePath: rulePath!, dataDir: dataDir!, hasEvtx: hasEvtx === 'yes', ...(matchCount ? { matchCount: Number(matchCount) } : {}) };
  });
}

/**
 * A scratch SigmaHQ root. `rules: 'cases'` links only the rules of the given cases; `'all'` links
 * SigmaHQ's whole `rules*` folders (every rule with a regression_tests_path, whether or not its
 * data is among the cases). Returns the root.
 */
export function sigmahqLayout(cases: readonly RegressionCase[], rules: 'cases' | 'all'): string {
  const root = mkdtempSync(join(tmpdir(), 'quarry-sigmahq-'));
  if (rules === 'all') {
    for (const d of readdirSync(SIGMAHQ)) if (d.startsWith('rules')) symlinkSync(join(SIGMAHQ, d), join(root, d));
  }
  for (const c of cases) {
    if (rules === 'cases') {
      mkdirSync(join(root, dirname(c.rulePath)), { recursive: true });
      symlinkSync(join(SIGMAHQ, c.rulePath), join(root, c.rulePath));
    }
    mkdirSync(join(root, dirname(c.dataDir)), { recursive: true });
    symlinkSync(join(REGRESSION, c.name), join(root, c.dataDir));
  }
  return root;
}
