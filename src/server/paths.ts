// Safe path resolution: the explorer reads and writes only inside the folders it was given. A
// request path is decoded once, must stay inside its base after normalisation, and the real path
// (symbolic links resolved) must too, so a link that points out of a served folder is refused.
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';

export class PathRefused extends Error {}

/** True when `target` is `base` or below it (both absolute, already normalised). */
export function isInside(base: string, target: string): boolean {
  const r = relative(base, target);
  return r === '' || (!r.startsWith('..' + sep) && r !== '..' && !isAbsolute(r));
}

/**
 * Resolves `rel` (a URL path below `base`, still percent-encoded or not) to an absolute file path
 * inside `base`, or throws PathRefused. Missing files are not an error here (the caller stats them);
 * existing ones are checked again with symbolic links resolved.
 */
export function resolveInside(base: string, rel: string, opts: { decode?: boolean } = {}): string {
  let p = rel;
  if (opts.decode) {
    try {
      p = decodeURIComponent(rel);
    } catch {
      throw new PathRefused('malformed percent-encoding');
    }
  }
  if (p.includes('\0')) throw new PathRefused('NUL in path');
  // Backslashes are separators on Windows and never legitimate in our URLs: refuse rather than guess.
  if (p.includes('\\')) throw new PathRefused('backslash in path');
  const segments = p.split('/');
  if (segments.includes('..')) throw new PathRefused("'..' in path");
  const root = realBase(base);
  const target = resolve(root, '.' + (p.startsWith('/') ? p : '/' + p));
  if (!isInside(root, target)) throw new PathRefused('outside the served folder');
  const real = realpathOfNearest(target);
  if (!isInside(root, real)) throw new PathRefused('a symbolic link that points outside the served folder');
  return real;
}

/**
 * The real path of `p`, or for a path that does not exist yet (a file about to be written), the real
 * path of its nearest existing ancestor joined with the rest: a missing file inside a symlinked
 * folder is judged by where the folder really is.
 */
function realpathOfNearest(p: string): string {
  let head = p;
  const tail: string[] = [];
  for (;;) {
    try {
      return resolve(realpathSync(head), ...tail.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return p;
      tail.push(basename(head));
      head = parent;
    }
  }
}

/** The real path of a base folder (so that comparisons see through a symlinked base). */
export function realBase(base: string): string {
  try {
    return realpathSync(resolve(base));
  } catch {
    return resolve(base);
  }
}
