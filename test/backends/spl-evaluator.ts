// A small evaluator of the SPL that the correlation renderer writes, over flat events (every value
// a string, `_time` in epoch seconds), for the differential against the engine. It reads the query
// text with the product's tokenizer and runs each command as this file understands Splunk to: the
// search language (field="value" with `*` wildcards, case-insensitive; AND, OR, NOT, parentheses),
// eval expressions (case, if, match with PCRE flags and \z, tonumber, isnull/isnotnull, null(),
// true(), comparisons, `.` and `+`), where, eval, sort 0 _time (stable), streamstats with
// time_window (the events of the group with _time within the window before the event, both ends
// included), current=f and by, stats and rename. What it assumes of Splunk is stated here; it is
// not Splunk, and the engine comparison tests the query's structure under these readings.
import { tokenize, unquote, type Token } from '../../src/backends/spl/tokenize.js';

export type SplEvent = Record<string, string | number | null>;
type Value = string | number | boolean | null;

function commands(query: string): Array<{ name: string; args: Token[] }> {
  const { tokens, problems } = tokenize(query);
  if (problems.length) throw new Error(problems.map((p) => p.message).join('; '));
  const groups: Token[][] = [[]];
  for (const t of tokens) {
    if (t.kind === 'pipe') groups.push([]);
    else groups.at(-1)!.push(t);
  }
  return groups.map((g, i) => (i === 0 ? { name: 'search', args: g } : { name: g[0]!.text, args: g.slice(1) }));
}

/** A cursor over tokens. */
class Cursor {
  i = 0;
  constructor(readonly t: Token[]) {}
  peek(): Token | undefined {
    return this.t[this.i];
  }
  next(): Token {
    const t = this.t[this.i++];
    if (!t) throw new Error('unexpected end');
    return t;
  }
  word(w: string): boolean {
    const n = this.peek();
    if (n?.kind === 'word' && n.text.toUpperCase() === w) {
      this.i++;
      return true;
    }
    return false;
  }
}

const fieldName = (t: Token) => (t.kind === 'string' || t.kind === 'qfield' ? unquote(t) : t.text);

