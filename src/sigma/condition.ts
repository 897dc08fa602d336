// The condition grammar. Precedence, least to most binding: or, and, not, `x of`, parentheses.
//   expr   := and ('or' and)*
//   and    := unary ('and' unary)*
//   unary  := 'not' unary | ofExpr | '(' expr ')' | IDENT
//   ofExpr := ('1' | 'any' | 'all') 'of' (PATTERN | 'them')
import type { ConditionNode } from './model.js';
import type { DiagnosticCode, Position } from './diagnostics.js';
import { MAX_CONDITION_DEPTH } from './limits.js';

/** A located syntax error: `offset` and `length` are in the condition text (length 0 at its end). */
export class ConditionError extends Error {
  constructor(readonly code: Extract<DiagnosticCode, 'condition-syntax' | 'aggregation-syntax' | 'condition-too-deep'>, message: string, readonly offset: number, readonly length: number) {
    super(message);
  }
}

interface Token {
  kind: 'lparen' | 'rparen' | 'word' | 'pipe' | 'end';
  text: string;
  offset: number;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c, offset: i });
      i++;
    } else if (c === '|') {
      out.push({ kind: 'pipe', text: c, offset: i });
      i++;
    } else {
      const m = /^[^\s()|]+/.exec(text.slice(i))!;
      out.push({ kind: 'word', text: m[0], offset: i });
      i += m[0].length;
    }
  }
  out.push({ kind: 'end', text: '', offset: text.length });
  return out;
}

// `count(field) per x > 5` and friends: aggregation functions of the old syntax, with or without a pipe.
const AGGREGATE = /^(count|min|max|avg|sum)$/i;
const IDENT = /^[A-Za-z0-9_.*\-]+$/;
const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them']);

/**
 * Parses a condition string. `at(offset)` maps an offset in the text to a file position so that
 * every node, and every error, is located.
 */
export function parseCondition(text: string, at: (offset: number) => Position): ConditionNode {
  const tokens = tokenize(text);
  const pipe = tokens.find((t) => t.kind === 'pipe') ?? tokens.find((t, k) => t.kind === 'word' && AGGREGATE.test(t.text) && tokens[k + 1]?.kind === 'lparen');
  // The old syntax is everything from its first sign to the end of the condition.
  const tail = (offset: number) => text.trimEnd().length - offset;
  if (pipe) {
    throw new ConditionError('aggregation-syntax', "the old aggregation syntax ('| count() …', '| near …') is not Sigma v2; write a correlation rule instead", pipe.offset, tail(pipe.offset));
  }
  const arrow = /->|;\s*then\b/.exec(text);
  if (arrow) {
    throw new ConditionError('aggregation-syntax', "this condition uses a pre-v2 correlation pseudo-syntax ('write … to %list%; then if … -> alert'); write a correlation rule instead", arrow.index, tail(arrow.index));
  }
  const syntax = (message: string, t: Token) => new ConditionError('condition-syntax', message, t.offset, t.text.length);
  let i = 0;
  const peek = () => tokens[i]!;
  const isWord = (t: Token, w: string) => t.kind === 'word' && t.text.toLowerCase() === w;

  // `depth` counts the parentheses and `not`s around the current token. Bounding it here, where
  // every condition enters, keeps the parser, the lowering and the evaluation within the stack
  // (5,000 parentheses or 10,000 chained `not` would overflow each of them).
  const parseOr = (depth: number): ConditionNode => {
    const first = parseAnd(depth);
    const args = [first];
    while (isWord(peek(), 'or')) {
      i++;
      args.push(parseAnd(depth));
    }
    return args.length === 1 ? first : { op: 'or', args: args.slice(), pos: first.pos }; // kept at their exact length (values.ts normalizeParts says why)
  };
  const parseAnd = (depth: number): ConditionNode => {
    const first = parseUnary(depth);
    const args = [first];
    while (isWord(peek(), 'and')) {
      i++;
      args.push(parseUnary(depth));
    }
    return args.length === 1 ? first : { op: 'and', args: args.slice(), pos: first.pos };
  };
  const parseUnary = (depth: number): ConditionNode => {
    const t = peek();
    if ((t.kind === 'lparen' || isWord(t, 'not')) && depth >= MAX_CONDITION_DEPTH) {
      throw new ConditionError('condition-too-deep', `parentheses and 'not' nest deeper than ${MAX_CONDITION_DEPTH} levels here`, t.offset, t.text.length);
    }
    if (t.kind === 'end') throw syntax('condition ends where a search identifier was expected', t);
    if (t.kind === 'rparen') throw syntax("unexpected ')'", t);
    if (t.kind === 'lparen') {
      i++;
      const inner = parseOr(depth + 1);
      const close = peek();
      if (close.kind !== 'rparen') throw syntax("missing ')'", close);
      i++;
      return inner;
    }
    const word = t.text.toLowerCase();
    if (word === 'not') {
      i++;
      return { op: 'not', arg: parseUnary(depth + 1), pos: at(t.offset) };
    }
    const next = tokens[i + 1]!;
    if (isWord(next, 'of')) {
      let quantifier: 'one' | 'all';
      if (word === '1' || word === 'any') quantifier = 'one';
      else if (word === 'all') quantifier = 'all';
      else throw syntax(`'${t.text} of' is not supported: use '1 of', 'any of' or 'all of'`, t);
      i += 2;
      const target = peek();
      if (target.kind !== 'word' || (KEYWORDS.has(target.text.toLowerCase()) && target.text.toLowerCase() !== 'them') || !IDENT.test(target.text)) {
        throw syntax(`'${t.text} of' must be followed by a search identifier pattern or 'them'`, target);
      }
      i++;
      return { op: 'of', quantifier, pattern: target.text.toLowerCase() === 'them' ? 'them' : target.text, pos: at(t.offset), end: at(target.offset + target.text.length) };
    }
    if (KEYWORDS.has(word)) throw syntax(`unexpected '${t.text}'`, t);
    if (!IDENT.test(t.text)) throw syntax(`'${t.text}' is not a valid search identifier`, t);
    if (t.text.includes('*')) throw syntax(`the pattern '${t.text}' can only follow '1 of' or 'all of'`, t);
    i++;
    return { op: 'id', name: t.text, pos: at(t.offset), end: at(t.offset + t.text.length) };
  };

  const node = parseOr(0);
  const rest = peek();
  if (rest.kind !== 'end') throw syntax(`unexpected '${rest.text}' after a complete condition`, rest);
  return node;
}

