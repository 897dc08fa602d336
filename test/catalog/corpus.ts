// The whole SigmaHQ corpus as catalog entries, loaded once per test file that needs it.
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { DATA } from '../helpers.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { bundledAttack } from '../../src/catalog/attack.js';
import { catalogEntry, uniqueKeys, type CatalogEntry } from '../../src/catalog/entry.js';

export const SIGMAHQ = join(DATA, 'sigmahq');
export const RULE_FOLDERS = readdirSync(SIGMAHQ).filter((f) => f.startsWith('rules')).sort();

let cached: { entries: CatalogEntry[]; rejected: number } | undefined;

export function corpusEntries(): { entries: CatalogEntry[]; rejected: number } {
  if (cached) return cached;
  const entries: CatalogEntry[] = [];
  let rejected = 0;
  for (const folder of RULE_FOLDERS) {
    const dir = join(SIGMAHQ, folder);
    const col = loadSigmaPaths([dir]);
    rejected += col.rejected.length;
    for (const d of [...col.rules, ...col.correlations, ...col.filters]) entries.push(catalogEntry(d, { label: folder, dir }, bundledAttack()));
  }
  uniqueKeys(entries);
  cached = { entries, rejected };
  return cached;
}
