// PostgreSQL's own parser (libpg-query: the server's grammar compiled to WASM) on a rendered query.
// The package is a development dependency: where it is not installed the check says so instead of
// passing. Loaded once with top-level await, so the validator itself is synchronous like the others.
import type { QueryCheck } from '../common/types.js';

interface PgQuery {
  parseSync(query: string): unknown;
}

async function load(): Promise<PgQuery | null> {
  try {
    const m = (await import('libpg-query')) as unknown as PgQuery & { loadModule(): Promise<void> };
    await m.loadModule();
    return m;
  } catch {
    return null;
  }
}

const parser = await load();

export const POSTGRES_VALIDATOR = 'libpg-query (the PostgreSQL parser)';

export function validatePostgres(query: string): QueryCheck {
  if (!parser) return { validator: POSTGRES_VALIDATOR, ok: false, problems: ['libpg-query is not installed (a development dependency of Quarry)'] };
  try {
    parser.parseSync(query);
    return { validator: POSTGRES_VALIDATOR, ok: true, problems: [] };
  } catch (e) {
    const details = (e as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const at = details?.cursorPosition !== undefined ? ` at ${details.cursorPosition}` : '';
    return { validator: POSTGRES_VALIDATOR, ok: false, problems: [`${(e as Error).message}${at}`] };
  }
}
