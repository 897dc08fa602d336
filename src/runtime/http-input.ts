// The service's HTTP face: `POST /events` takes NDJSON events into a bounded queue (202 once they
// are queued, 429 with Retry-After when they do not fit: the sender slows down instead of the
// service growing), `GET /healthz` and `GET /metrics`. Also started, without `/events`, by
// `--listen` when events come from standard input.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readJsonEvents } from '../sources/json-reader.js';
import type { SourceRecord } from '../sources/types.js';

export interface HttpFaceOptions {
  host: string;
  port: number;
  /** Accept events (`POST /events`): the queue's bound in events; absent: no event input. */
  queueLimit?: number;
  /** Largest request body in bytes (413 beyond). */
  maxBody: number;
  health: () => { ok: boolean; detail: Record<string, unknown> };
  metrics: () => string;
}

export interface HttpFace {
  readonly server: Server;
  readonly port: number;
  /** The accepted events, in order of acceptance; ends once `stop()` is called and the queue is empty. */
  records(): AsyncIterable<SourceRecord>;
  readonly queued: number;
  /** Events refused because the queue was full. */
  readonly refused: number;
  /** Requests refused as unreadable (400). */
  readonly unreadable: number;
  /** Stops accepting events (503); the queue still drains. */
  stop(): void;
  close(): Promise<void>;
}

export async function startHttpFace(o: HttpFaceOptions): Promise<HttpFace> {
  const queue: SourceRecord[] = [];
  let head = 0;
  let accepted = 0;
  let refused = 0;
  let unreadable = 0;
  let stopped = false;
  let wake: (() => void) | null = null;
  const signal = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  async function postEvents(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (stopped) return reply(res, 503, { error: 'the service is shutting down' });
    const body = await readBody(req, o.maxBody);
    if (body === null) return reply(res, 413, { error: `the body is larger than ${o.maxBody} bytes` });
    const source = readJsonEvents('http', (async function* () {
      yield body;
    })());
    const events: SourceRecord[] = [];
    for await (const r of source.records()) events.push(r);
    if (source.problemCount) {
      unreadable++;
      // Nothing of a request with an unreadable record is taken: the sender fixes and resends it whole.
      return reply(res, 400, { error: 'unreadable events; nothing accepted', problems: source.problems.slice(0, 10).map((p) => ({ line: p.location.line, message: p.message })), problemCount: source.problemCount });
    }
    const length = queue.length - head;
    if (length + events.length > o.queueLimit!) {
      refused += events.length;
      res.setHeader('retry-after', '1');
      return reply(res, 429, { error: `the queue holds ${length} of ${o.queueLimit} events; retry later`, queued: length });
    }
    for (const e of events) queue.push({ event: e.event, location: { file: 'http', record: ++accepted } });
    signal();
    reply(res, 202, { accepted: events.length });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      const h = o.health();
      return reply(res, h.ok ? 200 : 503, { status: h.ok ? 'ok' : 'unhealthy', ...h.detail });
    }
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      return void res.end(o.metrics());
    }
    if (path === '/events' && o.queueLimit !== undefined) {
      if (req.method !== 'POST') return reply(res, 405, { error: 'POST NDJSON events to /events' });
      postEvents(req, res).catch((e: Error) => reply(res, 500, { error: e.message }));
      return;
    }
    reply(res, 404, { error: `no such endpoint; try ${o.queueLimit !== undefined ? 'POST /events, ' : ''}GET /healthz, GET /metrics` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;

  return {
    server,
    port,
    get queued() {
      return queue.length - head;
    },
    get refused() {
      return refused;
    },
    get unreadable() {
      return unreadable;
    },
    async *records() {
      for (;;) {
        while (head < queue.length) {
          const r = queue[head]!;
          queue[head++] = undefined as never;
          // Compact now and then so the array does not grow with everything ever accepted.
          if (head > 4096 && head * 2 > queue.length) {
            queue.splice(0, head);
            head = 0;
          }
          yield r;
        }
        if (stopped) return;
        await new Promise<void>((r) => (wake = r));
      }
    },
    stop() {
      stopped = true;
      signal();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body) + '\n');
}

/** The whole body, or null when it is longer than `max` bytes. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Past the limit the rest is read and thrown away, so the client still gets its 413.
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on('end', () => resolve(size > max ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
