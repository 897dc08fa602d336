// A small history router: paths name the views, the query string keeps each view's state, so any
// view can be linked. Links are ordinary <a href> elements intercepted in main.tsx.
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  path: string;
  params: URLSearchParams;
}

const listeners = new Set<() => void>();

export function currentLocation(): Location {
  return { path: window.location.pathname, params: new URLSearchParams(window.location.search) };
}

export function navigate(href: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  listeners.forEach((l) => l());
}

/** Updates the query string of the current view without a new history entry (typing, filters). */
export function replaceParams(params: URLSearchParams): void {
  const q = params.toString();
  history.replaceState(null, '', `${window.location.pathname}${q ? `?${q}` : ''}`);
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(currentLocation);
  useEffect(() => {
    const update = () => setLoc(currentLocation());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return loc;
}

export const ruleHref = (key: string): string => `/rule/${encodeURIComponent(key)}`;
