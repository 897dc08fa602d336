// Small HTTP helpers: JSON answers with the security headers, size-limited JSON bodies, and the
// error type routes throw to answer with a status and a message.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { stringifyExact } from '../json/stringify-exact.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Every answer carries these: the page may load only its own resources, never be framed. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

export function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, stringifyExact(value), 'application/json; charset=utf-8');
}

/** A large JSON answer computed once: kept as text and gzip, sent compressed when the client accepts it. */
export interface CachedJson {
  text: string;
  gzip: Buffer;
}

export function cacheJson(value: unknown): CachedJson {
  const text = stringifyExact(value);
  return { text, gzip: gzipSync(text, { level: 6 }) };
}

export function sendCachedJson(req: IncomingMessage, res: ServerResponse, c: CachedJson): void {
  const accepts = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (accepts) send(res, 200, c.gzip, 'application/json; charset=utf-8', { 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' });
  else send(res, 200, c.text, 'application/json; charset=utf-8', { Vary: 'Accept-Encoding' });
}

export const MAX_BODY_BYTES = 256 * 1024;

/** Reads a JSON request body of at most MAX_BODY_BYTES; requires a JSON content type (no form posts from other sites). */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'the body must be JSON (Content-Type: application/json)');
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) throw new HttpError(413, `the body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `the body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new HttpError(400, `the body is not valid JSON: ${(e as Error).message}`);
  }
}
