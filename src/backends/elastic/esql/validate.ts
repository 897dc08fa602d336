// A structural validator of the ES|QL that Quarry writes: `FROM <patterns> [METADATA …]` then
// commands: `WHERE <condition>`, `EVAL name = expr, …`, `STATS [name =] aggregate, … [BY [name =]
// expr, …]` and `LIMIT n`, with boolean operators, comparisons, IS [NOT] NULL, [NOT] LIKE / RLIKE
// with a string pattern, [NOT] IN lists, time-duration literals (`5 minutes`), and the functions
// the renderers use with their arity. It is no ES|QL engine: it rejects what Elasticsearch would
// reject in that subset (unbalanced parentheses, bad strings and escapes, unknown functions, a
// keyword where a name should be, an aggregate outside STATS or inside another, BUCKET outside BY,
// and after STATS a column that STATS did not produce), so a broken query never leaves Quarry unnoticed.
import type { QueryCheck } from '../../common/types.js';
import { Cursor, located, regexpProblem, scan, ScanError } from '../scan.js';

const ESCAPES = new Set(['\\', '"', 'n', 'r', 't']);
const KEYWORDS = new Set(['and', 'or', 'not', 'is', 'null', 'like', 'rlike', 'in', 'true', 'false', 'from', 'where', 'limit', 'metadata', 'by', 'as', 'eval', 'stats']);
/** Function name → [min, max] arguments. */
const FUNCTIONS: Readonly<Record<string, [number, number]>> = {
  to_lower: [1, 1],
  to_upper: [1, 1],
  to_string: [1, 1],
  to_ip: [1, 1],
  to_double: [1, 1],
  to_long: [1, 1],
  starts_with: [2, 2],
  ends_with: [2, 2],
  cidr_match: [2, Infinity],
  coalesce: [1, Infinity],
  locate: [2, 3],
  length: [1, 1],
  concat: [2, Infinity],
  case: [2, Infinity],
};
/** Aggregate functions: only in STATS, not inside another aggregate. */
const AGGREGATES: Readonly<Record<string, [number, number]>> = {
  count: [0, 1],
  count_distinct: [1, 2],
  sum: [1, 1],
  avg: [1, 1],
  min: [1, 1],
  max: [1, 1],
  median: [1, 1],
  percentile: [2, 2],
};
/** Grouping functions: only in the BY of STATS. */
const GROUPING: Readonly<Record<string, [number, number]>> = { bucket: [2, 4] };
/** Units of a time-duration literal (`5 minutes`). */
const DURATION_UNITS = new Set(['millisecond', 'milliseconds', 'ms', 'second', 'seconds', 'sec', 's', 'minute', 'minutes', 'min', 'hour', 'hours', 'h', 'day', 'days', 'd']);

/** Where an expression stands: which functions it may call, and which columns exist (null: any field of the index). */
interface Ctx {
  columns: Set<string> | null;
  place: 'row' | 'aggregate' | 'by';
}

export function validateEsql(query: string): QueryCheck {
  const validator = "Quarry's structural ES|QL validator (FROM/WHERE/EVAL/STATS subset)";
  try {
    const c = new Cursor(scan(query, ESCAPES));
    source(c);
    let columns: Set<string> | null = null;
    while (c.isOp('|')) {
      c.next();
      if (c.isWord('where')) {
        c.next();
        boolExpr(c, { columns, place: 'row' });
      } else if (c.isWord('limit')) {
        c.next();
        if (c.peek.kind !== 'number') c.fail('expected a number after LIMIT');
        c.next();
      } else if (c.isWord('eval')) {
        c.next();
        for (;;) {
          const name = fieldName(c);
          c.expectOp('=');
          boolExpr(c, { columns, place: 'row' });
          columns?.add(name);
          if (!c.isOp(',')) break;
          c.next();
        }
      } else if (c.isWord('stats')) {
        c.next();
        columns = stats(c, columns);
      } else c.fail('expected WHERE, EVAL, STATS or LIMIT after |');
    }
    if (c.peek.kind !== 'end') c.fail('expected | or the end of the query');
    return { validator, ok: true, problems: [] };
  } catch (e) {
    if (e instanceof ScanError) return { validator, ok: false, problems: [located(query, e.at, e.message)] };
    throw e;
  }
}

