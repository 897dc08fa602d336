// A small HTTP client for the explorer tests: JSON requests with fetch, and raw requests through
// node:http for paths that fetch would normalise (`..`) before sending.
import { request } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export async function getJson<T = any>(base: string, path: string): Promise<{ status: number; body: T; headers: Headers }> {
  const r = await fetch(new URL(path, base));
  const text = await r.text();
  return { status: r.status, body: JSON.parse(text) as T, headers: r.headers };
}

/** A state-changing request as the front end sends it: JSON, with the explorer's per-launch token. */
export async function sendJson<T = any>(ex: { url: string; token: string }, method: string, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(new URL(path, ex.url), { method, headers: { 'Content-Type': 'application/json', 'X-Quarry-Token': ex.token }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: JSON.parse(await r.text()) as T };
}

/** Sends the request line exactly as given (no normalisation of `..` or encodings). */
export function rawGet(base: string, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<Reply> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
