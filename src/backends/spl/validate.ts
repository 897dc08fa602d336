// Quarry's structural validator for SPL (Splunk publishes no parser): it tokenizes the query,
// splits it into commands at the pipes, and checks each command Quarry's backend can emit against
// its grammar: the search language (terms, field comparisons, AND/OR/NOT, balanced parentheses),
// `where` (an eval expression over known functions), `regex` and `tstats`, and for correlation
// searches `eval`, `sort`, `streamstats`, `stats` and `rename`. An unknown command is a problem too:
// this validates the backend's output, not every SPL program.
import type { QueryCheck } from '../common/types.js';
import { tokenize, type Token } from './tokenize.js';

export const SPL_VALIDATOR = "Quarry's structural SPL validator";

const SEARCH_FIELD = /^[A-Za-z_][\w.]*$/;
const EVAL_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMBER = /^-?\d+(\.\d+)?$/;
/** Eval functions the backend uses (and a few neighbours), with their argument counts. */
const FUNCTIONS: Readonly<Record<string, [number, number]>> = {
  match: [2, 2], like: [2, 2], isnull: [1, 1], isnotnull: [1, 1], isnum: [1, 1], isstr: [1, 1], tonumber: [1, 2],
  tostring: [1, 2], lower: [1, 1], upper: [1, 1], cidrmatch: [2, 2], searchmatch: [1, 1], true: [0, 0], false: [0, 0],
  coalesce: [1, 99], if: [3, 3], len: [1, 1], substr: [2, 3], replace: [3, 3], case: [2, 99], null: [0, 0],
};
const COMMANDS = new Set(['search', 'where', 'regex', 'tstats', 'table', 'fields', 'eval', 'sort', 'streamstats', 'stats', 'rename']);
/** Statistical functions of stats and streamstats that take one field. */
const STATS_FUNCTION = /^(count|dc|distinct_count|sum|avg|mean|min|max|median|mode|range|values|list|earliest|latest|first|last|(exact|upper)?perc\d+(\.\d+)?|p\d+(\.\d+)?)$/;
/** streamstats options and the values each takes. */
const STREAMSTATS_OPTIONS: Readonly<Record<string, RegExp>> = {
  time_window: /^\d+(s|m|h|d)$/,
  window: /^\d+$/,
  current: /^(t|f|true|false)$/,
  global: /^(t|f|true|false)$/,
  allnum: /^(t|f|true|false)$/,
};

class Problems {
  readonly list: string[] = [];
  constructor(private readonly query: string) {}
  add(at: number, message: string): void {
    const before = this.query.slice(0, at);
    const line = before.split('\n').length;
    const col = at - before.lastIndexOf('\n');
    this.list.push(`${line}:${col}: ${message}`);
  }
}

export function validateSpl(query: string): QueryCheck {
  const p = new Problems(query);
  const { tokens, problems } = tokenize(query);
  for (const x of problems) p.add(x.at, x.message);
  if (!problems.length) {
    const commands = splitCommands(tokens, p, query.length);
    commands.forEach((cmd, i) => checkCommand(cmd, i, p, query.length));
  }
  return { validator: SPL_VALIDATOR, ok: p.list.length === 0, problems: p.list };
}

interface Command {
  name: string;
  at: number;
  args: Token[];
}

/** Commands between pipes. A query not starting with a pipe begins with an implicit `search`. */
function splitCommands(tokens: Token[], p: Problems, end: number): Command[] {
  const out: Command[] = [];
  let current: Token[] = [];
  let leadingPipe = false;
  const groups: Token[][] = [];
  tokens.forEach((t, i) => {
    if (t.kind === 'pipe') {
      if (i === 0) leadingPipe = true;
      else groups.push(current);
      current = [];
    } else current.push(t);
  });
  groups.push(current);
  groups.forEach((g, i) => {
    if (i === 0 && !leadingPipe) {
      out.push({ name: 'search', at: g[0]?.at ?? 0, args: g });
      return;
    }
    const head = g[0];
    if (!head) {
      p.add(end, 'a pipe without a command after it');
      return;
    }
    if (head.kind !== 'word') p.add(head.at, `a command name expected after the pipe, found ${head.text}`);
    out.push({ name: head.text, at: head.at, args: g.slice(1) });
  });
  return out;
}