function wildcard(pattern: string): RegExp {
  return new RegExp('^' + pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$', 'is');
}

/** The search language over one event. */
function searchMatches(args: Token[], e: SplEvent): boolean {
  const c = new Cursor(args);
  const expr = (): boolean => {
    let acc = clause();
    for (;;) {
      const n = c.peek();
      if (!n || n.kind === 'rparen') return acc;
      if (c.word('OR')) acc = clause() || acc;
      else {
        c.word('AND');
        acc = clause() && acc;
      }
    }
  };
  // OR binds tighter than the implicit AND in Splunk's search language.
  const clause = (): boolean => {
    let acc = unit();
    while (c.word('OR')) acc = unit() || acc;
    return acc;
  };
  const unit = (): boolean => {
    if (c.word('NOT')) return !unit();
    const t = c.next();
    if (t.kind === 'lparen') {
      const v = expr();
      c.next();
      return v;
    }
    if (t.text === '*' && t.kind === 'word') return true;
    const op = c.next();
    const v = c.next();
    const have = e[fieldName(t)];
    const want = v.kind === 'string' ? unquote(v) : v.text;
    if (op.text === '=') return have !== null && have !== undefined && wildcard(want).test(String(have));
    if (op.text === '!=') return have !== null && have !== undefined && !wildcard(want).test(String(have));
    throw new Error(`search comparison ${op.text} is not evaluated here`);
  };
  return expr();
}

function pcre(pattern: string): RegExp {
  const m = /^\(\?([a-z]+)\)/.exec(pattern);
  const body = (m ? pattern.slice(m[0].length) : pattern).replace(/\\z/g, '$');
  return new RegExp(body, m ? m[1]! : '');
}

// tonumber() of text with spaces around a number: read as the number, as the engine reads it (assumed of Splunk).
const toNumber = (v: Value): number | null => (typeof v === 'number' ? v : typeof v === 'string' && /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(v) ? Number(v) : null);

/** An eval expression over one event. */
function evalExpr(args: Token[], e: SplEvent): Value {
  const c = new Cursor(args);
  const or = (): Value => {
    let v = and();
    while (c.word('OR')) {
      const w = and();
      v = v === true || w === true;
    }
    return v;
  };
  const and = (): Value => {
    let v = not();
    while (c.word('AND')) {
      const w = not();
      v = v === true && w === true;
    }
    return v;
  };
  const not = (): Value => (c.word('NOT') ? not() !== true : cmp());
  const cmp = (): Value => {
    const a = sum();
    const n = c.peek();
    if (n?.kind !== 'op' || !['=', '==', '!=', '<', '<=', '>', '>='].includes(n.text)) return a;
    c.next();
    const b = sum();
    if (a === null || b === null) return null;
    const [x, y] = toNumber(a) !== null && toNumber(b) !== null ? [toNumber(a)!, toNumber(b)!] : [String(a), String(b)];
    return { '=': x === y, '==': x === y, '!=': x !== y, '<': x < y, '<=': x <= y, '>': x > y, '>=': x >= y }[n.text]!;
  };
  const sum = (): Value => {
    let v = primary();
    for (;;) {
      const n = c.peek();
      if (n?.kind !== 'word' || !['+', '.'].includes(n.text)) return v;
      c.next();
      const w = primary();
      v = v === null || w === null ? null : n.text === '.' ? String(v) + String(w) : toNumber(v)! + toNumber(w)!;
    }
  };
  const args_ = (): Value[] => {
    c.next(); // (
    const out: Value[] = [];
    if (c.peek()?.kind !== 'rparen')
      for (;;) {
        out.push(or());
        if (c.peek()?.kind === 'comma') c.next();
        else break;
      }
    c.next(); // )
    return out;
  };
  const primary = (): Value => {
    const t = c.next();
    if (t.kind === 'string') return unquote(t);
    if (t.kind === 'qfield') return e[unquote(t)] ?? null;
    if (t.kind === 'lparen') {
      const v = or();
      c.next();
      return v;
    }
    if (/^-?\d+(\.\d+)?$/.test(t.text)) return Number(t.text);
    if (c.peek()?.kind !== 'lparen') return e[t.text] ?? null;
    // Arguments are evaluated lazily only where it matters (case, if): here all at once is the same.
    const a = args_();
    switch (t.text) {
      case 'case':
        for (let i = 0; i + 1 < a.length; i += 2) if (a[i] === true) return a[i + 1]!;
        return null;
      case 'if':
        return a[0] === true ? a[1]! : a[2]!;
      case 'true':
        return true;
      case 'false':
        return false;
      case 'null':
        return null;
      case 'isnull':
        return a[0] === null;
      case 'isnotnull':
        return a[0] !== null;
      case 'tonumber':
        return toNumber(a[0]!);
      case 'match':
        return a[0] === null ? null : pcre(String(a[1])).test(String(a[0]));
      default:
        throw new Error(`eval function ${t.text}() is not evaluated here`);
    }
  };
  return or();
}

/** The value of one statistical function over the events of a window (null when it has none). */
function statistic(fn: string, field: string | null, evs: SplEvent[]): Value {
  if (fn === 'count') return field === null ? evs.length : evs.filter((e) => e[field] !== null && e[field] !== undefined).length;
  const vals = evs.map((e) => e[field!]).filter((v): v is string | number => v !== null && v !== undefined);
  const nums = vals.map((v) => toNumber(v)).filter((v): v is number => v !== null);
  switch (fn) {
    case 'dc':
      return new Set(vals.map(String)).size;
    case 'sum':
      return nums.length ? nums.reduce((x, y) => x + y, 0) : null;
    case 'avg':
      return nums.length ? nums.reduce((x, y) => x + y, 0) / nums.length : null;
    case 'max':
      return nums.length ? Math.max(...nums) : null;
    case 'min':
      return nums.length ? Math.min(...nums) : null;
    default:
      throw new Error(`statistical function ${fn} is not evaluated here`);
  }
}

/** `fn(field) AS name` … `by f…` of stats and streamstats. */
function aggregations(c: Cursor): { aggs: Array<{ fn: string; field: string | null; as: string }>; by: string[] } {
  const aggs = [];
  while (c.peek() && !(c.peek()!.kind === 'word' && c.peek()!.text === 'by')) {
    const fn = c.next().text;
    let field: string | null = null;
    if (c.peek()?.kind === 'lparen') {
      c.next();
      field = fieldName(c.next());
      c.next();
    }
    let as = field === null ? fn : `${fn}(${field})`;
    if (c.word('AS')) as = fieldName(c.next());
    aggs.push({ fn, field, as });
  }
  const by = c.word('BY') ? c.t.slice(c.i).filter((t) => t.kind !== 'comma').map(fieldName) : [];
  return { aggs, by };
}

const SPAN: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function runSpl(query: string, input: readonly SplEvent[]): SplEvent[] {
  let rows: SplEvent[] = input.map((e) => ({ ...e }));
  for (const cmd of commands(query)) {
    switch (cmd.name) {
      case 'search':
        rows = rows.filter((e) => searchMatches(cmd.args, e));
        break;
      case 'where':
        rows = rows.filter((e) => evalExpr(cmd.args, e) === true);
        break;
      case 'eval': {
        // Assignments at the top-level commas, each seeing the ones before it.
        const parts: Token[][] = [[]];
        let depth = 0;
        for (const t of cmd.args) {
          if (t.kind === 'lparen') depth++;
          if (t.kind === 'rparen') depth--;
          if (t.kind === 'comma' && depth === 0) parts.push([]);
          else parts.at(-1)!.push(t);
        }
        for (const e of rows) for (const [name, , ...expr] of parts) e[name!.text] = evalExpr(expr, e) as string | number | null;
        break;
      }
      case 'sort':
        if (cmd.args.map((t) => t.text).join(' ') !== '0 _time') throw new Error('only sort 0 _time is evaluated here');
        rows = [...rows].sort((a, b) => Number(a._time) - Number(b._time));
        break;
      case 'streamstats': {
        const c = new Cursor(cmd.args);
        let span = Infinity;
        let current = true;
        while (c.t[c.i + 1]?.text === '=') {
          const k = c.next().text;
          c.next();
          const v = c.next().text;
          if (k === 'time_window') span = Number(v.slice(0, -1)) * SPAN[v.slice(-1)]!;
          else if (k === 'current') current = v.startsWith('t');
          else throw new Error(`streamstats ${k}= is not evaluated here`);
        }
        const { aggs, by } = aggregations(c);
        const seen = new Map<string, SplEvent[]>();
        for (const e of rows) {
          const key = JSON.stringify(by.map((f) => e[f] ?? null));
          const prior = (seen.get(key) ?? []).filter((x) => Number(x._time) >= Number(e._time) - span);
          const window = current ? [...prior, e] : prior;
          const out = aggs.map((a) => statistic(a.fn, a.field, window));
          aggs.forEach((a, i) => (e[a.as] = out[i] as string | number | null));
          seen.set(key, [...prior, e]);
        }
        break;
      }
      case 'stats': {
        const { aggs, by } = aggregations(new Cursor(cmd.args));
        const groups = new Map<string, SplEvent[]>();
        for (const e of rows) {
          const key = JSON.stringify(by.map((f) => e[f] ?? null));
          groups.set(key, [...(groups.get(key) ?? []), e]);
        }
        rows = [...groups].map(([key, evs]) => {
          const out: SplEvent = Object.fromEntries(by.map((f, i) => [f, JSON.parse(key)[i]]));
          for (const a of aggs) out[a.as] = statistic(a.fn, a.field, evs) as string | number | null;
          return out;
        });
        break;
      }
      case 'rename': {
        const pairs: Array<[string, string]> = [];
        const a = cmd.args.filter((t) => t.kind !== 'comma');
        for (let i = 0; i < a.length; i += 3) pairs.push([fieldName(a[i]!), fieldName(a[i + 2]!)]);
        for (const e of rows)
          for (const [from, to] of pairs) {
            e[to] = e[from] ?? null;
            delete e[from];
          }
        break;
      }
      default:
        throw new Error(`command ${cmd.name} is not evaluated here`);
    }
  }
  return rows;
}
