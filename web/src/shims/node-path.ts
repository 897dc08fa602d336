// node:path in the browser: only joining is ever reached, for messages.
export const join = (...parts: string[]): string => parts.filter(Boolean).join('/').replace(/\/+/g, '/');
export const resolve = join;
export const basename = (p: string): string => p.split('/').pop() ?? p;
export const dirname = (p: string): string => p.split('/').slice(0, -1).join('/') || '.';
export const relative = (_from: string, to: string): string => to;
export const sep = '/';
