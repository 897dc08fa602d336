// A structural validator of the ES|QL that Quarry writes: `FROM <patterns> [METADATA …]` then
// `| WHERE <condition>` (and `| LIMIT n`), with boolean operators, comparisons, IS [NOT] NULL,
// [NOT] LIKE / RLIKE with a string pattern, [NOT] IN lists, and the functions the renderer uses
// with their arity. It is no ES|QL engine: it rejects what Elasticsearch's parser would reject in
// that subset (unbalanced parentheses, bad strings and escapes, unknown functions, a keyword
// where a name should be), so a broken query never leaves Quarry unnoticed.
import type { QueryCheck } from '../../common/types.js';
import { Cursor, located, regexpProblem, scan, ScanError } from '../scan.js';

const ESCAPES = new Set(['\\', '"', 'n', 'r', 't']);
const KEYWORDS = new Set(['and', 'or', 'not', 'is', 'null', 'like', 'rlike', 'in', 'true', 'false', 'from', 'where', 'limit', 'metadata', 'by', 'as']);
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
};

export function validateEsql(query: string): QueryCheck {
  const validator = "Quarry's structural ES|QL validator (FROM/WHERE subset)";
  try {
    const c = new Cursor(scan(query, ESCAPES));
    source(c);
    while (c.isOp('|')) {
      c.next();
      if (c.isWord('where')) {
        c.next();
        boolExpr(c);
      } else if (c.isWord('limit')) {
        c.next();
        if (c.peek.kind !== 'number') c.fail('expected a number after LIMIT');
        c.next();
      } else c.fail('expected WHERE or LIMIT after |');
    }
    if (c.peek.kind !== 'end') c.fail('expected | or the end of the query');
    return { validator, ok: true, problems: [] };
  } catch (e) {
    if (e instanceof ScanError) return { validator, ok: false, problems: [located(query, e.at, e.message)] };
    throw e;
  }
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

function boolExpr(c: Cursor): void {
  andExpr(c);
  while (c.isWord('or')) {
    c.next();
    andExpr(c);
  }
}
function andExpr(c: Cursor): void {
  notExpr(c);
  while (c.isWord('and')) {
    c.next();
    notExpr(c);
  }
}
function notExpr(c: Cursor): void {
  if (c.isWord('not')) {
    c.next();
    notExpr(c);
    return;
  }
  predicate(c);
}

function predicate(c: Cursor): void {
  value(c);
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
      value(c);
      if (!c.isOp(',')) break;
      c.next();
    }
    c.expectOp(')');
    return;
  }
  if (negated) c.fail('expected LIKE, RLIKE or IN after NOT');
  if (c.isOp('==', '!=', '<', '<=', '>', '>=')) {
    c.next();
    value(c);
  }
}

function value(c: Cursor): void {
  term(c);
  while (c.isOp('+', '-', '*', '/', '%')) {
    c.next();
    term(c);
  }
}

function term(c: Cursor): void {
  const t = c.peek;
  if (t.kind === 'string' || t.kind === 'number') {
    c.next();
    return;
  }
  if (c.isOp('-')) {
    c.next();
    term(c);
    return;
  }
  if (c.isOp('(')) {
    c.next();
    boolExpr(c);
    c.expectOp(')');
    return;
  }
  if (c.isWord('true', 'false', 'null')) {
    c.next();
    return;
  }
  if (t.kind === 'word' && c.toks[c.i + 1]?.kind === 'op' && c.toks[c.i + 1]!.text === '(') {
    const name = t.text.toLowerCase();
    const arity = FUNCTIONS[name];
    if (!arity) throw new ScanError(`unknown function ${t.text}`, t.at);
    c.next();
    c.next();
    let n = 0;
    if (!c.isOp(')')) {
      for (;;) {
        boolExpr(c);
        n++;
        if (!c.isOp(',')) break;
        c.next();
      }
    }
    c.expectOp(')');
    if (n < arity[0] || n > arity[1]) throw new ScanError(`${t.text} takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]} or more`} arguments, not ${n}`, t.at);
    return;
  }
  fieldName(c);
}

/** A field: dot-separated parts, each a name that is not a keyword, or one backtick-quoted name. */
function fieldName(c: Cursor): void {
  for (;;) {
    const t = c.peek;
    if (t.kind === 'quoted') c.next();
    else if (t.kind === 'word' && !KEYWORDS.has(t.text.toLowerCase())) c.next();
    else c.fail('expected a field name or a value');
    if (!c.isOp('.')) return;
    c.next();
  }
}
