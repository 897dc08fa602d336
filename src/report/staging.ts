// Results files are written under a staging name in the same folder and renamed into place when
// the hunt ends (rename within a folder is atomic), so an interrupted or failed hunt never leaves
// a half-written file where an earlier result was. A destination that is not a regular file (a
// FIFO, /dev/stdout, /dev/null) is written directly: it cannot be renamed over, and holds no
// earlier result to protect.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { huntInfoSidecar, incompletePath, type HuntInfo } from './hunt-info.js';

export interface Staging {
  /** Where to write now. */
  path: string;
  /**
   * Staging files of the same output left by hunts that no longer run (killed with SIGKILL, or a
   * machine that went down), removed when this one started: the caller says so.
   */
  swept: string[];
  /**
   * Moves the staged file into place: to the output when `info` is absent or says completed, else
   * beside it (`FILE.incomplete`). `text` results get their HuntInfo as a side-car; DuckDB keeps it
   * in its `hunt_info` table (and a stale write-ahead log of the file replaced is removed, or
   * DuckDB would replay it onto the new file).
   */
  place(info: HuntInfo | undefined, kind: 'text' | 'duckdb'): Promise<string>;
  /** Removes the staged file; the output is left as it was. */
  discard(): Promise<void>;
}

export async function stagingFor(output: string): Promise<Staging> {
  const st = await fs.stat(output).catch(() => null);
  if (st && !st.isFile()) return { path: output, swept: [], place: async () => output, discard: async () => {} };
  const staged = path.join(path.dirname(output), `.${path.basename(output)}.${process.pid}.partial`);
  return {
    path: staged,
    swept: await sweepStale(output),
    async place(info, kind) {
      const target = info && !info.completed ? incompletePath(output) : output;
      if (kind === 'duckdb') await fs.rm(`${target}.wal`, { force: true });
      const sidecar = huntInfoSidecar(target);
      if (kind === 'text' && info) {
        // side-car first, then the results: a crash between the two renames (a moment) can pair
        // the new record with the old file, never leave a half-written file
        const tmp = `${staged}.hunt.json`;
        await fs.writeFile(tmp, JSON.stringify(info, null, 2) + '\n');
        await fs.rename(tmp, sidecar);
      } else if (kind === 'text') {
        await fs.rm(sidecar, { force: true });
      }
      await fs.rename(staged, target);
      return target;
    },
    async discard() {
      await fs.rm(staged, { force: true });
      await fs.rm(`${staged}.wal`, { force: true });
    },
  };
}

/**
 * Removes the staging files (and their side-car and write-ahead log) of `output` whose process is
 * gone. A hunt that ends, fails or is interrupted by a signal cleans its own; only one killed
 * outright leaves one behind, and it holds no completion record to keep. A process id still in
 * use (another hunt writing the same file, or an unrelated process that reused the id) is left.
 */
async function sweepStale(output: string): Promise<string[]> {
  const dir = path.dirname(output);
  const prefix = `.${path.basename(output)}.`;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const swept: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.partial(?:\.hunt\.json|\.wal)?$/.exec(name.slice(prefix.length));
    if (!m || processRuns(Number(m[1]))) continue;
    const file = path.join(dir, name);
    await fs.rm(file, { force: true });
    swept.push(file);
  }
  return swept;
}

function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs under another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
