// Pieces more than one dialect uses.
import { ConversionError } from '../../common/types.js';

/**
 * The engine's numeric text (event-access.ts NUMERIC), checked before a cast because the SQL casts
 * accept other forms (`1_000`, `inf`, `NaN`) or fail on text that is no number.
 */
export const ENGINE_NUMERIC_RE = '^\\s*[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?\\s*$';

/**
 * An ISO 8601 date and time with fields in range (offset or `Z` optional), checked before a time is
 * read so that a log value can neither fail the query nor be read as a time the engine would not
 * read (ClickHouse's best-effort parser reads `junk` as a date in 2000). PostgreSQL's ARE and RE2 read it alike.
 */
export const ISO_TIME_RE = '^\\s*\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])[T ]([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d{1,9})?)?(Z|[+-]([01]\\d|2[0-3])(:?[0-5]\\d)?)?\\s*$';

/** A NUL cannot be written in a SQL string literal (nor stored in PostgreSQL text). */
export function noNul(text: string): string {
  if (text.includes('\0')) throw new ConversionError('binary-value', 'a value containing a NUL character cannot be written as a SQL string literal');
  return text;
}

/** One IPv4 octet as the engine reads it (sigma/cidr.ts): 1 to 3 digits, leading zeros allowed, at most 255. */
const OCTET = '([01]?[0-9]?[0-9]|2[0-4][0-9]|25[0-5])';
/**
 * An IPv4 address the engine accepts after trimming, optionally IPv4-mapped (`::ffff:a.b.c.d`,
 * which the engine puts inside IPv4 networks); the four octets are groups 2 to 5.
 */
export const IPV4_TEXT_RE = `^[ \\t\\n\\r\\f\\v]*(::[fF][fF][fF][fF]:)?${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}[ \\t\\n\\r\\f\\v]*$`;
