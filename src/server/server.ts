// The explorer's HTTP server: node:http, requests checked (Host for every request; token and Origin
// for state-changing ones, see request-guard.ts), /api/ to the routes, everything else to the built
// front end. Every error is a JSON answer; nothing crashes the server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError, sendJson } from './http.js';
import { handleApi, type ApiContext } from './routes.js';
import { serveStatic } from './static.js';
import { RequestGuard } from './request-guard.js';

export function createExplorerServer(ctx: ApiContext, opts: { webRoot: string; host: string; log?: (line: string) => void; token?: string }): { server: Server; guard: RequestGuard } {
  let server: Server;
  const guard = new RequestGuard(opts.host, () => (server.address() as AddressInfo).port, opts.token);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = guard.checkHost(req);
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') guard.checkStateChange(req, host);
    const raw = req.url ?? '/';
    if (!raw.startsWith('/')) throw new HttpError(400, 'the request target must be a path');
    const q = raw.indexOf('?');
    const pathname = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    if (pathname === '/api' || pathname.startsWith('/api/')) {
      const segments = pathname.slice(5).split('/').filter((s, i, a) => s !== '' || i < a.length - 1);
      return handleApi(ctx, req, res, segments, query);
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} is only allowed on /api/ routes`);
    serveStatic(res, opts.webRoot, pathname, (html) => guard.withToken(html));
  };
  server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) opts.log?.(`explorer: ${req.method} ${req.url}: ${(e as Error)?.stack ?? String(e)}\n`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (status === 413) res.setHeader('Connection', 'close');
      sendJson(res, status, { error: e instanceof Error ? e.message : String(e), status });
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"malformed request"}');
  });
  return { server, guard };
}
