// The extended temporal condition (pySigma 1.0's temporal correlations with a string condition):
// a boolean expression of rule names, e.g. `failed_login and not mfa_prompt`. Parsed here into a
// small tree; the correlator evaluates it over each window (src/engine/correlation).

export type TemporalExpression =
  | { op: 'rule'; name: string; offset: number }
  | { op: 'and' | 'or'; args: TemporalExpression[] }
  | { op: 'not'; arg: TemporalExpression };

export class ExpressionError extends Error {
  constructor(
    message: string,
    /** 0-based offset of the problem in the expression text. */
    readonly offset: number,
  ) {
    super(message);
  }
}

interface Token {
  text: string;
  offset: number;
}

const TOKEN = /\s*(\(|\)|[^\s()]+)/y;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < text.length && (m = TOKEN.exec(text))) out.push({ text: m[1]!, offset: m.index + m[0].length - m[1]!.length });
  return out;
}

/** Precedence as in Sigma conditions: not, then and, then or; parentheses group. */
export function parseTemporalExpression(text: string): TemporalExpression {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const word = (t: Token | undefined, w: string) => t !== undefined && t.text.toLowerCase() === w;
  const at = () => peek()?.offset ?? text.length;
  const orExpr = (): TemporalExpression => {
    const args = [andExpr()];
    while (word(peek(), 'or')) {
      i++;
      args.push(andExpr());
    }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  };
  const andExpr = (): TemporalExpression => {
    const args = [notExpr()];
    while (word(peek(), 'and')) {
      i++;
      args.push(notExpr());
    }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  };
  const notExpr = (): TemporalExpression => {
    if (word(peek(), 'not')) {
      i++;
      return { op: 'not', arg: notExpr() };
    }
    return primary();
  };
  const primary = (): TemporalExpression => {
    const t = peek();
    if (!t) throw new ExpressionError('the expression ends where a rule name or ( was expected', text.length);
    if (t.text === '(') {
      i++;
      const e = orExpr();
      if (peek()?.text !== ')') throw new ExpressionError("a '(' is not closed", at());
      i++;
      return e;
    }
    if (t.text === ')' || ['and', 'or', 'not'].includes(t.text.toLowerCase())) throw new ExpressionError(`'${t.text}' where a rule name was expected`, t.offset);
    i++;
    return { op: 'rule', name: t.text, offset: t.offset };
  };
  const e = orExpr();
  if (i < tokens.length) throw new ExpressionError(`unexpected '${tokens[i]!.text}'`, tokens[i]!.offset);
  return e;
}

/** Rule names in order of first appearance. */
export function expressionRules(e: TemporalExpression): string[] {
  const out: string[] = [];
  const walk = (x: TemporalExpression): void => {
    if (x.op === 'rule') {
      if (!out.includes(x.name)) out.push(x.name);
    } else if (x.op === 'not') walk(x.arg);
    else x.args.forEach(walk);
  };
  walk(e);
  return out;
}

/** Evaluates the expression given which rules occurred. */
export function evalTemporalExpression(e: TemporalExpression, occurred: (name: string) => boolean): boolean {
  switch (e.op) {
    case 'rule':
      return occurred(e.name);
    case 'not':
      return !evalTemporalExpression(e.arg, occurred);
    case 'and':
      return e.args.every((a) => evalTemporalExpression(a, occurred));
    case 'or':
      return e.args.some((a) => evalTemporalExpression(a, occurred));
  }
}
