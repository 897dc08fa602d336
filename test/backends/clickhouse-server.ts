// A throw-away ClickHouse server for the tests, from Debian's clickhouse-server package (18.16: the
// package has no clickhouse-local): a config in a temporary folder (data, logs, a free TCP port on
// 127.0.0.1), queries through clickhouse-client in multi-query mode, the process (ours, by its pid)
// stopped and the folder removed at the end.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventObject } from '../../src/engine/event-access.js';
import { CLICKHOUSE } from '../../src/backends/sql/index.js';
import { tableRows } from './sql-differential.js';

const SERVER = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'];

export function clickhouseServerPath(): string | null {
  return SERVER.find((p) => existsSync(p)) ?? null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export class ClickHouseServer {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  static async start(): Promise<ClickHouseServer> {
    const bin = clickhouseServerPath();
    if (!bin) throw new Error('no clickhouse-server (Debian: apt-get install -y clickhouse-server clickhouse-client)');
    const dir = mkdtempSync(join(tmpdir(), 'quarry-ch-'));
    const port = await freePort();
    writeFileSync(
      join(dir, 'config.xml'),
      `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog></logger>
  <tcp_port>${port}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709</mark_cache_size>
</yandex>
`,
    );
    writeFileSync(
      join(dir, 'users.xml'),
      `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_query_size>1000000000</max_query_size></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`,
    );
    const child = spawn(bin, [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: 'ignore' });
    const server = new ClickHouseServer(dir, port, child);
    for (let i = 0; i < 100; i++) {
      if (server.client('SELECT 1').status === 0) return server;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    server.stop();
    throw new Error(`clickhouse-server did not start (see ${dir}/error.log)`);
  }

  /** Runs statements separated by `;` (multi-query mode); the first error ends the run. */
  client(script: string): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('clickhouse-client', ['--host', '127.0.0.1', '--port', String(this.port), '--multiquery', '--max_query_size', '1000000000'], { input: script, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    // The server needs a moment to let go of its files; the folder goes either way.
    spawnSync('sleep', ['0.5']);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Loads `events`: one Nullable(String) column per name (one all-NULL column when there is none: ClickHouse needs a column). */
export function loadScript(events: readonly EventObject[], names: readonly string[]): string {
  const cols = names.length ? names : ['_none'];
  const lines = ['DROP TABLE IF EXISTS events;', `CREATE TABLE events (${cols.map((n) => `${CLICKHOUSE.ident(n)} Nullable(String)`).join(', ')}) ENGINE = Memory;`];
  const rows = tableRows(events, cols).map((r) => `(${r.map((t) => (t === null ? 'NULL' : CLICKHOUSE.string(t))).join(', ')})`);
  for (let i = 0; i < rows.length; i += 500) lines.push(`INSERT INTO events VALUES ${rows.slice(i, i + 500).join(', ')};`);
  return lines.join('\n') + '\n';
}
