// startExplorer: loads the rules and hunt results, runs the demo hunt when asked, and serves the
// API and the front end. Used by `quarry explore`, the tests and the browser tests.
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { bundledAttack, type AttackData } from '../catalog/attack.js';
import { readAttackFile } from '../catalog/attack-file.js';
import { loadExplorerState, type ExplorerState } from './explorer-state.js';
import { openRuleCache } from '../sigma/rule-cache.js';
import { loadHuntFile, type HuntResults } from './hunts.js';
import { runDemoHunt } from './demo-hunt.js';
import { bundledLogPaths, bundledRulePaths } from './bundled.js';
import { apiContext, warmCatalog } from './routes.js';
import { createExplorerServer } from './server.js';
import { writeTerminal } from '../report/terminal-text.js';

export const DEFAULT_PORT = 8737;
export const DEFAULT_HOST = '127.0.0.1';
/** dist/web of this installation: dist/src/server/index.js → ../../web. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));

export interface ExplorerOptions {
  /** Rule files or folders (each a root); the bundled rules when absent. */
  rules?: string[];
  /** Hunt result files: JSONL from `quarry hunt --format jsonl`, or DuckDB from `--format duckdb`. */
  hunts?: string[];
  /** Run the demo hunt (the loaded rules over the sample logs); by default when neither rules nor hunts are given. */
  demo?: boolean;
  /** The logs of the demo hunt: the bundled sample logs by default. */
  demoLogs?: string[];
  port?: number;
  host?: string;
  /** An ATT&CK STIX bundle file (enterprise-attack.json) instead of the bundled data. */
  attackFile?: string;
  webRoot?: string;
  /** Where problems are logged (standard error by default). */
  log?: (text: string) => void;
  /**
   * Read the rules through the rule cache the environment names (sigma/rule-cache.ts: unchanged
   * files are not parsed again, so a restart over a corpus takes a fraction of a cold start); on
   * unless false (`quarry explore --no-cache`) or QUARRY_CACHE=off.
   */
  cache?: boolean;
}

export interface Explorer {
  url: string;
  port: number;
  /** This launch's secret: state-changing requests carry it in the X-Quarry-Token header (the served page has it). */
  token: string;
  state: ExplorerState;
  hunts: HuntResults[];
  /** Milliseconds: rules loaded and indexed, hunts read, demo hunt run. */
  startupMs: { rules: number; hunts: number; total: number };
  close(): Promise<void>;
}

/** An input the explorer was given cannot be used (a hunt file, an ATT&CK file): the message says which and why. */
export class ExplorerInputError extends Error {}

export function loadAttack(file: string | undefined): AttackData {
  if (!file) return bundledAttack();
  try {
    return readAttackFile(file);
  } catch (e) {
    // The message names the file and the reason (cannot read, not JSON, not a STIX bundle).
    throw new ExplorerInputError(`--attack ${(e as Error).message}`);
  }
}

export async function startExplorer(options: ExplorerOptions): Promise<Explorer> {
  const t0 = performance.now();
  // Problems quote hunt files and log content: control characters are escaped on the terminal.
  const log = options.log ?? ((s: string) => void writeTerminal(process.stderr, s));
  const attack = loadAttack(options.attackFile);
  const rulePaths = options.rules ?? bundledRulePaths();
  const state = loadExplorerState(rulePaths, attack, { cache: options.cache === false ? null : openRuleCache(rulePaths) });
  const t1 = performance.now();
  const hunts: HuntResults[] = [];
  const demo = options.demo ?? (options.rules === undefined && !options.hunts?.length);
  if (demo) {
    const demo = await runDemoHunt(state, options.demoLogs ?? bundledLogPaths(), 'demo');
    for (const p of demo.openProblems) log(`explorer: demo hunt: ${p}\n`);
    hunts.push(demo);
  }
  for (const [i, file] of (options.hunts ?? []).entries()) {
    let h: HuntResults;
    try {
      h = await loadHuntFile(state, file, `h${i + 1}`);
    } catch (e) {
      throw new ExplorerInputError(`--hunt ${file}: ${(e as Error).message} (expected JSONL from 'quarry hunt --format jsonl' or a DuckDB file from 'quarry hunt --format duckdb --output FILE')`);
    }
    if (h.problems.count) log(`explorer: ${file}: ${h.problems.count} lines are not detections (first: line ${h.problems.first[0]!.line}: ${h.problems.first[0]!.message})\n`);
    hunts.push(h);
  }
  const t2 = performance.now();
  const host = options.host ?? DEFAULT_HOST;
  const ctx = apiContext(state, hunts);
  // The catalog is the front end's first request: serialise and compress it now, not while a page waits.
  warmCatalog(ctx);
  const { server, guard } = createExplorerServer(ctx, { webRoot: options.webRoot ?? DEFAULT_WEB_ROOT, host, log });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    token: guard.token,
    state,
    hunts,
    startupMs: { rules: t1 - t0, hunts: t2 - t1, total: performance.now() - t0 },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export type { ExplorerState } from './explorer-state.js';
export type { HuntResults } from './hunts.js';
