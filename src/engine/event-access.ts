// Reading fields of an event the way Sigma expects: exact names first, then dotted paths into
// nested JSON, then the name compared case-insensitively and without spaces (the specification
// tells rule authors to strip spaces: Defender's `Source Name` is `SourceName` in rules).

export type EventObject = Record<string, unknown>;

/** Per-event state shared by all rules evaluated on that event. */
export class EventView {
  private lowerKeys: Map<string, string> | undefined;
  private lowered = new Map<string, string>();
  private allValues: unknown[] | undefined;

  constructor(readonly event: EventObject) {}

  get(name: string): unknown {
    const ev = this.event;
    // Own properties only: a rule field named `constructor` or `__proto__` must not read Object's.
    if (Object.prototype.hasOwnProperty.call(ev, name)) return ev[name];
    if (name.includes('.')) {
      const nested = getPath(ev, name.split('.'));
      if (nested !== undefined) return nested;
    }
    if (!this.lowerKeys) {
      this.lowerKeys = new Map();
      for (const k of Object.keys(ev)) {
        const l = normalizeName(k);
        if (!this.lowerKeys.has(l)) this.lowerKeys.set(l, k);
      }
    }
    const key = this.lowerKeys.get(normalizeName(name));
    return key === undefined ? undefined : ev[key];
  }

  has(name: string): boolean {
    return this.get(name) !== undefined || Object.prototype.hasOwnProperty.call(this.event, name);
  }


  /** Lower-cased text, cached per event because many rules test the same fields. */
  lower(s: string): string {
    let l = this.lowered.get(s);
    if (l === undefined) {
      l = s.toLowerCase();
      this.lowered.set(s, l);
    }
    return l;
  }

  /** Every scalar value in the event (recursively), for keyword searches. */
  values(): unknown[] {
    if (!this.allValues) {
      const out: unknown[] = [];
      collect(this.event, out, 0);
      this.allValues = out;
    }
    return this.allValues;
  }
}

// Field names repeat endlessly (every rule, every event): normalise each once.
const normalized = new Map<string, string>();
export function normalizeName(name: string): string {
  let n = normalized.get(name);
  if (n === undefined) {
    n = name.replace(/\s+/g, '').toLowerCase();
    if (normalized.size < 100_000) normalized.set(name, n);
  }
  return n;
}

function getPath(obj: unknown, path: string[], from = 0): unknown {
  let cur: unknown = obj;
  for (let i = from; i < path.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      // An array on the way matches through any element: collect the continuations.
      const found = cur.map((el) => getPath(el, path, i)).filter((v) => v !== undefined);
      return found.length ? found.flat() : undefined;
    }
    if (!Object.prototype.hasOwnProperty.call(cur, path[i]!)) return undefined;
    cur = (cur as EventObject)[path[i]!];
  }
  return cur;
}

function collect(v: unknown, out: unknown[], depth: number): void {
  if (depth > 32) return;
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) for (const x of v) collect(x, out, depth + 1);
  else if (typeof v === 'object') for (const x of Object.values(v as EventObject)) collect(x, out, depth + 1);
  else out.push(v);
}

/** The text form Sigma compares strings against; null for values that have none. */
export function textOf(v: unknown): string | null {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return null;
  }
}

const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

/** The numeric value of a number or a decimal numeric string; NaN otherwise. */
export function numberOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return NaN;
}

/** Date parts for the time modifiers; accepts ISO 8601 and 'YYYY-MM-DD HH:MM:SS(.fff)' (as UTC). */
export function datePart(v: unknown, part: 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year'): number {
  let d: Date;
  if (typeof v === 'number') d = new Date(v > 1e12 ? v : v * 1000);
  else if (typeof v === 'string') {
    const s = /^\d{4}-\d{2}-\d{2} \d/.test(v) ? v.replace(' ', 'T') : v;
    d = new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(s) || !s.includes('T') ? s : s + 'Z');
  } else return NaN;
  if (Number.isNaN(d.getTime())) return NaN;
  switch (part) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'year':
      return d.getUTCFullYear();
    case 'week': {
      // ISO 8601 week number.
      const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      const day = t.getUTCDay() || 7;
      t.setUTCDate(t.getUTCDate() + 4 - day);
      const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
      return Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
    }
  }
}
