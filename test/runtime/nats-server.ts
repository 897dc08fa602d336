// A throw-away NATS server with JetStream for the tests, from Debian's nats-server package: on
// 127.0.0.1, a free port, its store in a temporary folder; stopped (and restarted on the same port
// and store, for the broker-restart tests) by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, jetstream, DeliverPolicy } from '@nats-io/jetstream';
import { NATS_SERVER } from '../services.js';

export class NatsServer {
  private proc: ChildProcess | null = null;
  log = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<NatsServer> {
    const s = new NatsServer(mkdtempSync(join(tmpdir(), 'quarry-nats-')), await freePort());
    await s.launch();
    return s;
  }

  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  url(name: string): string {
    return `nats://${this.server}/${name}`;
  }

  private async launch(): Promise<void> {
    const proc = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', join(this.dir, 'store')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    await new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer) => {
        this.log += b.toString();
        if (this.log.includes('Server is ready')) resolve();
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`nats-server exited (${code}) before it was ready:\n${this.log}`)));
      setTimeout(() => reject(new Error(`nats-server not ready in 15 s:\n${this.log}`)), 15_000);
    });
  }

  /** Stops the server by its pid (SIGTERM: it flushes its store) and waits for it to exit. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    this.proc = null;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }

  /** Same port, same store: what a restarted broker has. */
  async restart(): Promise<void> {
    await this.stop();
    this.log = '';
    await this.launch();
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Every message stored on the subject (through the stream that captures it), as text, in order. */
export async function readSubject(server: string, subject: string): Promise<string[]> {
  const nc = await connect({ servers: server });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = await jsm.streams.find(subject).catch(() => null);
    if (!stream) return [];
    const info = await jsm.streams.info(stream);
    const total = info.state.messages;
    const out: string[] = [];
    if (!total) return out;
    const c = await jetstream(nc).consumers.get(stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
    const it = await c.consume();
    for await (const m of it) {
      out.push(m.string());
      if (m.info.pending === 0) break;
    }
    await it.close();
    return out;
  } finally {
    await nc.close();
  }
}

/** The KV bucket's partition snapshot heads' positions and ends (how far each partition got). */
export async function partitionEnds(server: string, stream: string, partitions: number): Promise<number[]> {
  const nc = await connect({ servers: server });
  try {
    const { Kvm } = await import('@nats-io/kv');
    const kv = await new Kvm(nc).open(`QUARRY_${stream}`);
    const out: number[] = [];
    for (let p = 0; p < partitions; p++) {
      const head = await kv.get(`snap.p${p}`);
      if (!head || head.operation !== 'PUT') {
        out.push(0);
        continue;
      }
      const h = head.json<{ gen: string; chunks: number }>();
      const parts: Uint8Array[] = [];
      for (let i = 0; i < h.chunks; i++) parts.push((await kv.get(`snapc.p${p}.${h.gen}.${i}`))!.value);
      const snap = JSON.parse(Buffer.concat(parts).toString('utf8')) as { ended: number };
      out.push(snap.ended);
    }
    return out;
  } finally {
    await nc.close();
  }
}
