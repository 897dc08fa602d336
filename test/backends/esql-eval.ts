// A small evaluator of the ES|QL conditions Quarry writes (`FROM … | WHERE <condition>`) over
// documents of keyword fields, with ES|QL's three-valued logic: a comparison or function on null
// is null, NOT null is null, null AND false is false, WHERE keeps only true. Functions as the
// ES|QL reference describes them (TO_LOWER, STARTS_WITH, ENDS_WITH, LOCATE, COALESCE, TO_DOUBLE,
// CIDR_MATCH…), LIKE with `*`/`?` and `\` escapes, RLIKE with Lucene RegExp (lucene-eval.ts).
import { scan, Cursor } from '../../src/backends/elastic/scan.js';
import { cidrContains, parseCidr, parseIp } from '../../src/sigma/cidr.js';
import { regexp } from './lucene-eval.js';
import type { Doc } from './lucene-eval.js';
import { esType, NUMBER_TEXT } from '../../src/backends/elastic/ecs-types.js';
import type { Token } from '../../src/backends/elastic/scan.js';

type V = string | number | boolean | null;
const ESCAPES = new Set(['\\', '"', 'n', 'r', 't']);

function like(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') re += (pattern[++i] ?? '').replace(/[\\^$.|?*+()[\]{}/]/g, '\\$&');
    else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[\\^$.|?*+()[\]{}/]/g, '\\$&');
  }
  return new RegExp(`^(?:${re})$`, 's');
}

const and3 = (a: V, b: V): V => (a === false || b === false ? false : a === null || b === null ? null : true);
const or3 = (a: V, b: V): V => (a === true || b === true ? true : a === null || b === null ? null : false);
const not3 = (a: V): V => (a === null ? null : !a);

// The differential tests evaluate one query on many documents in a row: its tokens and patterns are kept.
let last: { query: string; toks: Token[] } | undefined;
const patterns = new Map<string, RegExp>();
function pattern(op: string, text: string): RegExp {
  let re = patterns.get(op + text);
  if (!re) {
    if (patterns.size > 10_000) patterns.clear();
    patterns.set(op + text, (re = op === 'like' ? like(text) : regexp(text)));
  }
  return re;
}

