// Boolean expressions over names: `a and not (b or c)`. Pipelines use them over the ids of an
// item's conditions (`rule_cond_expr` and friends), correlations over rule names (the extended
// temporal condition). Precedence as in pySigma and Sigma conditions: not > and > or.
import { MAX_CONDITION_DEPTH } from './limits.js';

export type CondExpr =
  | { op: 'id'; name: string; offset: number }
  | { op: 'not'; arg: CondExpr }
  | { op: 'and' | 'or'; args: CondExpr[] };

/** A syntax error at `offset`, over `length` characters of the expression (0 at its end). */
export class CondExprError extends Error {
  constructor(message: string, readonly offset: number, readonly length: number) {
    super(message);
  }
}

interface Token {
  text: string;
  offset: number;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /\s*([()]|[A-Za-z0-9_-]+|\S)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push({ text: m[1]!, offset: m.index + m[0].length - m[1]!.length });
  return out;
}

export function parseCondExpr(text: string): CondExpr {
  const toks = tokenize(text);
  let i = 0;
  const peek = () => toks[i];
  const kw = (t: Token | undefined, w: string) => t !== undefined && t.text.toLowerCase() === w;
  // `depth` counts the parentheses and `not`s around the current token: bounded as in Sigma
  // conditions (condition.ts), since evaluation recurses over the same tree.
  const primary = (depth: number): CondExpr => {
    const t = toks[i];
    if (!t) throw new CondExprError('the expression ends where a name was expected', text.length, 0);
    if ((kw(t, 'not') || t.text === '(') && depth >= MAX_CONDITION_DEPTH) throw new CondExprError(`parentheses and 'not' nest deeper than ${MAX_CONDITION_DEPTH} levels here`, t.offset, t.text.length);
    if (kw(t, 'not')) {
      i++;
      return { op: 'not', arg: primary(depth + 1) };
    }
    if (t.text === '(') {
      i++;
      const e = or(depth + 1);
      if (peek()?.text !== ')') throw new CondExprError("missing ')'", peek()?.offset ?? text.length, peek()?.text.length ?? 0);
      i++;
      return e;
    }
    if (/^[A-Za-z0-9_-]+$/.test(t.text) && !kw(t, 'and') && !kw(t, 'or')) {
      i++;
      return { op: 'id', name: t.text, offset: t.offset };
    }
    throw new CondExprError(`unexpected '${t.text}'`, t.offset, t.text.length);
  };
  const and = (depth: number): CondExpr => {
    const args = [primary(depth)];
    while (kw(peek(), 'and')) {
      i++;
      args.push(primary(depth));
    }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  };
  const or = (depth: number): CondExpr => {
    const args = [and(depth)];
    while (kw(peek(), 'or')) {
      i++;
      args.push(and(depth));
    }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  };
  const e = or(0);
  if (i < toks.length) throw new CondExprError(`unexpected '${toks[i]!.text}'`, toks[i]!.offset, toks[i]!.text.length);
  return e;
}

export function exprIds(e: CondExpr, out: Array<{ name: string; offset: number }> = []): Array<{ name: string; offset: number }> {
  if (e.op === 'id') out.push({ name: e.name, offset: e.offset });
  else if (e.op === 'not') exprIds(e.arg, out);
  else for (const a of e.args) exprIds(a, out);
  return out;
}

export function evalCondExpr(e: CondExpr, value: (id: string) => boolean): boolean {
  switch (e.op) {
    case 'id':
      return value(e.name);
    case 'not':
      return !evalCondExpr(e.arg, value);
    case 'and':
      return e.args.every((a) => evalCondExpr(a, value));
    case 'or':
      return e.args.some((a) => evalCondExpr(a, value));
  }
}
