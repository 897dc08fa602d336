// A structural validator for the ClickHouse dialect (no ClickHouse that runs these functions can be
// installed here: see README.md). It tokenizes the query as ClickHouse does (backslash escapes in
// strings and backquoted names), demands the shape `SELECT * FROM t WHERE …` (or, for a correlation,
// `SELECT … FROM (subquery) …`), balanced brackets, only the functions the dialect renders with
// their argument counts, bare words only as keywords or after AS, and compiles every pattern given
// to match(), replaceRegexpAll(), extractAll() or extract() with RE2, the engine ClickHouse uses.
import { createRequire } from 'node:module';
import type { QueryCheck } from '../common/types.js';

const require = createRequire(import.meta.url);
const RE2 = require('re2') as new (pattern: string, flags?: string) => unknown;

export const CLICKHOUSE_VALIDATOR = "Quarry's structural ClickHouse validator (tokens, brackets, functions and arities, RE2 patterns)";

/** The functions the ClickHouse dialect writes, with their argument counts. */
const FUNCTIONS: Readonly<Record<string, readonly number[]>> = {
  lowerUTF8: [1],
  startsWith: [2],
  endsWith: [2],
  positionUTF8: [2],
  match: [2],
  if: [3],
  ifNull: [2],
  not: [1],
  toFloat64OrNull: [1],
  replaceRegexpAll: [3],
  extractAll: [2],
  toUInt64OrZero: [1],
  arrayExists: [2],
  // array(*): every column of the row (the `*` counts as one argument).
  array: [1],
  // Correlations (render-correlation.ts): flags, event times in epoch milliseconds, aggregates.
  COALESCE: [2],
  toInt64: [1],
  toUnixTimestamp: [1],
  parseDateTimeBestEffortOrNull: [2],
  substring: [3],
  concat: [2],
  extract: [2],
  count: [1],
  sum: [1],
  avg: [1],
  min: [1],
  max: [1],
  floor: [1],
};
const PATTERN_FUNCTIONS = new Set(['match', 'replaceRegexpAll', 'extractAll', 'extract']);
/** The lambda variable of a keyword search. */
const LAMBDA_VARIABLE = '_v';
const KEYWORDS = new Set(['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'IS', 'NOT', 'NULL', 'LIKE', 'BETWEEN', 'AS', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'INNER', 'JOIN', 'USING', 'GROUP', 'BY', 'DISTINCT', 'UNION', 'ALL']);

type Token = { kind: 'str' | 'ident' | 'word' | 'num' | 'op'; text: string; at: number };

function tokenize(q: string, problems: string[]): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '`') {
      // A string or a backquoted name: a backslash escapes the next character.
      let j = i + 1;
      let text = '';
      while (j < q.length && q[j] !== c) {
        if (q[j] === '\\') {
          const n = q[j + 1];
          if (n === undefined) break;
          text += { n: '\n', t: '\t', r: '\r', '0': '\0' }[n] ?? n;
          j += 2;
        } else text += q[j++];
      }
      if (j >= q.length) {
        problems.push(`unterminated ${c === "'" ? 'string' : 'name'} at ${i}`);
        return out;
      }
      out.push({ kind: c === "'" ? 'str' : 'ident', text, at: i });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(q.slice(i))![0];
      out.push({ kind: 'word', text: m, at: i });
      i += m.length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?/.exec(q.slice(i))![0];
      out.push({ kind: 'num', text: m, at: i });
      i += m.length;
    } else {
      const m = /^(->|<=|>=|!=|<>|\|\||[-=<>+*/(),\[\]])/.exec(q.slice(i));
      if (!m) {
        problems.push(`unexpected character ${JSON.stringify(c)} at ${i}`);
        return out;
      }
      out.push({ kind: 'op', text: m[0], at: i });
      i += m[0].length;
    }
  }
  return out;
}

export function validateClickHouse(query: string): QueryCheck {
  const problems: string[] = [];
  const toks = tokenize(query, problems);
  const head = toks.slice(0, 5).map((t) => t.text).join(' ');
  const rule = /^SELECT \* FROM \S+ WHERE$/.test(head) && toks[3]?.kind !== 'str';
  const correlation = !rule && toks[0]?.text === 'SELECT' && toks.some((t, k) => t.text === 'FROM' && toks[k + 1]?.text === '(');
  if (!rule && !correlation) problems.push(`the query does not start with SELECT * FROM <table> WHERE, nor is it a correlation (SELECT … FROM (subquery) …) (${head})`);
  // Brackets, and for each function call its argument count.
  const stack: Array<{ open: string; fn: string | null; args: number; empty: boolean; at: number }> = [];
  for (let k = rule ? 5 : 1; k < toks.length; k++) {
    const t = toks[k]!;
    const prev = toks[k - 1]!;
    if (t.kind === 'word') {
      const isCall = toks[k + 1]?.text === '(' && !KEYWORDS.has(t.text.toUpperCase());
      if (isCall && !(t.text in FUNCTIONS)) problems.push(`unknown function ${t.text} at ${t.at}`);
      // A bare word may name a result column (after AS) or, in a correlation, the table (after FROM).
      const alias = prev.kind === 'word' && (prev.text.toUpperCase() === 'AS' || (correlation && prev.text.toUpperCase() === 'FROM'));
      if (!isCall && !alias && t.text !== LAMBDA_VARIABLE && !KEYWORDS.has(t.text.toUpperCase())) problems.push(`unexpected word ${t.text} at ${t.at} (column names are backquoted)`);
    }
    const op = t.kind === 'op' ? t.text : '';
    if (op === '(' || op === '[') {
      const fn = op === '(' && prev.kind === 'word' && prev.text in FUNCTIONS ? prev.text : null;
      stack.push({ open: op, fn, args: 1, empty: true, at: t.at });
      continue;
    }
    if (stack.length) stack[stack.length - 1]!.empty = false;
    if (op === ',') {
      // A correlation's select lists are commas outside brackets.
      if (!stack.length) {
        if (rule) problems.push(`comma outside brackets at ${t.at}`);
      }
      else stack[stack.length - 1]!.args++;
    } else if (op === ')' || op === ']') {
      const top = stack.pop();
      if (!top || (top.open === '(') !== (op === ')')) {
        problems.push(`unbalanced ${t.text} at ${t.at}`);
        continue;
      }
      const args = top.empty ? 0 : top.args;
      if (top.fn && !FUNCTIONS[top.fn]!.includes(args)) problems.push(`${top.fn} takes ${FUNCTIONS[top.fn]!.join(' or ')} arguments, not ${args} (at ${top.at})`);
    }
    // A pattern for match() or replaceRegexpAll() must compile in RE2.
    if (t.kind === 'str' && toks[k - 1]?.kind === 'op' && toks[k - 1]?.text === ',') {
      const call = stack[stack.length - 1];
      if (call?.fn && PATTERN_FUNCTIONS.has(call.fn) && call.args === 2) {
        try {
          new RE2(t.text, 'u');
        } catch (e) {
          problems.push(`the pattern at ${t.at} does not compile in RE2: ${(e as Error).message}`);
        }
      }
    }
  }
  for (const s of stack) problems.push(`unclosed ${s.open} at ${s.at}`);
  return { validator: CLICKHOUSE_VALIDATOR, ok: problems.length === 0, problems };
}
