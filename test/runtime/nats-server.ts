// A throw-away NATS server with JetStream for the tests, from Debian's nats-server package: on
// 127.0.0.1, a free port, its store in a temporary folder; stopped (and restarted on the same port
// and store, for the broker-restart tests) by its pid.
import { after } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, jetstream, DeliverPolicy } from '@nats-io/jetstream';
import { NATS_SERVER } from '../services.js';
import { openNatsBroker } from '../../src/runtime/nats/nats-broker.js';
import { partitionStatus } from '../../src/runtime/topology/correlate-stage.js';

export class NatsServer {
  private proc: ChildProcess | null = null;
  log = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<NatsServer> {
    const s = await NatsServer.reserve();
    await s.launch();
    return s;
  }

  /** A port and a store, and no server on them yet (`launch` starts it): a broker that comes up late. */
  static async reserve(): Promise<NatsServer> {
    return new NatsServer(mkdtempSync(join(tmpdir(), 'quarry-nats-')), await freePort());
  }

  /** A stream of someone else's on the running server (tests of settings the broker refuses). */
  async addStream(name: string, subjects: string[]): Promise<void> {
    const nc = await connect({ servers: this.server });
    try {
      await (await jetstreamManager(nc)).streams.add({ name, subjects });
    } finally {
      await nc.close();
    }
  }

  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  url(name: string): string {
    return `nats://${this.server}/${name}`;
  }

  /** Starts the server (with JetStream unless told otherwise: a server whose JetStream is not up answers its API with "no responders"). */
  async launch(o: { jetstream?: boolean } = {}): Promise<void> {
    const js = o.jetstream === false ? [] : ['-js', '-sd', join(this.dir, 'store')];
    const proc = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(this.port), ...js], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    // An exit nobody asked for is written into the log, which a failing test prints (whyGone).
    proc.on('exit', (code, signal) => {
      if (this.proc === proc) this.log += `\n[nats-server exited unasked: code ${code}, signal ${signal}]\n`;
    });
    await new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer) => {
        this.log += b.toString();
        if (this.log.includes('Server is ready')) resolve();
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`nats-server exited (${code}) before it was ready:\n${this.log}`)));
      setTimeout(() => reject(new Error(`nats-server not ready in 15 s:\n${this.log}`)), 15_000).unref();
    });
  }

  /** Stops the server by its pid (SIGTERM: it flushes its store) and waits for it to exit. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    this.proc = null;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }

  /** When the server stopped without being asked to, its last log lines; '' while it runs or was stopped. */
  whyGone(): string {
    const p = this.proc;
    return p && (p.exitCode !== null || p.signalCode !== null) ? `\nnats-server is gone; its log ends:\n${this.log.slice(-3000)}` : '';
  }

  /** Freezes the server by its pid (SIGSTOP): a broker that holds connections open and answers nothing. */
  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  /** Wakes a paused server (SIGCONT). */
  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  /** Same port, same store: what a restarted broker has. */
  async restart(o: { jetstream?: boolean } = {}): Promise<void> {
    await this.stop();
    this.log = '';
    await this.launch(o);
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
/**
 * Reserves servers (NatsServer.reserve) for one test file and removes every one of them after it:
 * the file's tests start, stop and restart them as they need.
 */
export function serverReservations(): () => Promise<NatsServer> {
  const servers: NatsServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.remove()));
  });
  return async () => {
    const s = await NatsServer.reserve();
    servers.push(s);
    return s;
  };
}

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

/** How far each partition got (its snapshot's last end of input), through the product's own adapter. */
export async function partitionEnds(server: string, stream: string): Promise<number[]> {
  const topo = await openNatsBroker({ input: { server, name: stream }, dedupeWindowMs: 600_000, maxInFlight: 1, ackWaitMs: 30_000, log: () => undefined, name: 'quarry-test-status', inspect: true, startTimeoutMs: 5000 });
  try {
    return (await partitionStatus(topo.broker, topo.config.partitions)).map((s) => s.ended);
  } finally {
    await topo.broker.close();
  }
}
