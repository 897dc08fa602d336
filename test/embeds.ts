// Embedded data (written by build/embed-data.mjs) checked against its source files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The record holds exactly the folder's `*.yml` files, by name without `.yml`, with their text. */
export function assertEmbedsFolder(record: Readonly<Record<string, string>>, dir: string): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml')).sort();
  assert.deepEqual(Object.keys(record).sort(), files.map((f) => f.replace(/\.yml$/, '')).sort());
  for (const f of files) assert.equal(record[f.replace(/\.yml$/, '')], readFileSync(join(dir, f), 'utf8'), f);
}
