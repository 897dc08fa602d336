// Lucene query checks with the `lucene` package's query_string parser: a query it cannot parse
// is a problem with its line and column.
import lucene from 'lucene';
import type { QueryCheck } from '../../common/types.js';

export function validateLucene(query: string): QueryCheck {
  const validator = 'lucene package (query_string parser)';
  try {
    lucene.parse(query);
    return { validator, ok: true, problems: [] };
  } catch (e) {
    const err = e as { message?: string; location?: { start?: { line: number; column: number } } };
    const where = err.location?.start ? `line ${err.location.start.line}, column ${err.location.start.column}` : 'somewhere';
    return { validator, ok: false, problems: [`${where}: ${err.message ?? String(e)}`] };
  }
}
