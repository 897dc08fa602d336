// Reading fields of an event the way Sigma expects: exact names first, then dotted paths into
// nested JSON, then the name compared case-insensitively and without spaces (the specification
// tells rule authors to strip spaces: Defender's `Source Name` is `SourceName` in rules).

export type EventObject = Record<string, unknown>;

/** Per-event state shared by all rules evaluated on that event. */
export class EventView {
  private keyShape: KeyShape | undefined;
  private lowered: Map<string, string> | undefined;
  private allValues: unknown[] | undefined;
  /** Whether the event inherits from Object.prototype or nothing (parsed JSON, our readers' objects): see `get`. */
  private readonly ordinary: boolean;

  constructor(readonly event: EventObject) {
    const proto: unknown = Object.getPrototypeOf(event);
    this.ordinary = proto === Object.prototype || proto === null;
  }

  get(name: string): unknown {
    const ev = this.event;
    // Own properties only: a rule field named `constructor` or `__proto__` must not read Object's.
    // One read answers for the common case, an own value that no inherited property of Object
    // could be (those are functions and Object.prototype itself); anything else asks again.
    const v = ev[name];
    if (v !== undefined && this.ordinary && typeof v !== 'function' && v !== Object.prototype) return v;
    if (Object.prototype.hasOwnProperty.call(ev, name)) return v;
    if (name.includes('.')) {
      const nested = getPath(ev, name.split('.'));
      if (nested !== undefined) return nested;
    }
    const key = this.shape().keyOf(normalizeName(name));
    return key === undefined ? undefined : ev[key];
  }

  /** The event's own keys and what is derived from them (see KeyShape). */
  shape(): KeyShape {
    return (this.keyShape ??= shapeOf(this.event));
  }

  has(name: string): boolean {
    return this.get(name) !== undefined || Object.prototype.hasOwnProperty.call(this.event, name);
  }

  /** Lower-cased text, cached per event because many rules test the same fields. */
  lower(s: string): string {
    const lowered = (this.lowered ??= new Map());
    let l = lowered.get(s);
    if (l === undefined) {
      l = s.toLowerCase();
      lowered.set(s, l);
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

/**
 * An event's own keys, in order, and what is worked out from them alone, once per key list:
 * events of one source have the same keys in the same order, and every event asked the same
 * questions of each key (its normalised name, the prefilter's automaton for it). The shapes of
 * the last few key lists are kept and found again by comparing keys.
 */
export class KeyShape {
  private index: Map<string, string> | undefined;
  /**
   * What other modules derive from the keys, under a key of their own (the prefilter: per scope,
   * each key's automaton). Weak: the shapes outlive any one rule set, what they derived must not.
   */
  readonly derived = new WeakMap<object, unknown>();

  constructor(readonly keys: readonly string[]) {}

  /**
   * The key of each normalised name (the first one), for fields a rule names in another case or
   * with spaces, or names the event lacks (Security 4688's `NewProcessName` beside Sysmon's
   * `Image`, `@timestamp` when the time is `TimeCreated`): most events ask for one.
   */
  keyOf(normalised: string): string | undefined {
    if (!this.index) {
      this.index = new Map();
      for (const k of this.keys) {
        const l = normalizeName(k);
        if (!this.index.has(l)) this.index.set(l, k);
      }
    }
    return this.index.get(normalised);
  }
}

/** Key lists kept at most, and the longest kept (a hostile event with a million keys is not). */
const MAX_SHAPES = 32;
const MAX_SHAPE_KEYS = 1024;
/** Most recently used last. */
const shapes: KeyShape[] = [];

function shapeOf(ev: EventObject): KeyShape {
  const keys = Object.keys(ev);
  if (keys.length > MAX_SHAPE_KEYS) return new KeyShape(keys);
  search: for (let s = shapes.length - 1; s >= 0; s--) {
    const shape = shapes[s]!;
    const known = shape.keys;
    if (known.length !== keys.length) continue;
    for (let i = 0; i < keys.length; i++) if (known[i] !== keys[i]) continue search;
    if (s !== shapes.length - 1) {
      shapes.splice(s, 1);
      shapes.push(shape);
    }
    return shape;
  }
  const shape = new KeyShape(keys);
  if (shapes.length === MAX_SHAPES) shapes.shift();
  shapes.push(shape);
  return shape;
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
