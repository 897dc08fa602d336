// The explorer's HTTP server: node:http, requests checked (Host, Origin), /api/ to the routes,
// everything else to the built front end. Every error is a JSON answer; nothing crashes the server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HttpError, sendJson } from './http.js';
import { handleApi, type ApiContext } from './routes.js';
import { serveStatic } from './static.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

function hostName(header: string): string {
  return header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.replace(/:\d+$/, '');
}

export function createExplorerServer(ctx: ApiContext, opts: { webRoot: string; host: string; log?: (line: string) => void }): Server {
  const loopbackOnly = isLoopback(opts.host);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const hostHeader = String(req.headers.host ?? '');
    // Bound to loopback, only loopback names may reach us: a web page cannot use DNS rebinding to read the API.
    if (loopbackOnly && !isLoopback(hostName(hostHeader))) throw new HttpError(421, `requests must name this machine's loopback address, not '${hostHeader}'`);
    const method = req.method ?? 'GET';
    const origin = req.headers.origin;
    if (method !== 'GET' && method !== 'HEAD' && origin !== undefined && origin !== `http://${hostHeader}`) throw new HttpError(403, `cross-origin ${method} refused (Origin ${origin})`);
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
    serveStatic(res, opts.webRoot, pathname);
  };
  const server = createServer((req, res) => {
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
  return server;
}
