// Splitting a request target as logged into the parts Sigma's proxy taxonomy names. This is text
// surgery only, never normalisation: the host keeps its case, port and trailing dot exactly as the
// log wrote them (normalising hosts is src/enrich's job), so rules see what the client sent.

export interface UrlParts {
  /** `host[:port]` as a Host header carries it (user info dropped); absent for origin-form targets. */
  authority?: string;
  /** The path, from the first `/` up to `?` or `#` ('' for CONNECT targets and bare authorities). */
  path: string;
  /** After `?`, without it; absent when there is no `?`. */
  query?: string;
  /** The last path segment's extension, without the dot; absent when the segment has none. */
  extension?: string;
}

/**
 * Request targets in any of HTTP's forms: absolute (`http://h:8080/p?q`), origin (`/p?q`), or
 * authority (`h:443`, CONNECT). Scheme-relative `//h/p` counts as absolute.
 */
export function urlParts(target: string): UrlParts {
  let rest = target;
  let authority: string | undefined;
  const scheme = schemeEnd(target);
  if (scheme > 0 || target.startsWith('//')) {
    const start = scheme > 0 ? scheme + 3 : 2;
    let end = start;
    while (end < target.length) {
      const c = target.charCodeAt(end);
      if (c === 47 || c === 63 || c === 35) break; // / ? #
      end++;
    }
    authority = withoutUserinfo(target.slice(start, end));
    rest = target.slice(end);
  } else if (!target.startsWith('/') && target !== '*' && /^[^\s/?#]+:\d+$/.test(target)) {
    return { authority: target, path: '' }; // CONNECT host:port
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const path = q >= 0 ? rest.slice(0, q) : rest;
  const out: UrlParts = { path };
  if (authority !== undefined) out.authority = authority;
  if (q >= 0) out.query = rest.slice(q + 1);
  const ext = extensionOf(path);
  if (ext !== undefined) out.extension = ext;
  return out;
}

/** `exe` for `/a/b/setup.exe`; undefined for `/a/b/`, `/a.d/b`, `/a/.profile` ('' before the dot). */
export function extensionOf(path: string): string | undefined {
  const slash = path.lastIndexOf('/');
  const seg = path.slice(slash + 1);
  const dot = seg.lastIndexOf('.');
  if (dot <= 0 || dot === seg.length - 1) return undefined;
  return seg.slice(dot + 1);
}

/** Index of `://` after a valid scheme (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )), or -1. */
function schemeEnd(s: string): number {
  const i = s.indexOf('://');
  if (i <= 0 || i > 32) return -1;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*$/.test(s.slice(0, i))) return -1;
  return i;
}

function withoutUserinfo(auth: string): string {
  const at = auth.lastIndexOf('@');
  return at >= 0 ? auth.slice(at + 1) : auth;
}