/** Search identifiers an `x of` pattern refers to: `*` matches anything, `_`-prefixed names are left out. */
export function expandPattern(pattern: string, names: Iterable<string>): string[] {
  // An explicit `_` at the start of a pattern opts in to the underscore identifiers.
  const underscore = pattern !== 'them' && pattern.startsWith('_');
  const star = pattern.indexOf('*');
  // Nearly every pattern of a corpus is `prefix*` (`selection_*`, `filter_*`): a prefix comparison
  // needs no regular expression.
  const prefix = star === pattern.length - 1 ? pattern.slice(0, -1) : null;
  let re: RegExp | undefined;
  if (pattern !== 'them' && prefix === null) {
    re = patternRegex.get(pattern);
    if (!re) {
      if (patternRegex.size >= 10_000) patternRegex.clear(); // a long-lived explorer meets ever new rules
      patternRegex.set(pattern, (re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*') + '$')));
    }
  }
  const out: string[] = [];
  for (const n of names) {
    if (n.startsWith('_') && !underscore) continue;
    if (pattern === 'them' || (prefix !== null ? n.startsWith(prefix) : re!.test(n))) out.push(n);
  }
  return out;
}

/** Each pattern's expression, made once: a corpus repeats a few dozen patterns (`selection_*`) thousands of times. */
const patternRegex = new Map<string, RegExp>();

/** All identifiers and patterns a condition mentions, with their spans (`1 of sel_*` as a whole), for validation. */
export function conditionReferences(node: ConditionNode): Array<{ kind: 'id' | 'pattern'; name: string; pos: Position; end: Position }> {
  switch (node.op) {
    case 'and':
    case 'or':
      return node.args.flatMap(conditionReferences);
    case 'not':
      return conditionReferences(node.arg);
    case 'id':
      return [{ kind: 'id', name: node.name, pos: node.pos, end: node.end }];
    case 'of':
      return [{ kind: 'pattern', name: node.pattern, pos: node.pos, end: node.end }];
  }
}
