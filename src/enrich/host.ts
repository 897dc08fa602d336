// Finding the host in the many ways logs write one: a full URL, a Host header (`host:port`), a
// bare name, a bracketed IPv6 address, a UNC path (`\\server\share`). The result is normalised:
// lower case, IDNA (punycode) form, no port, no trailing dot.

export interface HostInfo {
  host: string;
  port?: number;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** What the URL parser would read as something other than a host: user info, port, path, spaces, controls. */
const NOT_A_HOST = /[@:/?#\\\x00-\x20\x7f]/;

/**
 * A host name in its ASCII (IDNA/punycode, lower-case) form, '' when it is not a valid host: the
 * WHATWG host parser, which Node's `url.domainToASCII` also runs, reached through `URL` so that the
 * same code runs in the browser.
 */
function domainToASCII(domain: string): string {
  if (NOT_A_HOST.test(domain)) return '';
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return '';
  }
}
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function extractHost(value: string): HostInfo | null {
  const v = value.trim();
  if (!v) return null;
  if (v.startsWith('\\\\')) return normalize(v.slice(2).split(/[\\/]/)[0] ?? '');
  if (SCHEME.test(v)) {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      return fromAuthority(v.replace(SCHEME, '').split(/[/?#]/)[0] ?? '');
    }
    if (!url.hostname) return null;
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const n = normalize(host);
    return n && url.port ? { ...n, port: Number(url.port) } : n;
  }
  // A Windows or Unix path is not a host.
  if (/^[a-z]:[\\/]/i.test(v) || v.startsWith('/')) return null;
  return fromAuthority(v.split(/[/?#]/)[0] ?? '');
}

/** `host`, `host:port`, `[v6]:port`, `user@host` — what a Host header or cs-host carries. */
function fromAuthority(authority: string): HostInfo | null {
  let a = authority.slice(authority.lastIndexOf('@') + 1);
  let port: number | undefined;
  if (a.startsWith('[')) {
    const end = a.indexOf(']');
    if (end < 0) return null;
    const rest = a.slice(end + 1);
    if (rest.startsWith(':') && /^\d+$/.test(rest.slice(1))) port = Number(rest.slice(1));
    a = a.slice(1, end);
  } else if ((a.match(/:/g) ?? []).length === 1) {
    const [h, p] = a.split(':') as [string, string];
    if (/^\d*$/.test(p)) {
      a = h;
      if (p) port = Number(p);
    }
  }
  const n = normalize(a);
  return n && port !== undefined ? { ...n, port } : n;
}

function normalize(raw: string): HostInfo | null {
  let h = raw.trim().toLowerCase().replace(/\.+$/, '');
  if (!h || /\s/.test(h)) return null;
  if (h.includes(':')) return { host: h }; // IPv6 literal
  if (!IPV4.test(h)) {
    const ascii = domainToASCII(h);
    if (!ascii) return null;
    h = ascii;
  }
  return { host: h };
}
