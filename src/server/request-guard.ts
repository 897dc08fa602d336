// Who may talk to the explorer. Two independent checks, because a web page the analyst visits is
// the attacker we expect:
// - the Host header must be one of this server's own names (literal loopback names and addresses,
//   the --host given, with the listening port). A page on `127.evil.example` that DNS rebinding
//   points at 127.0.0.1 sends its own name as Host and is refused, so it cannot read the API.
// - a state-changing request (any method but GET and HEAD) must carry the per-launch token that
//   only the page the explorer served knows (a meta tag in index.html), and its Origin, when the
//   client sends one (browsers always do on such requests), must be the server's own. A form or a
//   script on another site knows neither.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http.js';

/** The header a state-changing request carries the token in (a custom header also forces a CORS preflight, which is never granted). */
export const TOKEN_HEADER = 'x-quarry-token';
/** The meta tag of the served page that holds the token for the front end. */
export const TOKEN_META = 'quarry-token';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** `::1` → `[::1]`: the form an address takes in a Host header. */
function hostForm(address: string): string {
  const a = address.toLowerCase();
  return isIP(a) === 6 ? `[${a}]` : a;
}

/**
 * The Host header values this server answers to: the loopback names, the host it was bound to and,
 * when bound to every interface (0.0.0.0 or ::), the addresses of this machine's interfaces. Names
 * other than `localhost` and the one given never match, so no DNS name can be rebound onto us.
 */
export function allowedHosts(boundHost: string, port: number): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  if (boundHost === '0.0.0.0' || boundHost === '::' || boundHost === '[::]') {
    // Not the wildcard itself: it is no address to name a server by (a page fetching http://0.0.0.0:PORT/ is not ours).
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) if (!i.address.includes('%')) names.add(hostForm(i.address));
  } else names.add(hostForm(boundHost.replace(/^\[|\]$/g, '')));
  const out = new Set<string>();
  for (const n of names) {
    out.add(`${n}:${port}`);
    // Without a port, a Host names port 80.
    if (port === 80) out.add(n);
  }
  return out;
}

export class RequestGuard {
  /** The per-launch secret: 24 random bytes, base64url. */
  readonly token: string;
  private allowed: Set<string> | null = null;

  constructor(
    private readonly boundHost: string,
    private readonly port: () => number,
    token = randomBytes(24).toString('base64url'),
  ) {
    this.token = token;
  }

  /** Throws 421 unless the request names this server; returns the Host header (lower case). */
  checkHost(req: IncomingMessage): string {
    const raw = req.headers.host;
    if (raw === undefined || raw === '') throw new HttpError(421, 'the request has no Host header: name this server (for example 127.0.0.1 and its port)');
    const host = raw.toLowerCase();
    this.allowed ??= allowedHosts(this.boundHost, this.port());
    if (!this.allowed.has(host)) throw new HttpError(421, `this server answers only to ${[...this.allowed].join(', ')}, not to Host '${raw}'`);
    return host;
  }

  /** Throws 403 unless a state-changing request carries the token and, if it has an Origin, ours. */
  checkStateChange(req: IncomingMessage, host: string): void {
    const origin = req.headers.origin;
    if (origin !== undefined && origin.toLowerCase() !== `http://${host}`) throw new HttpError(403, `cross-origin ${req.method} refused (Origin ${origin})`);
    const given = req.headers[TOKEN_HEADER];
    if (typeof given !== 'string' || given === '') throw new HttpError(403, `${req.method} refused: it must carry the explorer's token in the ${TOKEN_HEADER} header (the page the explorer serves has it)`);
    const a = Buffer.from(given);
    const b = Buffer.from(this.token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new HttpError(403, `${req.method} refused: the ${TOKEN_HEADER} header does not hold this launch's token (reload the page)`);
  }

  /** The served page with the token in a meta tag (the front end reads it; see web/src/api.ts). */
  withToken(html: string): string {
    const meta = `<meta name="${TOKEN_META}" content="${this.token}" />`;
    // After <head> when there is one; otherwise first (the HTML parser puts a leading meta in the head).
    return /<head>/i.test(html) ? html.replace(/<head>/i, (m) => `${m}\n    ${meta}`) : `${meta}\n${html}`;
  }
}
