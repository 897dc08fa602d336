// A small evaluator of the EQL conditions Quarry writes (`<category> where <condition>`) over
// documents of keyword fields: `:` (case-insensitive for ASCII letters only, as Elasticsearch's
// case_insensitive term and wildcard queries are; `*`/`?` wildcards), `==`/`!=` (exact; with
// null, presence tests), like/like~, regex/regex~ (Lucene RegExp, whole value), number(),
// cidrMatch(). Null is treated three-valued, as in ES|QL, which is the stricter assumption for
// negations: the renderer's null guards must make the result right either way.
import { scan, Cursor } from '../../src/backends/elastic/scan.js';
import { cidrContains, parseCidr, parseIp } from '../../src/sigma/cidr.js';
import { regexp } from './lucene-eval.js';
import type { Doc } from './lucene-eval.js';
import type { Token } from '../../src/backends/elastic/scan.js';

type V = string | number | boolean | null;
const ESCAPES = new Set(['\\', '"', 'n', 'r', 't']);

/** ASCII letters lower-cased, others as they are: Elasticsearch's case-insensitive matching (`:`, `like~`) folds ASCII only. */
export const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

// The differential tests evaluate one query on many documents in a row: compiled patterns are kept.
const patterns = new Map<string, RegExp>();
function wildcard(pattern: string, ci: boolean): { test(x: string): boolean } {
  const key = (ci ? 'i' : 'c') + pattern;
  let re = patterns.get(key);
  if (!re) {
    if (patterns.size > 10_000) patterns.clear();
    const p = ci ? asciiLower(pattern) : pattern;
    re = new RegExp(`^(?:${[...p].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|?*+()[\]{}/]/g, '\\$&'))).join('')})$`, 's');
    patterns.set(key, re);
  }
  const compiled = re;
  return { test: (x) => compiled.test(ci ? asciiLower(x) : x) };
}

const and3 = (a: V, b: V): V => (a === false || b === false ? false : a === null || b === null ? null : true);
const or3 = (a: V, b: V): V => (a === true || b === true ? true : a === null || b === null ? null : false);
const not3 = (a: V): V => (a === null ? null : !a);

// The differential tests evaluate one query on many documents in a row: its tokens are kept.
let last: { query: string; toks: Token[] } | undefined;

export function evaluateEql(query: string, doc: Doc): boolean {
  if (last?.query !== query) last = { query, toks: scan(query, ESCAPES) };
  const c = new Cursor(last.toks);
  c.next(); // category
  c.next(); // where
  const v = boolExpr(c, doc);
  if (c.peek.kind !== 'end') throw new Error(`trailing input at ${c.peek.at}`);
  return v === true;
}

function boolExpr(c: Cursor, doc: Doc): V {
  let v = andExpr(c, doc);
  while (c.isWord('or')) {
    c.next();
    v = or3(v, andExpr(c, doc));
  }
  return v;
}
function andExpr(c: Cursor, doc: Doc): V {
  let v = notExpr(c, doc);
  while (c.isWord('and')) {
    c.next();
    v = and3(v, notExpr(c, doc));
  }
  return v;
}
function notExpr(c: Cursor, doc: Doc): V {
  if (c.isWord('not')) {
    c.next();
    return not3(notExpr(c, doc));
  }
  return predicate(c, doc);
}

function predicate(c: Cursor, doc: Doc): V {
  const x = value(c, doc);
  if (c.isOp(':')) {
    c.next();
    const p = c.next().text;
    return x === null ? null : wildcard(p, true).test(String(x));
  }
  if (c.isWord('like', 'regex')) {
    const op = c.next().text;
    let ci = false;
    if (c.isOp('~')) {
      c.next();
      ci = true;
    }
    const p = c.next().text;
    if (x === null) return null;
    if (op === 'like') return wildcard(p, ci).test(String(x));
    const re = regexp(p);
    return (ci ? new RegExp(re.source, 'si') : re).test(String(x));
  }
  if (c.isOp('==', '!=', '<', '<=', '>', '>=')) {
    const op = c.next().text;
    const isNull = c.isWord('null');
    const y = value(c, doc);
    if (isNull) return op === '==' ? x === null : x !== null;
    if (x === null || y === null) return null;
    switch (op) {
      case '==':
        return String(x) === String(y);
      case '!=':
        return String(x) !== String(y);
      case '<':
        return (x as number) < (y as number);
      case '<=':
        return (x as number) <= (y as number);
      case '>':
        return (x as number) > (y as number);
      default:
        return (x as number) >= (y as number);
    }
  }
  return x;
}

