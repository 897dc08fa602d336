// A throw-away PostgreSQL cluster for the tests, from Debian's postgresql package
// (/usr/lib/postgresql/<major>/bin): initdb into a temporary folder owned by the postgres user when
// the tests run as root (initdb refuses to run as root), a server that listens on a unix socket in that folder only (no
// TCP), queries through psql (no npm client is installed), and the folder removed at the end.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PG_LIB = '/usr/lib/postgresql';

/** The newest installed server's bin folder, or null. */
export function postgresBin(): string | null {
  if (!existsSync(PG_LIB)) return null;
  const majors = readdirSync(PG_LIB).filter((v) => existsSync(join(PG_LIB, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return majors.length ? join(PG_LIB, majors[0]!, 'bin') : null;
}

function run(cmd: string, args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export class PgCluster {
  private constructor(
    readonly dir: string,
    readonly bin: string,
    readonly port: number,
  ) {}

  /** initdb (UTF-8, C.UTF-8 so that lower() and ~* fold non-ASCII letters) and start; throws with the server's log on failure. */
  static start(): PgCluster {
    const bin = postgresBin();
    if (!bin) throw new Error(`no PostgreSQL server under ${PG_LIB} (Debian: apt-get install -y postgresql)`);
    const dir = mkdtempSync(join(tmpdir(), 'quarry-pg-'));
    // As root (CI, this machine) the server runs as the postgres user, who must own the folder;
    // as anyone else it runs as that user.
    const root = process.getuid?.() === 0;
    if (root) {
      const uid = run('id', ['-u', 'postgres']);
      const gid = run('id', ['-g', 'postgres']);
      if (uid.status !== 0) throw new Error('no postgres user (Debian creates it with the postgresql package)');
      chownSync(dir, Number(uid.stdout.trim()), Number(gid.stdout.trim()));
    }
    // The socket's name holds the port; with no TCP listener any port is free inside our own folder.
    const port = 40000 + (process.pid % 20000);
    const asPg = (cmd: string, args: string[]) => (root ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args));
    const init = asPg('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    const opts = `-c listen_addresses='' -k ${dir} -p ${port} -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
    const start = asPg('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'server.log'), '-o', opts, '-w', 'start']);
    if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr}${start.stdout}`);
    return new PgCluster(dir, bin, port);
  }

  /** Runs a script through psql: unaligned, tuples only; `stopOnError` makes the first error end it (status 3). */
  psql(script: string, stopOnError = true): { status: number | null; stdout: string; stderr: string } {
    return run('psql', ['-X', '-q', '-A', '-t', '-v', `ON_ERROR_STOP=${stopOnError ? 1 : 0}`, '-h', this.dir, '-p', String(this.port), '-U', 'postgres', '-d', 'postgres'], script);
  }

  stop(): void {
    const args = ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop'];
    if (process.getuid?.() === 0) run('runuser', ['-u', 'postgres', '--', join(this.bin, 'pg_ctl'), ...args]);
    else run(join(this.bin, 'pg_ctl'), args);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