function checkCommand(cmd: Command, index: number, p: Problems, end: number): void {
  if (!COMMANDS.has(cmd.name)) return p.add(cmd.at, `unknown command '${cmd.name}'`);
  if (cmd.name === 'tstats' && index !== 0) p.add(cmd.at, 'tstats is a generating command: it must come first, after a pipe');
  if (cmd.name !== 'tstats' && cmd.name !== 'search' && index === 0) p.add(cmd.at, `'${cmd.name}' cannot start a search`);
  const endAt = cmd.args.at(-1) ? cmd.args.at(-1)!.at + cmd.args.at(-1)!.text.length : end;
  switch (cmd.name) {
    case 'search':
      if (!cmd.args.length) return p.add(cmd.at, 'an empty search');
      return new SearchParser(cmd.args, p, endAt).parseAll();
    case 'where':
      if (!cmd.args.length) return p.add(cmd.at, 'where without an expression');
      return new EvalParser(cmd.args, p, endAt).parseAll();
    case 'regex':
      return checkRegex(cmd, p);
    case 'tstats':
      return checkTstats(cmd, p, endAt);
    case 'eval':
      return checkEval(cmd, p, endAt);
    case 'sort':
      return checkSort(cmd, p);
    case 'streamstats':
    case 'stats':
      return checkStats(cmd, p);
    case 'rename':
      return checkRename(cmd, p);
    case 'table':
    case 'fields':
      for (const t of cmd.args) if (t.kind !== 'comma' && !(t.kind === 'word' && SEARCH_FIELD.test(t.text)) && t.kind !== 'string') p.add(t.at, `not a field name: ${t.text}`);
  }
}

/** Arguments split at the commas outside parentheses. */
function splitAtCommas(args: Token[]): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  for (const t of args) {
    if (t.kind === 'lparen') depth++;
    if (t.kind === 'rparen') depth--;
    if (t.kind === 'comma' && depth === 0) out.push([]);
    else out.at(-1)!.push(t);
  }
  return out;
}

/** `eval name=expression[, name=expression]…`. */
function checkEval(cmd: Command, p: Problems, end: number): void {
  if (!cmd.args.length) return p.add(cmd.at, 'eval without an assignment');
  for (const part of splitAtCommas(cmd.args)) {
    const [name, eq, ...expr] = part;
    if (!name || name.kind !== 'word' || !EVAL_FIELD.test(name.text) || eq?.kind !== 'op' || eq.text !== '=') {
      p.add(name?.at ?? cmd.at, 'eval takes name=expression, separated by commas');
      continue;
    }
    if (!expr.length) {
      p.add(eq.at, `eval ${name.text}= without an expression`);
      continue;
    }
    new EvalParser(expr, p, expr.at(-1)!.at + expr.at(-1)!.text.length).parseAll();
  }
  void end;
}

/** `sort [limit] [+|-]field…` (the limit 0 keeps every event). */
function checkSort(cmd: Command, p: Problems): void {
  const a = cmd.args[0] && /^\d+$/.test(cmd.args[0].text) ? cmd.args.slice(1) : cmd.args;
  if (!a.length) return p.add(cmd.at, 'sort without a field');
  for (const t of a) if (t.kind !== 'comma' && !(t.kind === 'word' && /^[+-]?[A-Za-z_][\w.]*$/.test(t.text))) p.add(t.at, `not a sort field: ${t.text}`);
}

