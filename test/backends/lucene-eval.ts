// A small evaluator of the Lucene queries Quarry writes, over documents of keyword fields (field →
// text, or null when missing): exact terms, wildcard terms, RegExps matching the whole value,
// _exists_, ranges on numbers, AND/OR/NOT as Lucene's two-valued boolean logic. Its input is the
// `lucene` package's syntax tree, so it reads queries the way a query_string parser does; it lets
// the tests run generated queries on real events and compare with the engine.
import lucene from 'lucene';
import { esType } from '../../src/backends/elastic/ecs-types.js';
import { cidrContains, parseCidr, parseIp } from '../../src/sigma/cidr.js';

export type Doc = (field: string) => string | null;
/** All values of the document, for terms without a field (the default fields). */
export type DocValues = () => Array<string | null>;

const unescape = (s: string) => s.replace(/\\(.)/gs, '$1');

/** A wildcard term (`*`, `?`, `\`-escapes) as an anchored JS RegExp. */
function wildcard(term: string): RegExp {
  let re = '';
  for (let i = 0; i < term.length; i++) {
    const c = term[i]!;
    if (c === '\\') re += (term[++i] ?? '').replace(/[\\^$.|?*+()[\]{}/]/g, '\\$&');
    else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[\\^$.|?*+()[\]{}/]/g, '\\$&');
  }
  return new RegExp(`^(?:${re})$`, 's');
}

/**
 * A Lucene RegExp as JS: the forms Quarry emits (`\c` escapes, classes, groups, `()`, bounded
 * repeats) mean the same in JS, except `$`, a literal in Lucene and an anchor in JS; `.` matches
 * any character in Lucene, so the `s` flag.
 */
export function regexp(body: string): RegExp {
  let js = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\') {
      js += c + (body[++i] ?? '');
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      js += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      js += c;
      continue;
    }
    js += c === '$' || c === '^' ? '\\' + c : c;
  }
  return new RegExp(`^(?:${js})$`, 's');
}

type Node = {
  start?: string;
  left?: Node;
  right?: Node;
  operator?: string;
  field?: string;
  term?: string;
  quoted?: boolean;
  regex?: boolean;
  term_min?: string;
  term_max?: string;
  inclusive?: 'both' | 'left' | 'right' | 'none';
};

// The differential tests evaluate one query on many documents in a row: the last query's syntax
// tree and compiled patterns are kept.
let last: { query: string; tree: Node; cache: Map<string, RegExp> } | undefined;

/**
 * A term on an ECS `ip` field matches as Elasticsearch's term query on an ip does: an address or a
 * CIDR block (quoted or not) by containment; a document value that is no address cannot be indexed.
 */
function ipTermMatch(term: string, v: string): boolean {
  const ip = parseIp(v);
  const net = parseCidr(unescape(term));
  if (net === null) throw new Error(`term ${term} on an ip field is neither an address nor a CIDR block`);
  return ip !== null && cidrContains(net, ip);
}

export function evaluate(query: string, doc: Doc, values: DocValues): boolean {
  if (last?.query !== query) last = { query, tree: lucene.parse(query) as Node, cache: new Map() };
  const cache = last.cache;
  const compiled = (key: string, make: () => RegExp) => {
    let re = cache.get(key);
    if (!re) cache.set(key, (re = make()));
    return re;
  };
  const termMatch = (n: Node, v: string): boolean => {
    const term = n.term!;
    if (n.regex) return compiled('r' + term, () => regexp(term)).test(v);
    if (n.quoted) return unescape(term) === v;
    if (/(^|[^\\])(\\\\)*[*?]/.test(term)) return compiled('w' + term, () => wildcard(term)).test(v);
    return unescape(term) === v;
  };
  const leaf = (n: Node): boolean => {
    if (n.term_min !== undefined) {
      const v = doc(unescape(n.field!));
      if (v === null || !/^-?\d+(\.\d+)?$/.test(v)) return false;
      const x = Number(v);
      const lo = n.term_min === '*' ? -Infinity : Number(unescape(n.term_min));
      const hi = n.term_max === '*' ? Infinity : Number(unescape(n.term_max!));
      const inc = n.inclusive!;
      return (inc === 'both' || inc === 'left' ? x >= lo : x > lo) && (inc === 'both' || inc === 'right' ? x <= hi : x < hi);
    }
    const field = unescape(n.field!);
    if (field === '*' && n.term === '*') return true;
    if (field === '_exists_') return doc(unescape(n.term!)) !== null;
    if (field === '<implicit>') return values().some((v) => v !== null && termMatch(n, v));
    const v = doc(field);
    if (v !== null && !n.regex && esType(field) === 'ip') return ipTermMatch(n.term!, v);
    return v !== null && termMatch(n, v);
  };
  const ev = (n: Node): boolean => {
    if (n.operator) {
      const l = ev(n.left!);
      const r = ev(n.right!);
      switch (n.operator) {
        case 'AND':
          return l && r;
        case 'OR':
          return l || r;
        case 'AND NOT':
          return l && !r;
        case 'OR NOT':
          return l || !r;
        default:
          throw new Error(`operator ${n.operator}`);
      }
    }
    if (n.left) {
      const v = ev(n.left);
      return n.start === 'NOT' ? !v : v;
    }
    return leaf(n);
  };
  return ev(last.tree);
}
