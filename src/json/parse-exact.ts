// JSON text → a value, exact for big integers.
// JSON.parse rounds integers past 2^53; a record id, a 64-bit flag set or a Windows handle must not be
// silently changed, so texts that may hold one go through the small exact parser below instead.

/** A JSON value in which integers outside Number.MAX_SAFE_INTEGER are `bigint`, so they stay exact. */
export type ExactJson = string | number | bigint | boolean | null | ExactJson[] | { [key: string]: ExactJson };
type EventValue = ExactJson;

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} at position ${position}`);
    this.name = 'JsonSyntaxError';
  }
}

export const DEFAULT_MAX_DEPTH = 128;

/** Parse one JSON text. Throws JsonSyntaxError (or SyntaxError from JSON.parse) when malformed. */
export function parseJson(text: string, maxDepth = DEFAULT_MAX_DEPTH): EventValue {
  // JSON.parse has no depth limit, and a 100,000-deep value would overflow the stack of whatever
  // walks it later (JSON.stringify, structuredClone, a keyword search). V8's JSON.parse itself is
  // iterative, so for a short text the depth is checked on the result, in the same walk that looks
  // for unsafe integers (one pass instead of two more over the text); a long text is checked before
  // parsing, because deep arrays cost JSON.parse several times more per byte than flat ones.
  if (text.length > PRECHECK_LENGTH && mayNestDeeperThan(text, maxDepth)) throwIfTooDeep(text, maxDepth);
  let value: EventValue;
  try {
    value = JSON.parse(text) as EventValue;
  } catch (e) {
    // a text both malformed and too deep is reported as too deep, whichever check ran first
    if (mayNestDeeperThan(text, maxDepth)) throwIfTooDeep(text, maxDepth);
    throw e;
  }
  // Any integer literal beyond 2^53 comes out of JSON.parse as a double of at least 2^53, so walking
  // the result finds every text that needs the exact parser. (Cheaper than a regex over the text,
  // and no false alarms on hex strings such as Keywords "0x8000000000000000".)
  const found = scan(value, 0, maxDepth);
  if (found === TOO_DEEP) throwIfTooDeep(text, maxDepth);
  // the exact parser checks depth itself, with the same error at the same bracket
  return found === UNSAFE ? parseJsonExact(text, maxDepth) : value;
}

/** Texts longer than this have their nesting bounded from the text before JSON.parse sees them. */
const PRECHECK_LENGTH = 64 * 1024;

const FINE = 0, UNSAFE = 1, TOO_DEEP = 2;

/** What `scan` finds in a value that is not a container (one call, for a top-level scalar). */
function scanScalar(v: EventValue): number {
  return typeof v === 'number' && (v >= 9007199254740992 || v <= -9007199254740992) ? UNSAFE : FINE;
}

/**
 * Walks a parsed value found at nesting `depth` (the top-level value at 0): TOO_DEEP when some
 * container lies deeper than maxDepth (the walk never goes further, so its own stack stays bounded),
 * else UNSAFE when some number is not a safe integer's double, else FINE.
 */
function scan(v: EventValue, depth: number, maxDepth: number): number {
  if (typeof v !== 'object' || v === null) return scanScalar(v);
  return scanContainer(v, depth, maxDepth);
}

/**
 * scan of an object or array. Its members are looked at here, and only containers are walked into:
 * one call per leaf (most of an event's values are strings) was about a fifth of the walk's time.
 * The array loop and the object loop have the same body, written twice for that reason: a helper
 * per member would be that call again.
 */
function scanContainer(v: EventValue[] | { [key: string]: EventValue }, depth: number, maxDepth: number): number {
  if (depth >= maxDepth) return TOO_DEEP;
  let found = FINE;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (typeof x === 'string') continue;
      if (typeof x === 'object') {
        if (x === null) continue;
        const r = scanContainer(x, depth + 1, maxDepth);
        if (r === TOO_DEEP) return r;
        found |= r;
      } else if (typeof x === 'number' && (x >= 9007199254740992 || x <= -9007199254740992)) found = UNSAFE;
    }
    return found;
  }
  for (const k in v) {
    const x = v[k]!;
    if (typeof x === 'string') continue;
    if (typeof x === 'object') {
      if (x === null) continue;
      const r = scanContainer(x, depth + 1, maxDepth);
      if (r === TOO_DEEP) return r;
      found |= r;
    } else if (typeof x === 'number' && (x >= 9007199254740992 || x <= -9007199254740992)) found = UNSAFE;
  }
  return found;
}

function throwIfTooDeep(text: string, maxDepth: number): void {
  const at = depthExceededAt(text, maxDepth);
  if (at >= 0) throw new JsonSyntaxError(`Nesting deeper than ${maxDepth}`, at);
}

/** Cheap bound: nesting cannot exceed the number of '{' and '[' characters. */
function mayNestDeeperThan(text: string, maxDepth: number): boolean {
  let count = 0;
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) if (++count > maxDepth) return true;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) if (++count > maxDepth) return true;
  return false;
}

/** Position of the bracket that goes past maxDepth (strings skipped), or -1. */
function depthExceededAt(text: string, maxDepth: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return -1;
}

/** The exact parser on its own: unsafe integers become bigint, everything else as JSON.parse. */
export function parseJsonExact(text: string, maxDepth = DEFAULT_MAX_DEPTH): EventValue {
  const p = new ExactParser(text, maxDepth);
  p.skipWs();
  const v = p.value(0);
  p.skipWs();
  if (p.i < text.length) p.fail(`Unexpected ${describe(text, p.i)} after the JSON value`);
  return v;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class ExactParser {
  i = 0;
  constructor(readonly s: string, readonly maxDepth: number) {}

  fail(message: string, at = this.i): never {
    throw new JsonSyntaxError(message, at);
  }

  skipWs(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  value(depth: number): EventValue {
    const s = this.s;
    const c = s.charCodeAt(this.i);
    switch (c) {
      case 0x7b /* { */: return this.object(depth + 1);
      case 0x5b /* [ */: return this.array(depth + 1);
      case 0x22 /* " */: return this.string();
      case 0x74 /* t */: return this.literal('true', true);
      case 0x66 /* f */: return this.literal('false', false);
      case 0x6e /* n */: return this.literal('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.fail(this.i >= s.length ? 'Unexpected end of JSON input' : `Unexpected ${describe(s, this.i)}`);
    }
  }

  literal<T extends EventValue>(word: string, v: T): T {
    if (!this.s.startsWith(word, this.i)) this.fail(`Unexpected ${describe(this.s, this.i)}`);
    this.i += word.length;
    return v;
  }

  number(): number | bigint {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m) return this.fail('Invalid number');
    const tok = m[0];
    this.i += tok.length;
    const n = Number(tok);
    if (m[1] !== undefined || m[2] !== undefined || Number.isSafeInteger(n)) return n;
    return BigInt(tok);
  }

  string(): string {
    const s = this.s;
    const start = this.i;
    let i = start + 1;
    let escapes = false;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escapes = true;
        i += 2;
        continue;
      }
      if (c < 0x20 || Number.isNaN(c)) this.fail(Number.isNaN(c) ? 'Unterminated string' : 'Bad control character in string', i);
      i++;
    }
    this.i = i + 1;
    if (!escapes) return s.slice(start + 1, i);
    try {
      return JSON.parse(s.slice(start, i + 1)) as string;
    } catch {
      return this.fail('Bad escape in string', start);
    }
  }

  array(depth: number): EventValue[] {
    if (depth > this.maxDepth) this.fail(`Nesting deeper than ${this.maxDepth}`);
    const out: EventValue[] = [];
    this.i++;
    this.skipWs();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.skipWs();
      out.push(this.value(depth));
      this.skipWs();
      const c = this.s.charCodeAt(this.i++);
      if (c === 0x5d) return out;
      if (c !== 0x2c) this.fail(`Expected ',' or ']' but found ${describe(this.s, this.i - 1)}`, this.i - 1);
    }
  }

  object(depth: number): { [key: string]: EventValue } {
    if (depth > this.maxDepth) this.fail(`Nesting deeper than ${this.maxDepth}`);
    const out: { [key: string]: EventValue } = {};
    this.i++;
    this.skipWs();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.skipWs();
      if (this.s.charCodeAt(this.i) !== 0x22) this.fail(`Expected a property name but found ${describe(this.s, this.i)}`);
      const key = this.string();
      this.skipWs();
      if (this.s.charCodeAt(this.i) !== 0x3a) this.fail(`Expected ':' but found ${describe(this.s, this.i)}`);
      this.i++;
      this.skipWs();
      setOwn(out, key, this.value(depth));
      this.skipWs();
      const c = this.s.charCodeAt(this.i++);
      if (c === 0x7d) return out;
      if (c !== 0x2c) this.fail(`Expected ',' or '}' but found ${describe(this.s, this.i - 1)}`, this.i - 1);
    }
  }
}

/** Assign without ever touching a prototype: a key "__proto__" from hostile input stays a plain field. */
export function setOwn(obj: { [key: string]: EventValue }, key: string, value: EventValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function describe(s: string, i: number): string {
  if (i >= s.length) return 'end of input';
  return `character ${JSON.stringify(s[i])}`;
}
