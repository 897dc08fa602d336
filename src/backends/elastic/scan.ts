// A tokenizer for the structural validators of ES|QL and EQL queries: string literals (with their
// escapes, or triple-quoted), backtick-quoted names, numbers, words and operators, each with its
// offset so that a problem points at its place in the query.
export type TokenKind = 'string' | 'number' | 'word' | 'quoted' | 'op' | 'end';

export interface Token {
  kind: TokenKind;
  /** The source text; for strings and quoted names, the decoded value. */
  text: string;
  at: number;
}

export class ScanError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

const OPS = ['==', '!=', '<=', '>=', '<', '>', '=', '(', ')', ',', '|', ':', '.', '~', '+', '-', '*', '/', '%', '[', ']'];

export function scan(q: string, escapes: ReadonlySet<string>): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (q.startsWith('"""', i)) {
      const end = q.indexOf('"""', i + 3);
      if (end < 0) throw new ScanError('unterminated """ string', at);
      out.push({ kind: 'string', text: q.slice(i + 3, end), at });
      i = end + 3;
      continue;
    }
    if (c === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= q.length) throw new ScanError('unterminated string', at);
        const d = q[i]!;
        if (d === '"') break;
        if (d === '\n' || d === '\r') throw new ScanError('a line break inside a string (write \\n)', i);
        if (d === '\\') {
          const e = q[i + 1] ?? '';
          if (!escapes.has(e)) throw new ScanError(`unknown escape \\${e} in a string`, i);
          text += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e;
          i += 2;
          continue;
        }
        text += d;
        i++;
      }
      out.push({ kind: 'string', text, at });
      i++;
      continue;
    }
    if (c === '`') {
      let text = '';
      i++;
      for (;;) {
        if (i >= q.length) throw new ScanError('unterminated `name`', at);
        if (q[i] === '`') {
          if (q[i + 1] === '`') {
            text += '`';
            i += 2;
            continue;
          }
          break;
        }
        text += q[i];
        i++;
      }
      if (!text) throw new ScanError('an empty `` name', at);
      out.push({ kind: 'quoted', text, at });
      i++;
      continue;
    }
    const num = /^\d+(\.\d+)?([eE][-+]?\d+)?/.exec(q.slice(i, i + 40));
    if (num) {
      out.push({ kind: 'number', text: num[0], at });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_@][A-Za-z0-9_@]*/.exec(q.slice(i, i + 200));
    if (word) {
      out.push({ kind: 'word', text: word[0], at });
      i += word[0].length;
      continue;
    }
    const op = OPS.find((o) => q.startsWith(o, i));
    if (!op) throw new ScanError(`unexpected character ${JSON.stringify(c)}`, at);
    out.push({ kind: 'op', text: op, at });
    i += op.length;
  }
  out.push({ kind: 'end', text: '', at: q.length });
  return out;
}

/** A cursor over tokens with the helpers both parsers use. */
export class Cursor {
  i = 0;
  constructor(readonly toks: Token[]) {}
  get peek(): Token {
    return this.toks[this.i]!;
  }
  next(): Token {
    return this.toks[this.i++]!;
  }
  isWord(...words: string[]): boolean {
    const t = this.peek;
    return t.kind === 'word' && words.includes(t.text.toLowerCase());
  }
  isOp(...ops: string[]): boolean {
    const t = this.peek;
    return t.kind === 'op' && ops.includes(t.text);
  }
  fail(what: string): never {
    const t = this.peek;
    throw new ScanError(`${what}, found ${t.kind === 'end' ? 'the end of the query' : JSON.stringify(t.text)}`, t.at);
  }
  expectOp(op: string): Token {
    if (!this.isOp(op)) this.fail(`expected '${op}'`);
    return this.next();
  }
}

/** `offset N (line L, column C): message` for a problem at an offset of the query. */
export function located(q: string, at: number, message: string): string {
  const before = q.slice(0, at);
  const line = before.split('\n').length;
  const col = at - before.lastIndexOf('\n');
  return `line ${line}, column ${col}: ${message}`;
}

/** Whether a Lucene RegExp has balanced groups and classes and no dangling escape. */
export function regexpProblem(re: string): string | null {
  let depth = 0;
  for (let i = 0; i < re.length; i++) {
    const c = re[i]!;
    if (c === '\\') {
      if (i + 1 >= re.length) return 'a trailing backslash';
      i++;
    } else if (c === '[') {
      let j = i + 1;
      if (re[j] === '^') j++;
      while (j < re.length && re[j] !== ']') j += re[j] === '\\' ? 2 : 1;
      if (j >= re.length) return 'an unclosed [';
      i = j;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return "an unbalanced ')'";
  }
  return depth ? "an unclosed '('" : null;
}