function value(c: Cursor, doc: Doc): V {
  const t = c.peek;
  if (t.kind === 'string') return c.next().text;
  if (t.kind === 'number') return Number(c.next().text);
  if (c.isOp('-')) {
    c.next();
    return -(value(c, doc) as number);
  }
  if (c.isOp('(')) {
    c.next();
    const v = boolExpr(c, doc);
    c.expectOp(')');
    return v;
  }
  if (c.isWord('true')) return (c.next(), true);
  if (c.isWord('false')) return (c.next(), false);
  if (c.isWord('null')) return (c.next(), null);
  if (t.kind === 'word' && c.toks[c.i + 1]?.text === '(') {
    const name = c.next().text.toLowerCase();
    c.next();
    const args: V[] = [];
    for (;;) {
      args.push(value(c, doc));
      if (!c.isOp(',')) break;
      c.next();
    }
    c.expectOp(')');
    if (args[0] === null) return null;
    if (name === 'number') return /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(String(args[0])) ? Number(args[0]) : null;
    if (name === 'string') return String(args[0]);
    if (name === 'cidrmatch') {
      const ip = parseIp(String(args[0]));
      return ip !== null && args.slice(1).some((b) => {
        const net = parseCidr(String(b));
        return net !== null && cidrContains(net, ip);
      });
    }
    throw new Error(`function ${name}`);
  }
  let name = '';
  for (;;) {
    name += c.next().text;
    if (!c.isOp('.')) break;
    c.next();
    name += '.';
  }
  return doc(name);
}

/** One query of a sequence: its `<category> where …` text (matched with evaluateEql), its `by` keys, its runs. */
interface Stage {
  query: string;
  by: string[];
  runs: number;
}

const TIME_UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The parts of a sequence as Quarry writes it: `sequence [by k…] [with maxspan=Nu]` then `[query] [by k…] [with runs=N]`… */
export function parseEqlSequence(query: string): { by: string[]; maxspanMs: number | null; stages: Stage[] } {
  const c = new Cursor(scan(query, ESCAPES));
  const keys = (): string[] => {
    const out: string[] = [];
    for (;;) {
      let name = c.next().text;
      while (c.isOp('.')) name += c.next().text + c.next().text;
      out.push(name);
      if (!c.isOp(',')) return out;
      c.next();
    }
  };
  if (!c.isWord('sequence')) throw new Error('not a sequence');
  c.next();
  let by: string[] = [];
  let maxspanMs: number | null = null;
  if (c.isWord('by')) (c.next(), (by = keys()));
  if (c.isWord('with')) {
    c.next(), c.next(), c.next(); // with maxspan =
    const n = Number(c.next().text);
    maxspanMs = n * TIME_UNIT_MS[c.next().text]!;
  }
  const stages: Stage[] = [];
  while (c.isOp('[')) {
    const open = c.next();
    let depth = 1;
    while (depth) {
      const t = c.next();
      if (t.kind === 'op' && t.text === '[') depth++;
      if (t.kind === 'op' && t.text === ']') depth--;
      if (t.kind === 'end') throw new Error('unclosed [');
    }
    const close = c.toks[c.i - 1]!;
    const stage: Stage = { query: query.slice(open.at + 1, close.at).trim(), by: [], runs: 1 };
    if (c.isWord('by')) (c.next(), (stage.by = keys()));
    if (c.isWord('with')) (c.next(), c.next(), c.next(), (stage.runs = Number(c.next().text)));
    stages.push(stage);
  }
  if (c.peek.kind !== 'end') throw new Error(`trailing input at ${c.peek.at}`);
  return { by, maxspanMs, stages };
}

/**
 * The sequences of `query` over events in time order, as Elasticsearch's EQL syntax reference
 * describes its matching: per key a state machine whose states each hold one pending sequence, the
 * most recent overwriting an older one; an event moves the sequence of the state before its query
 * on (when within maxspan of the sequence's first event) and a first query's event starts one;
 * `with runs=N` is its query N times. Returns the key (values as JSON) → time of the first completion.
 */
export function firstSequences(query: string, events: ReadonlyArray<{ time: number; doc: Doc }>): Map<string, number> {
  const { by, maxspanMs, stages } = parseEqlSequence(query);
  const steps = stages.flatMap((s) => Array.from({ length: s.runs }, () => s));
  const pending = new Map<string, Array<number | undefined>>(); // key → start time of the sequence in each state
  const first = new Map<string, number>();
  for (const { time, doc } of events) {
    // Later states first, so that an event does not extend a sequence it starts itself.
    for (let k = steps.length - 1; k >= 0; k--) {
      const step = steps[k]!;
      if (!evaluateEql(step.query, doc)) continue;
      const key = JSON.stringify([...by, ...step.by].map((f) => doc(f)));
      const states = pending.get(key) ?? Array<number | undefined>(steps.length).fill(undefined);
      pending.set(key, states);
      const start = k === 0 ? time : states[k - 1];
      if (start === undefined || (maxspanMs !== null && time - start > maxspanMs)) continue;
      if (k > 0) states[k - 1] = undefined;
      if (k === steps.length - 1) {
        if (!first.has(key)) first.set(key, time);
      } else states[k] = start;
    }
  }
  return first;
}