/** `STATS [name =] aggregate, … [BY [name =] expr, …]`; returns the columns it leaves. */
function stats(c: Cursor, columns: Set<string> | null): Set<string> {
  const out = new Set<string>();
  // `[name =] expr`: the name given, else the expression's own text (a plain field keeps its name).
  const item = (place: Ctx['place']) => {
    const start = c.i;
    if (c.peek.kind === 'word' || c.peek.kind === 'quoted') {
      const name = fieldName(c);
      if (c.isOp('=')) {
        c.next();
        boolExpr(c, { columns, place });
        out.add(name);
        return;
      }
      c.i = start;
    }
    boolExpr(c, { columns, place });
    out.add(c.toks.slice(start, c.i).map((t) => t.text).join(''));
  };
  if (!c.isWord('by')) {
    for (;;) {
      item('aggregate');
      if (!c.isOp(',')) break;
      c.next();
    }
  }
  if (c.isWord('by')) {
    c.next();
    for (;;) {
      item('by');
      if (!c.isOp(',')) break;
      c.next();
    }
  }
  if (out.size === 0) c.fail('expected an aggregate or BY after STATS');
  return out;
}

function source(c: Cursor): void {
  if (!c.isWord('from')) c.fail('expected FROM');
  c.next();
  for (;;) {
    indexPattern(c);
    if (!c.isOp(',')) break;
    c.next();
  }
  if (c.isWord('metadata')) {
    c.next();
    for (;;) {
      if (c.peek.kind !== 'word') c.fail('expected a metadata field');
      c.next();
      if (!c.isOp(',')) break;
      c.next();
    }
  }
}

/** An index pattern: a string, or adjacent words, numbers and `- * . :` with no space between. */
function indexPattern(c: Cursor): void {
  if (c.peek.kind === 'string') {
    c.next();
    return;
  }
  const start = c.peek;
  if (!(start.kind === 'word' || start.kind === 'number' || (start.kind === 'op' && start.text === '*'))) c.fail('expected an index pattern');
  let end = start.at + start.text.length;
  c.next();
  while ((c.peek.kind === 'word' || c.peek.kind === 'number' || c.isOp('-', '*', '.', ':')) && c.peek.at === end) {
    end = c.peek.at + c.peek.text.length;
    c.next();
  }
}

function boolExpr(c: Cursor, ctx: Ctx): void {
  andExpr(c, ctx);
  while (c.isWord('or')) {
    c.next();
    andExpr(c, ctx);
  }
}
function andExpr(c: Cursor, ctx: Ctx): void {
  notExpr(c, ctx);
  while (c.isWord('and')) {
    c.next();
    notExpr(c, ctx);
  }
}
function notExpr(c: Cursor, ctx: Ctx): void {
  if (c.isWord('not')) {
    c.next();
    notExpr(c, ctx);
    return;
  }
  predicate(c, ctx);
}

function predicate(c: Cursor, ctx: Ctx): void {
  value(c, ctx);
  if (c.isWord('is')) {
    c.next();
    if (c.isWord('not')) c.next();
    if (!c.isWord('null')) c.fail('expected NULL after IS');
    c.next();
    return;
  }
  const negated = c.isWord('not');
  if (negated) c.next();
  if (c.isWord('like', 'rlike')) {
    const op = c.next().text.toLowerCase();
    if (c.peek.kind !== 'string') c.fail(`expected a string pattern after ${op.toUpperCase()}`);
    const pattern = c.next();
    if (op === 'rlike') {
      const problem = regexpProblem(pattern.text);
      if (problem) throw new ScanError(`the RLIKE pattern has ${problem}`, pattern.at);
    }
    return;
  }
  if (c.isWord('in')) {
    c.next();
    c.expectOp('(');
    for (;;) {
      value(c, ctx);
      if (!c.isOp(',')) break;
      c.next();
    }
    c.expectOp(')');
    return;
  }
  if (negated) c.fail('expected LIKE, RLIKE or IN after NOT');
  if (c.isOp('==', '!=', '<', '<=', '>', '>=')) {
    c.next();
    value(c, ctx);
  }
}

