// The programs some tests need beside Node (PostgreSQL, ClickHouse, evtxexport, Chromium, nats-server), found
// in one place. A test that needs one gets `{ skip: needs(…) }`: where the program is missing it is
// skipped with the reason and the package to install, except under CI (env CI=true), where a
// missing program is a failure: CI installs them all, so an absent one means a broken CI machine,
// and a skip there would let the tests that need it pass unseen.
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { clickhouseServerPath } from './backends/clickhouse-server.js';
import { postgresBin } from './backends/postgres-cluster.js';

/** Debian's Chromium, which the browser tests drive (test/web/browser.ts). */
export const CHROMIUM = process.env.QUARRY_CHROMIUM ?? '/usr/bin/chromium';

export type Service = 'postgres' | 'clickhouse' | 'evtxexport' | 'chromium' | 'nats';

/** Debian's NATS server (package nats-server), which the scaled-out service's tests start. */
export const NATS_SERVER = process.env.QUARRY_NATS_SERVER ?? (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server');

const onPath = (cmd: string): boolean => !spawnSync(cmd, ['-h'], { stdio: 'ignore' }).error;

/** Why a service is missing (with the Debian package that brings it), or null when it is there. */
const PROBES: Record<Service, () => string | null> = {
  postgres: () => (postgresBin() ? null : 'no PostgreSQL server under /usr/lib/postgresql (apt-get install -y postgresql)'),
  clickhouse: () => (clickhouseServerPath() && onPath('clickhouse-client') ? null : 'no clickhouse-server and clickhouse-client (apt-get install -y clickhouse-server clickhouse-client)'),
  evtxexport: () => (onPath('evtxexport') ? null : 'evtxexport not on PATH (apt-get install -y libevtx-utils)'),
  chromium: () => (existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set QUARRY_CHROMIUM)`),
  nats: () => (!spawnSync(NATS_SERVER, ['--version'], { stdio: 'ignore' }).error ? null : `no nats-server (apt-get install -y nats-server, or set QUARRY_NATS_SERVER)`),
};

export const underCI = (): boolean => process.env.CI === 'true';

const known = new Map<Service, string | null>();
const reported = new Set<Service>();

/**
 * The `skip` option for a test that needs the service: false when it is there; the reason when it
 * is missing. Under CI a missing service also adds one failing test that says so (once per file).
 */
export function needs(service: Service): string | false {
  if (!known.has(service)) known.set(service, PROBES[service]());
  const missing = known.get(service)!;
  if (missing === null) return false;
  if (!underCI()) return `${missing}; skipped (with CI=true this fails)`;
  if (!reported.has(service)) {
    reported.add(service);
    test(`${service} is installed (required when CI=true)`, () => {
      throw new Error(missing);
    });
  }
  return `${missing}; the failing test '${service} is installed' reports it`;
}