/** `[streamstats options] fn(field) [AS name]… [by field…]`. */
function checkStats(cmd: Command, p: Problems): void {
  const a = cmd.args;
  let i = 0;
  if (cmd.name === 'streamstats')
    while (a[i + 1]?.kind === 'op' && a[i + 1]!.text === '=') {
      const [k, , v] = [a[i]!, a[i + 1]!, a[i + 2]];
      const valid = Object.hasOwn(STREAMSTATS_OPTIONS, k.text) ? STREAMSTATS_OPTIONS[k.text]! : null;
      if (!valid) p.add(k.at, `unknown streamstats option '${k.text}'`);
      else if (!v || v.kind !== 'word' || !valid.test(v.text)) p.add(v?.at ?? k.at, `${k.text}= takes a value like ${valid.source}`);
      i += 3;
    }
  let aggs = 0;
  while (i < a.length && !(a[i]!.kind === 'word' && a[i]!.text === 'by')) {
    const t = a[i]!;
    if (t.kind === 'comma') {
      i++;
      continue;
    }
    if (t.kind !== 'word' || !STATS_FUNCTION.test(t.text)) return p.add(t.at, `not a statistical function: ${t.text}`);
    i++;
    if (a[i]?.kind === 'lparen') {
      if (a[i + 1]?.kind !== 'word' || !SEARCH_FIELD.test(a[i + 1]!.text) || a[i + 2]?.kind !== 'rparen') return p.add(a[i]!.at, `${t.text}() takes one field name`);
      i += 3;
    } else if (t.text !== 'count') return p.add(t.at, `${t.text} needs a field in parentheses`);
    if (a[i]?.kind === 'word' && /^as$/i.test(a[i]!.text)) {
      if (a[i + 1]?.kind !== 'word' || !SEARCH_FIELD.test(a[i + 1]!.text)) return p.add(a[i]!.at, "'AS' without a field name");
      i += 2;
    }
    aggs++;
  }
  if (!aggs) return p.add(cmd.at, `${cmd.name} without a statistical function`);
  if (i < a.length) {
    const fields = a.slice(i + 1);
    if (!fields.length) p.add(a[i]!.at, 'by without fields');
    for (const f of fields) if (f.kind !== 'comma' && !(f.kind === 'word' && SEARCH_FIELD.test(f.text)) && f.kind !== 'string') p.add(f.at, `not a field name: ${f.text}`);
  }
}

/** `rename field AS name[, field AS name]…`. */
function checkRename(cmd: Command, p: Problems): void {
  if (!cmd.args.length) return p.add(cmd.at, 'rename without a field');
  const isName = (t: Token | undefined) => (t?.kind === 'word' && SEARCH_FIELD.test(t.text)) || t?.kind === 'string';
  for (const part of splitAtCommas(cmd.args)) {
    if (part.length !== 3 || !isName(part[0]) || !/^as$/i.test(part[1]!.text) || !isName(part[2])) p.add(part[0]?.at ?? cmd.at, 'rename takes field AS name, separated by commas');
  }
}

/** `regex field="pattern"` or `regex field!="pattern"`. */
function checkRegex(cmd: Command, p: Problems): void {
  const [f, op, v, ...rest] = cmd.args;
  if (!f || !op || !v || rest.length || f.kind !== 'word' || !SEARCH_FIELD.test(f.text) || op.kind !== 'op' || (op.text !== '=' && op.text !== '!=') || v.kind !== 'string')
    p.add(cmd.at, 'regex takes field="pattern" or field!="pattern"');
}

/** `tstats key=value… aggregation… from datamodel=X [where <search>] [by field…]`. */
function checkTstats(cmd: Command, p: Problems, end: number): void {
  const a = cmd.args;
  let i = 0;
  while (i + 2 < a.length && a[i]!.kind === 'word' && a[i + 1]!.text === '=' && a[i]!.text !== 'from') {
    if (!['summariesonly', 'allow_old_summaries', 'fillnull_value', 'prestats', 'local', 'append', 'chunk_size', 'include_reduced_buckets'].includes(a[i]!.text))
      p.add(a[i]!.at, `unknown tstats option '${a[i]!.text}'`);
    i += 3;
  }
  const from = a.findIndex((t) => t.kind === 'word' && t.text === 'from');
  if (from < 0) return p.add(cmd.at, 'tstats without "from datamodel=…"');
  // Aggregations: fn or fn(field), optionally `as name`.
  const aggs = a.slice(i, from);
  if (!aggs.length) p.add(cmd.at, 'tstats without an aggregation (count, min(_time), …)');
  for (let k = 0; k < aggs.length; ) {
    const t = aggs[k]!;
    if (t.kind !== 'word' || !/^(count|min|max|values|dc|sum|avg|latest|earliest)$/.test(t.text)) {
      p.add(t.at, `not a tstats aggregation: ${t.text}`);
      return;
    }
    k++;
    if (aggs[k]?.kind === 'lparen') {
      if (aggs[k + 1]?.kind !== 'word' || aggs[k + 2]?.kind !== 'rparen') return p.add(aggs[k]!.at, 'an aggregation takes one field in parentheses');
      k += 3;
    }
    if (aggs[k]?.text === 'as') {
      if (aggs[k + 1]?.kind !== 'word') return p.add(aggs[k]!.at, "'as' without a name");
      k += 2;
    }
  }
  const dm = a.slice(from + 1, from + 4);
  if (dm[0]?.text !== 'datamodel' || dm[1]?.text !== '=' || dm[2]?.kind !== 'word' || !/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(dm[2].text))
    return p.add(a[from]!.at, 'from takes datamodel=<Model>[.<Dataset>]');
  let k = from + 4;
  const by = a.findIndex((t, j) => j >= k && t.kind === 'word' && t.text === 'by');
  if (a[k]?.text === 'where') {
    const whereEnd = by < 0 ? a.length : by;
    const body = a.slice(k + 1, whereEnd);
    if (!body.length) p.add(a[k]!.at, 'where without an expression');
    else new SearchParser(body, p, body.at(-1)!.at + body.at(-1)!.text.length).parseAll();
    k = whereEnd;
  }
  if (k < a.length) {
    if (a[k]!.text !== 'by') return p.add(a[k]!.at, `unexpected ${a[k]!.text} in tstats`);
    const fields = a.slice(k + 1);
    if (!fields.length) p.add(a[k]!.at, 'by without fields');
    for (const f of fields) if (f.kind !== 'comma' && !(f.kind === 'word' && SEARCH_FIELD.test(f.text))) p.add(f.at, `not a field name: ${f.text}`);
  }
  void end;
}

