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

function predicate(c: Cursor, doc: Doc): V {
  const x = term(c, doc);
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
    const y = term(c, doc);
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
  // ES|QL reads an ECS long field (destination.port) as a number.
  const v = doc(name);
  return v !== null && esType(name) === 'long' && NUMBER_TEXT.test(v) ? Number(v) : v;
}

function call(name: string, a: V[]): V {
  if (name === 'COALESCE') return a.find((x) => x !== null) ?? null;
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