function value(c: Cursor, ctx: Ctx): void {
  term(c, ctx);
  while (c.isOp('+', '-', '*', '/', '%')) {
    c.next();
    term(c, ctx);
  }
}

function term(c: Cursor, ctx: Ctx): void {
  const t = c.peek;
  if (t.kind === 'number') {
    c.next();
    // A time-duration literal: a number and its unit.
    if (c.peek.kind === 'word' && DURATION_UNITS.has(c.peek.text.toLowerCase())) c.next();
    return;
  }
  if (t.kind === 'string') {
    c.next();
    return;
  }
  if (c.isOp('-')) {
    c.next();
    term(c, ctx);
    return;
  }
  if (c.isOp('(')) {
    c.next();
    boolExpr(c, ctx);
    c.expectOp(')');
    return;
  }
  if (c.isWord('true', 'false', 'null')) {
    c.next();
    return;
  }
  if (t.kind === 'word' && c.toks[c.i + 1]?.kind === 'op' && c.toks[c.i + 1]!.text === '(') {
    call(c, ctx);
    return;
  }
  const start = c.peek;
  const name = fieldName(c);
  if (ctx.columns && !ctx.columns.has(name)) throw new ScanError(`${name} is not a column here (after STATS: ${[...ctx.columns].join(', ')})`, start.at);
}

/** A function call: known, in a place it may stand, with its arity. */
function call(c: Cursor, ctx: Ctx): void {
  const t = c.next();
  const name = t.text.toLowerCase();
  const arity = FUNCTIONS[name] ?? AGGREGATES[name] ?? GROUPING[name];
  if (!arity) throw new ScanError(`unknown function ${t.text}`, t.at);
  if (AGGREGATES[name] && ctx.place !== 'aggregate') throw new ScanError(`${t.text} is an aggregate: it stands only in STATS, outside any other aggregate`, t.at);
  if (GROUPING[name] && ctx.place !== 'by') throw new ScanError(`${t.text} groups: it stands only in the BY of STATS`, t.at);
  // Inside an aggregate or BUCKET the arguments are row expressions.
  const inner: Ctx = AGGREGATES[name] || GROUPING[name] ? { ...ctx, place: 'row' } : ctx;
  c.next();
  let n = 0;
  if (name === 'count' && c.isOp('*')) {
    c.next();
    n = 1;
  } else if (!c.isOp(')')) {
    for (;;) {
      boolExpr(c, inner);
      n++;
      if (!c.isOp(',')) break;
      c.next();
    }
  }
  c.expectOp(')');
  if (n < arity[0] || n > arity[1]) throw new ScanError(`${t.text} takes ${arity[0] === arity[1] ? arity[0] : arity[1] === Infinity ? `${arity[0]} or more` : `${arity[0]} to ${arity[1]}`} arguments, not ${n}`, t.at);
}

/**
 * A field: dot-separated parts, each a name that is not a keyword, or one backtick-quoted name;
 * returns the name as a column is known by.
 */
function fieldName(c: Cursor): string {
  const parts: string[] = [];
  for (;;) {
    const t = c.peek;
    if (t.kind === 'quoted') parts.push(c.next().text);
    else if (t.kind === 'word' && !KEYWORDS.has(t.text.toLowerCase())) parts.push(c.next().text);
    else c.fail('expected a field name or a value');
    if (!c.isOp('.')) return parts.join('.');
    c.next();
  }
}