/** Whether the query's WHERE condition is true for the document. */
export function evaluateEsql(query: string, doc: Doc): boolean {
  if (last?.query !== query) {
    const where = query.indexOf('\n| WHERE ');
    last = { query, toks: scan(query.slice(where + '\n| WHERE '.length), ESCAPES) };
  }
  const c = new Cursor(last.toks);
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

/** Terms joined by + and - (numbers; null when either side is). */
function sum(c: Cursor, doc: Doc): V {
  let v = term(c, doc);
  while (c.isOp('+', '-')) {
    const op = c.next().text;
    const w = term(c, doc);
    v = v === null || w === null ? null : op === '+' ? (v as number) + (w as number) : (v as number) - (w as number);
  }
  return v;
}

function predicate(c: Cursor, doc: Doc): V {
  const x = sum(c, doc);
  if (c.isWord('is')) {
    c.next();
    const neg = c.isWord('not');
    if (neg) c.next();
    c.next(); // NULL
    return neg ? x !== null : x === null;
  }
  const neg = c.isWord('not');
  if (neg) c.next();
  if (c.isWord('like', 'rlike')) {
    const op = c.next().text.toLowerCase();
    const text = c.next().text;
    if (x === null) return null;
    const m = pattern(op, text).test(String(x));
    return neg ? !m : m;
  }
  if (c.isOp('==', '!=', '<', '<=', '>', '>=')) {
    const op = c.next().text;
    const y = sum(c, doc);
    if (x === null || y === null) return null;
    switch (op) {
      case '==':
        return x === y;
      case '!=':
        return x !== y;
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

function term(c: Cursor, doc: Doc): V {
  const t = c.peek;
  if (t.kind === 'string') return c.next().text;
  if (t.kind === 'number') return Number(c.next().text);
  if (c.isOp('-')) {
    c.next();
    return -(term(c, doc) as number);
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
    const name = c.next().text.toUpperCase();
    c.next();
    const args: V[] = [];
    if (!c.isOp(')')) {
      for (;;) {
        args.push(boolExpr(c, doc));
        if (!c.isOp(',')) break;
        c.next();
      }
    }
    c.expectOp(')');
    return call(name, args);
  }
  let name = '';
  for (;;) {
    name += c.next().text;
    if (!c.isOp('.')) break;
    c.next();
    name += '.';
  }
  if (currentRow && Object.hasOwn(currentRow, name) && typeof currentRow[name] !== 'string') return currentRow[name]!;
  // ES|QL reads an ECS long field (destination.port) as a number.
  const v = doc(name);
  return v !== null && esType(name) === 'long' && NUMBER_TEXT.test(v) ? Number(v) : v;
}

function call(name: string, a: V[]): V {
  if (name === 'COALESCE') return a.find((x) => x !== null) ?? null;
  // CASE(cond, value, …, [else]): the value of the first true condition, else the last odd argument or null.
  if (name === 'CASE') {
    for (let i = 0; i + 1 < a.length; i += 2) if (a[i] === true) return a[i + 1]!;
    return a.length % 2 ? a[a.length - 1]! : null;
  }
  if (a.slice(0, name === 'CIDR_MATCH' ? 1 : a.length).some((x) => x === null)) return null;
  const s = (x: V) => String(x);
  switch (name) {
    case 'TO_LOWER':
      return s(a[0]!).toLowerCase();
    case 'TO_STRING':
    case 'TO_IP':
      return s(a[0]!);
    case 'TO_DOUBLE':
      return /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(s(a[0]!)) ? Number(a[0]) : null;
    case 'CONCAT':
      return a.map(s).join('');
    case 'LENGTH':
      return [...s(a[0]!)].length;
    case 'STARTS_WITH':
      return s(a[0]!).startsWith(s(a[1]!));
    case 'ENDS_WITH':
      return s(a[0]!).endsWith(s(a[1]!));
    case 'LOCATE':
      return s(a[0]!).indexOf(s(a[1]!)) + 1;
    case 'CIDR_MATCH': {
      const ip = parseIp(s(a[0]!));
      if (!ip) return null;
      return a.slice(1).some((block) => {
        const net = parseCidr(s(block!));
        return net !== null && cidrContains(net, ip);
      });
    }
    default:
      throw new Error(`function ${name}`);
  }
}

/** A row of the pipeline: column → value. */
export type Row = Record<string, V>;

const DURATION_MS: Readonly<Record<string, number>> = { millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * Runs an ES|QL pipeline as Quarry writes it for correlations over rows of keyword values (and
 * `@timestamp` as ISO text): WHERE, EVAL, and STATS with COUNT, COUNT_DISTINCT, SUM, AVG, MIN, MAX,
 * MEDIAN, PERCENTILE (nearest-rank-free linear interpolation, as Elasticsearch's TDigest is for
 * small sets) BY columns and `BUCKET(@timestamp, <duration>)` (the bucket's start, epoch ms).
 * The rows STATS leaves, after the commands that follow it.
 */
export function runEsql(query: string, rows: readonly Row[]): Row[] {
  const commands = query.split('\n| ').slice(1);
  let cur: Row[] = rows.map((r) => ({ ...r }));
  const docOf = (row: Row): Doc => (f) => (row[f] === undefined || row[f] === null ? null : (row[f] as string));
  // A value column keeps its type (numbers after STATS); a field of the index reads as term() does.
  const evalAt = (toks: Token[], i: number, row: Row): { v: V; end: number } => {
    const c = new Cursor(toks);
    c.i = i;
    const v = withRow(row, () => boolExpr(c, docOf(row)));
    return { v, end: c.i };
  };
  for (const command of commands) {
    const [word] = command.split(' ', 1);
    const toks = scan(command.slice(word!.length), ESCAPES);
    if (word === 'WHERE') cur = cur.filter((row) => evalAt(toks, 0, row).v === true);
    else if (word === 'EVAL') {
      cur = cur.map((row) => {
        const out = { ...row };
        let i = 0;
        for (;;) {
          const name = toks[i]!.text;
          const { v, end } = evalAt(toks, i + 2, out);
          out[name] = v;
          if (toks[end]!.text !== ',') break;
          i = end + 1;
        }
        return out;
      });
    } else if (word === 'STATS') cur = stats(toks, cur, evalAt);
    else throw new Error(`command ${word}`);
  }
  return cur;
}

function stats(toks: Token[], rows: Row[], evalAt: (toks: Token[], i: number, row: Row) => { v: V; end: number }): Row[] {
  // Aggregates: name = FN(args); then BY: name = BUCKET(@timestamp, N unit) or a column.
  const aggs: Array<{ name: string; fn: string; args: number[] }> = [];
  let i = 0;
  const argsOf = (): number[] => {
    const starts: number[] = [];
    i++; // (
    if (toks[i]!.text === '*') return (i += 2), [];
    for (;;) {
      starts.push(i);
      let depth = 0;
      while (depth > 0 || (toks[i]!.text !== ',' && toks[i]!.text !== ')')) {
        if (toks[i]!.text === '(') depth++;
        if (toks[i]!.text === ')') depth--;
        i++;
      }
      if (toks[i++]!.text === ')') return starts;
    }
  };
  while (toks[i]!.text.toUpperCase() !== 'BY') {
    const name = toks[i]!.text;
    const fn = toks[i + 2]!.text.toUpperCase();
    i += 3;
    aggs.push({ name, fn, args: argsOf() });
    if (toks[i]!.text === ',') i++;
  }
  i++; // BY
  const groups: Array<{ name: string; field?: string; bucketMs?: number }> = [];
  while (toks[i]!.kind !== 'end') {
    if (toks[i + 1]?.text === '=' && toks[i + 2]?.text.toUpperCase() !== 'BUCKET') {
      // name = field: the field's values under another name.
      const name = toks[i]!.text;
      i += 2;
      let field = toks[i++]!.text;
      while (toks[i]?.text === '.') field += '.' + toks[(i += 2) - 1]!.text;
      groups.push({ name, field });
    } else if (toks[i + 1]?.text === '=') {
      const name = toks[i]!.text;
      i += 4; // name = BUCKET (
      i += 2; // @timestamp ,
      const ms = Number(toks[i]!.text) * DURATION_MS[toks[i + 1]!.text.replace(/s$/, '')]!;
      i += 3; // N unit )
      groups.push({ name, bucketMs: ms });
    } else groups.push({ name: toks[i++]!.text });
    if (toks[i]!.text === ',') i++;
  }
  const by = new Map<string, { key: V[]; rows: Row[] }>();
  for (const row of rows) {
    const key = groups.map((g) => (g.bucketMs ? Math.floor(Date.parse(row['@timestamp'] as string) / g.bucketMs) * g.bucketMs : (row[g.field ?? g.name] ?? null)));
    const k = JSON.stringify(key);
    const slot = by.get(k) ?? { key, rows: [] };
    slot.rows.push(row);
    by.set(k, slot);
  }
  return [...by.values()].map(({ key, rows: members }) => {
    const out: Row = {};
    for (const a of aggs) {
      const vals = (n: number) => members.map((r) => evalAt(toks, a.args[n]!, r).v).filter((v) => v !== null);
      const nums = () => vals(0).map(Number);
      switch (a.fn) {
        case 'COUNT':
          out[a.name] = a.args.length ? vals(0).length : members.length;
          break;
        case 'COUNT_DISTINCT':
          out[a.name] = new Set(vals(0).map((v) => JSON.stringify(v))).size;
          break;
        case 'SUM':
          out[a.name] = nums().length ? nums().reduce((x, y) => x + y, 0) : null;
          break;
        case 'AVG':
          out[a.name] = nums().length ? nums().reduce((x, y) => x + y, 0) / nums().length : null;
          break;
        case 'MIN':
        case 'MAX': {
          const vs = vals(0) as Array<string | number>;
          out[a.name] = vs.length ? vs.reduce((x, y) => ((a.fn === 'MIN' ? y < x : y > x) ? y : x)) : null;
          break;
        }
        case 'MEDIAN':
        case 'PERCENTILE': {
          const xs = nums().sort((x, y) => x - y);
          const p = a.fn === 'MEDIAN' ? 50 : Number(evalAt(toks, a.args[1]!, {}).v);
          out[a.name] = xs.length ? interpolate(xs, p) : null;
          break;
        }
        default:
          throw new Error(`aggregate ${a.fn}`);
      }
    }
    groups.forEach((g, k) => (out[g.name] = key[k]!));
    return out;
  });
}

/** The p-th percentile of sorted values, linearly interpolated between closest ranks. */
export function interpolate(xs: readonly number[], p: number): number {
  const pos = (p / 100) * (xs.length - 1);
  const lo = Math.floor(pos);
  return xs[lo]! + (xs[Math.min(lo + 1, xs.length - 1)]! - xs[lo]!) * (pos - lo);
}

// While a pipeline row is evaluated, a name that is a column of the row reads its value as it is
// (a number stays a number); term() falls back to the document for index fields.
let currentRow: Row | undefined;
function withRow<T>(row: Row, f: () => T): T {
  const before = currentRow;
  currentRow = row;
  try {
    return f();
  } finally {
    currentRow = before;
  }
}
