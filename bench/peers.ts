// Where the peers are and whether they can run here: each lookup gives a command prefix to run, or
// the reason it cannot run with how to set it up, which the bench prints instead of a figure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from dist/bench/). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PEERS_DIR = join(REPO, 'bench/peers');
export const VENDOR = join(PEERS_DIR, 'vendor');
/** Debian's interpreter: the peers run on Debian's Python packages, which live beside it. */
export const PYTHON = '/usr/bin/python3';
const SETUP = 'run `sh bench/peers/setup.sh` (as root it installs the Debian packages it needs)';

export type Found = { ok: true; argv: string[]; cwd?: string; env?: NodeJS.ProcessEnv; version: string } | { ok: false; why: string };

/** The commits the peers were exported at (bench/peers/vendor/VERSIONS), for the output. */
export function peerVersions(): string {
  const file = join(VENDOR, 'VERSIONS');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').join(', ') : '';
}

function python(): Found | undefined {
  if (!existsSync(PYTHON)) return { ok: false, why: `${PYTHON} not found: apt-get install -y python3, then ${SETUP}` };
  return undefined;
}

/** pySigma converting to KQL with the Kusto backend and the Sentinel ASIM pipeline. */
export function findPySigma(vendor = VENDOR): Found {
  const missing = python();
  if (missing) return missing;
  if (!existsSync(join(vendor, 'site/sigma/backends/kusto'))) return { ok: false, why: `pySigma is not set up: ${SETUP}` };
  return {
    ok: true,
    argv: [PYTHON, join(PEERS_DIR, 'pysigma-convert.py')],
    env: { ...process.env, PYTHONPATH: join(vendor, 'site') },
    version: 'pySigma, Kusto backend, sentinel_asim pipeline',
  };
}

/** Zircolite with the ruleset setup.sh converted from SigmaHQ's Windows rules, reading JSON lines. */
export function findZircolite(vendor = VENDOR): Found {
  const missing = python();
  if (missing) return missing;
  const home = join(vendor, 'zircolite');
  const ruleset = join(vendor, 'zircolite-rules-windows.json');
  if (!existsSync(join(home, 'zircolite.py')) || !existsSync(ruleset)) return { ok: false, why: `Zircolite is not set up: ${SETUP}` };
  const standin = existsSync(join(vendor, 'site/orjson.py')) ? ' (orjson replaced by the standard json module: Debian 12 has no python3-orjson)' : '';
  return {
    ok: true,
    argv: [PYTHON, join(home, 'zircolite.py'), '-c', join(home, 'config/config.yaml'), '-r', ruleset, '-j', '-n', '-q', '--no-parallel'],
    cwd: home,
    env: { ...process.env, PYTHONPATH: join(vendor, 'site') },
    version: `Zircolite${standin}`,
  };
}

/** Debian's evtxexport (libevtx-utils). */
export function findEvtxexport(): Found {
  const r = spawnSync('evtxexport', ['-V'], { stdio: 'ignore' });
  if (r.error) return { ok: false, why: 'evtxexport not on PATH: apt-get install -y libevtx-utils' };
  return { ok: true, argv: ['evtxexport'], version: "Debian's evtxexport" };
}
