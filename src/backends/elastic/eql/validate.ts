// A structural validator of the EQL that Quarry writes: `<event category> where <condition>` with
// and/or/not, comparisons, `:`, like/like~/regex/regex~ with a string (or a list of strings),
// `in` lists, null, and the functions the renderer uses with their arity; and sequences
// (`sequence [by keys] [with maxspan=<time>]` then two or more `[<category> where <condition>]
// [by keys] [with runs=N]`, the same number of `by` keys on every query, runs from 1 to 100,
// at least two events in all). It rejects what Elasticsearch's EQL parser would reject in that
// subset, with the place of the problem.
import type { QueryCheck } from '../../common/types.js';
import { Cursor, located, regexpProblem, scan, ScanError } from '../scan.js';

const ESCAPES = new Set(['\\', '"', 'n', 'r', 't']);
const KEYWORDS = new Set(['and', 'or', 'not', 'where', 'in', 'like', 'regex', 'true', 'false', 'null', 'sequence', 'by', 'with', 'until', 'of', 'join']);
const FUNCTIONS: Readonly<Record<string, [number, number]>> = {
  cidrmatch: [2, Infinity],
  number: [1, 2],
  string: [1, 1],
  startswith: [2, 2],
  endswith: [2, 2],
  stringcontains: [2, 2],
  length: [1, 1],
};

export function validateEql(query: string): QueryCheck {
  const validator = "Quarry's structural EQL validator (event query and sequence subset)";
  try {
    const c = new Cursor(scan(query, ESCAPES));
    if (c.isWord('sequence')) sequence(c);
    else eventQuery(c);
    if (c.peek.kind !== 'end') c.fail('expected the end of the query');
    return { validator, ok: true, problems: [] };
  } catch (e) {
    if (e instanceof ScanError) return { validator, ok: false, problems: [located(query, e.at, e.message)] };
    throw e;
  }
}

/** `<category> where <condition>`. */
function eventQuery(c: Cursor): void {
  if (c.peek.kind !== 'word' || KEYWORDS.has(c.peek.text.toLowerCase())) c.fail('expected an event category (or any)');
  c.next();
  if (!c.isWord('where')) c.fail("expected 'where' after the event category");
  c.next();
  boolExpr(c);
}

/** The most `with runs=` takes. */
const MAX_RUNS = 100;
/** Units of an EQL time value (`30s`, `5m`). */
const TIME_UNITS = new Set(['ms', 's', 'm', 'h', 'd']);

function sequence(c: Cursor): void {
  c.next();
  if (c.isWord('by')) {
    c.next();
    keys(c);
  }
  if (c.isWord('with')) {
    c.next();
    if (!c.isWord('maxspan')) c.fail("expected 'maxspan' after 'with'");
    c.next();
    c.expectOp('=');
    const n = c.peek;
    if (n.kind !== 'number' || !/^\d+$/.test(n.text)) c.fail('expected a whole number of time units after maxspan=');
    c.next();
    const unit = c.peek;
    // The unit is part of the time value: no space between.
    if (unit.kind !== 'word' || !TIME_UNITS.has(unit.text) || unit.at !== n.at + n.text.length) c.fail(`expected a time unit (${[...TIME_UNITS].join(', ')}) right after the number`);
    c.next();
  }
  let events = 0;
  let queries = 0;
  let keyCount: number | undefined;
  while (c.isOp('[')) {
    c.next();
    eventQuery(c);
    c.expectOp(']');
    queries++;
    let k = 0;
    if (c.isWord('by')) {
      c.next();
      k = keys(c);
    }
    if (keyCount !== undefined && k !== keyCount) c.fail(`every query of a sequence has the same number of 'by' keys (${keyCount}, here ${k})`);
    keyCount = k;
    let runs = 1;
    if (c.isWord('with')) {
      const at = c.next().at;
      if (!c.isWord('runs')) c.fail("expected 'runs' after 'with'");
      c.next();
      c.expectOp('=');
      if (c.peek.kind !== 'number' || !/^\d+$/.test(c.peek.text)) c.fail('expected a whole number after runs=');
      runs = Number(c.next().text);
      if (runs < 1 || runs > MAX_RUNS) throw new ScanError(`runs must be from 1 to ${MAX_RUNS}, not ${runs}`, at);
    }
    events += runs;
  }
  if (queries === 0) c.fail("expected '[' and a query of the sequence");
  if (events < 2) c.fail('a sequence needs at least two events');
}

/** Join keys: one or more field names; returns how many. */
function keys(c: Cursor): number {
  let n = 0;
  for (;;) {
    fieldName(c);
    n++;
    if (!c.isOp(',')) return n;
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

/** `like`, `like~`, `regex`, `regex~`: the operator word, then `~` right after it. */
function patternOp(c: Cursor): string | null {
  if (!c.isWord('like', 'regex')) return null;
  const w = c.next();
  if (c.isOp('~') && c.peek.at === w.at + w.text.length) {
    c.next();
    return w.text + '~';
  }
  return w.text;
}

function strings(c: Cursor, op: string): void {
  const one = () => {
    if (c.peek.kind !== 'string') c.fail(`expected a string after ${op}`);
    const s = c.next();
    if (op.startsWith('regex')) {
      const problem = regexpProblem(s.text);
      if (problem) throw new ScanError(`the regular expression has ${problem}`, s.at);
    }
  };
  if (c.isOp('(')) {
    c.next();
    for (;;) {
      one();
      if (!c.isOp(',')) break;
      c.next();
    }
    c.expectOp(')');
  } else one();
}

function predicate(c: Cursor): void {
  value(c);
  if (c.isOp(':')) {
    c.next();
    strings(c, ':');
    return;
  }
  const op = patternOp(c);
  if (op) {
    strings(c, op);
    return;
  }
  const negated = c.isWord('not');
  if (negated) c.next();
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
  if (negated) c.fail("expected 'in' after 'not'");
  if (c.isOp('==', '!=', '<', '<=', '>', '>=')) {
    c.next();
    value(c);
  }
}

function value(c: Cursor): void {
  const t = c.peek;
  if (t.kind === 'string' || t.kind === 'number') {
    c.next();
    return;
  }
  if (c.isOp('-')) {
    c.next();
    value(c);
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
    const arity = FUNCTIONS[t.text.toLowerCase()];
    if (!arity) throw new ScanError(`unknown function ${t.text}`, t.at);
    c.next();
    c.next();
    let n = 0;
    if (!c.isOp(')')) {
      for (;;) {
        value(c);
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
    const p = c.peek;
    if (p.kind === 'quoted') c.next();
    else if (p.kind === 'word' && !KEYWORDS.has(p.text.toLowerCase())) c.next();
    else c.fail('expected a field name or a value');
    if (!c.isOp('.')) return;
    c.next();
  }
}