/**
 * The search language: expression := clause (OR clause | [AND] clause)*, clause := NOT clause |
 * ( expression ) | term | field op value. A bare word or string is a term; a field is a word
 * (letters, digits, `_`, `.`) or a double-quoted name.
 */
class SearchParser {
  private i = 0;
  constructor(
    private readonly t: Token[],
    private readonly p: Problems,
    private readonly end: number,
  ) {}
  parseAll(): void {
    if (!this.expression()) return;
    if (this.i < this.t.length) this.p.add(this.t[this.i]!.at, `unexpected ${this.t[this.i]!.text}`);
  }
  private peek(): Token | undefined {
    return this.t[this.i];
  }
  private isWord(tok: Token | undefined, w: string): boolean {
    return tok?.kind === 'word' && tok.text === w;
  }
  private expression(): boolean {
    if (!this.clause()) return false;
    for (;;) {
      const n = this.peek();
      if (!n || n.kind === 'rparen') return true;
      if (this.isWord(n, 'OR') || this.isWord(n, 'AND')) {
        this.i++;
        if (!this.peek()) return this.fail(this.end, `${n.text} without a right-hand side`);
      }
      if (!this.clause()) return false;
    }
  }
  private clause(): boolean {
    const n = this.peek();
    if (!n) return this.fail(this.end, 'an expression expected');
    if (this.isWord(n, 'NOT')) {
      this.i++;
      return this.clause();
    }
    if (this.isWord(n, 'OR') || this.isWord(n, 'AND')) return this.fail(n.at, `${n.text} without a left-hand side`);
    if (n.kind === 'lparen') {
      this.i++;
      if (this.peek()?.kind === 'rparen') return this.fail(n.at, 'empty parentheses');
      if (!this.expression()) return false;
      if (this.peek()?.kind !== 'rparen') return this.fail(this.peek()?.at ?? this.end, "')' expected");
      this.i++;
      return true;
    }
    if (n.kind === 'rparen') return this.fail(n.at, "unbalanced ')'");
    if (n.kind === 'qfield') return this.fail(n.at, 'single quotes name fields in eval expressions, not in a search');
    if (n.kind === 'op' || n.kind === 'comma') return this.fail(n.at, `unexpected ${n.text}`);
    this.i++;
    const op = this.peek();
    if (op?.kind === 'op') {
      if (!['=', '!=', '<', '<=', '>', '>='].includes(op.text)) return this.fail(op.at, `'${op.text}' is not a search comparison`);
      if (n.kind === 'word' && !SEARCH_FIELD.test(n.text)) return this.fail(n.at, `not a field name: ${n.text}`);
      this.i++;
      const v = this.peek();
      if (!v || (v.kind !== 'word' && v.kind !== 'string')) return this.fail(v?.at ?? this.end, `a value expected after ${n.text}${op.text}`);
      if (op.text !== '=' && op.text !== '!=' && v.kind === 'word' && !NUMBER.test(v.text)) return this.fail(v.at, `${op.text} compares with a number`);
      this.i++;
    }
    return true;
  }
  private fail(at: number, message: string): false {
    this.p.add(at, message);
    return false;
  }
}

