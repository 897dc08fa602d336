// A mixed folder of inputs for hunts compared path against path (parallel-hunt):
// the bundled sample logs (JSON), three EVTX samples (Security, a wmiexec run, BITS) and the Zeek
// proxy logs (JSON and TSV), copied into a new temporary folder that the caller removes.
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const DATA = path.resolve('../shared/data');
const EVTX = path.join(DATA, 'evtx');

export function makeMixedFolder(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  for (const f of readdirSync('examples/logs')) copyFileSync(path.join('examples/logs', f), path.join(dir, f));
  for (const f of ['evtx-crate/security.evtx', 'windows/mdec-security-wmiexec-1023-events.evtx', 'bits/mdec-bits-job-created-eid3-4-59-60-310.evtx']) copyFileSync(path.join(EVTX, f), path.join(dir, path.basename(f)));
  for (const f of readdirSync(path.join(DATA, 'proxy'))) copyFileSync(path.join(DATA, 'proxy', f), path.join(dir, f));
  return dir;
}
