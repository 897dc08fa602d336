import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Expands files and folders (recursively, `.evtx` files only, sorted) into a list of file paths. */
export async function expandEvtxInputs(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string, top: boolean): Promise<void> => {
    const st = await fs.stat(p);
    if (st.isDirectory()) {
      const entries = (await fs.readdir(p)).sort();
      for (const e of entries) await walk(path.join(p, e), false);
    } else if (top || p.toLowerCase().endsWith('.evtx')) {
      out.push(p);
    }
  };
  for (const p of paths) await walk(p, true);
  return out;
}