/**
 * Eval expressions (`where`): or := and (OR and)*; and := not (AND not)*; not := NOT not | cmp;
 * cmp := sum [op sum]; sum := primary ((+|-|.) primary)*; primary := number | string | field |
 * 'field' | function(args) | ( or ). Functions must be known, with a fitting number of arguments.
 */
class EvalParser {
  private i = 0;
  constructor(
    private readonly t: Token[],
    private readonly p: Problems,
    private readonly end: number,
  ) {}
  parseAll(): void {
    if (!this.or()) return;
    if (this.i < this.t.length) this.p.add(this.t[this.i]!.at, `unexpected ${this.t[this.i]!.text}`);
  }
  private peek(): Token | undefined {
    return this.t[this.i];
  }
  private kw(w: string): boolean {
    const n = this.peek();
    return n?.kind === 'word' && n.text.toUpperCase() === w;
  }
  private or(): boolean {
    if (!this.and()) return false;
    while (this.kw('OR') || this.kw('XOR')) {
      this.i++;
      if (!this.and()) return false;
    }
    return true;
  }
  private and(): boolean {
    if (!this.not()) return false;
    while (this.kw('AND')) {
      this.i++;
      if (!this.not()) return false;
    }
    return true;
  }
  private not(): boolean {
    if (this.kw('NOT')) {
      this.i++;
      return this.not();
    }
    return this.cmp();
  }
  private cmp(): boolean {
    if (!this.sum()) return false;
    const n = this.peek();
    if ((n?.kind === 'op' && ['=', '==', '!=', '<', '<=', '>', '>='].includes(n.text)) || this.kw('LIKE')) {
      this.i++;
      return this.sum();
    }
    return true;
  }
  private sum(): boolean {
    if (!this.primary()) return false;
    for (;;) {
      const n = this.peek();
      if (!n || !((n.kind === 'word' || n.kind === 'op') && ['+', '-', '.', '*', '/', '%'].includes(n.text))) return true;
      this.i++;
      if (!this.primary()) return false;
    }
  }
  private primary(): boolean {
    const n = this.peek();
    if (!n) return this.fail(this.end, 'an expression expected');
    this.i++;
    switch (n.kind) {
      case 'string':
      case 'qfield':
        return true;
      case 'lparen': {
        if (!this.or()) return false;
        if (this.peek()?.kind !== 'rparen') return this.fail(this.peek()?.at ?? this.end, "')' expected");
        this.i++;
        return true;
      }
      case 'word': {
        if (NUMBER.test(n.text)) return true;
        if (['AND', 'OR', 'NOT', 'XOR', 'LIKE'].includes(n.text.toUpperCase())) return this.fail(n.at, `${n.text} where an operand is expected`);
        if (this.peek()?.kind === 'lparen') return this.call(n);
        if (!EVAL_FIELD.test(n.text)) return this.fail(n.at, `field name ${n.text} needs single quotes in an eval expression`);
        return true;
      }
      default:
        return this.fail(n.at, `unexpected ${n.text}`);
    }
  }
  private call(name: Token): boolean {
    const arity = Object.hasOwn(FUNCTIONS, name.text) ? FUNCTIONS[name.text]! : null;
    if (!arity) return this.fail(name.at, `unknown eval function ${name.text}()`);
    this.i++; // (
    let count = 0;
    if (this.peek()?.kind !== 'rparen') {
      for (;;) {
        if (!this.or()) return false;
        count++;
        if (this.peek()?.kind === 'comma') {
          this.i++;
          continue;
        }
        break;
      }
    }
    if (this.peek()?.kind !== 'rparen') return this.fail(this.peek()?.at ?? this.end, `')' expected to close ${name.text}(`);
    this.i++;
    if (count < arity[0] || count > arity[1]) return this.fail(name.at, `${name.text}() takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]} to ${arity[1]}`} argument${arity[1] === 1 ? '' : 's'}, given ${count}`);
    return true;
  }
  private fail(at: number, message: string): false {
    this.p.add(at, message);
    return false;
  }
}
