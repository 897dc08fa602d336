// JSON text for events that may hold bigint values (64-bit integers kept exact): they are written
// as JSON numbers with all their digits, which JSON.stringify alone refuses to do.

// A per-process random marker, so that no log content can forge a number in the output.
const MARK = `bigint${Math.random().toString(36).slice(2)}:`;
const TOKEN = new RegExp(`"${MARK}(-?\\d+)"`, 'g');

function replacer(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${MARK}${v}` : v;
}

export function stringifyExact(value: unknown): string {
  const text = JSON.stringify(value, replacer);
  return text.includes(MARK) ? text.replace(TOKEN, '$1') : text;
}
