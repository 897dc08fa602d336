// The built front end (dist/web): its files with their types, `index.html` for any other non-API
// path so that deep links work, and a plain 503 page while the front end is not built.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { send } from './http.js';
import { PathRefused, resolveInside } from './paths.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

export const NOT_BUILT = `The Quarry explorer's front end is not built yet (no index.html in %DIR%).
Build it with the project's web build (Vite: web/ -> dist/web/), then reload this page.
The HTTP API under /api/ works already.
`;

/**
 * Serves `pathname` (as received, percent-encoded) from `webRoot`; a path that leaves it is refused
 * (403). HTML pages go through `page` (the server puts its per-launch token in them).
 */
export function serveStatic(res: ServerResponse, webRoot: string, pathname: string, page: (html: string) => string = (h) => h): void {
  let file: string;
  try {
    file = resolveInside(webRoot, pathname, { decode: true });
  } catch (e) {
    if (!(e instanceof PathRefused)) throw e;
    send(res, 403, JSON.stringify({ error: `refused: ${e.message}` }), 'application/json; charset=utf-8');
    return;
  }
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    isFile = false;
  }
  const index = join(webRoot, 'index.html');
  if (!isFile) {
    // A missing asset is a 404; any other path is a page of the app (deep link): index.html.
    if (extname(pathname) && !pathname.endsWith('.html')) {
      send(res, 404, JSON.stringify({ error: `no such file: ${pathname}` }), 'application/json; charset=utf-8');
      return;
    }
    if (!existsSync(index)) {
      send(res, 503, NOT_BUILT.replace('%DIR%', webRoot), 'text/plain; charset=utf-8');
      return;
    }
    file = index;
  }
  const ext = extname(file).toLowerCase();
  const body = ext === '.html' ? page(readFileSync(file, 'utf8')) : readFileSync(file);
  const type = TYPES[ext] ?? 'application/octet-stream';
  // Vite's hashed assets never change; pages hold the launch's token and are never stored.
  const cache = file.includes(`${join(webRoot, 'assets')}`) ? 'public, max-age=31536000, immutable' : ext === '.html' ? 'no-store' : 'no-cache';
  // For HEAD, Node sends the headers only.
  send(res, 200, body, type, { 'Cache-Control': cache });
}
