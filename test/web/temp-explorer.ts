// An explorer over rules copied into a fresh temporary folder, for browser tests that tune rules
// (the explorer writes its filter files next to them): the folder is removed and the explorer closed
// however the test ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExplorer, type Explorer, type ExplorerOptions } from '../../src/server/index.js';

export async function withTempExplorer(prepare: (dir: string) => ExplorerOptions, run: (explorer: Explorer, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-explore-'));
  try {
    const explorer = await startExplorer({ port: 0, ...prepare(dir) });
    try {
      await run(explorer, dir);
    } finally {
      await explorer.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
